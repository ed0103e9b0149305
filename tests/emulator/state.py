"""Everything the emulated Telegram knows: chats, messages, pending updates, calls, settings."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Literal, TypeVar

from .errors import CHAT_NOT_FOUND, ApiError
from .models import (
    ApiCall,
    CallbackQueryRecord,
    Chat,
    ForumTopic,
    JsonDict,
    StoredFile,
    StoredMessage,
    User,
    WebhookConfig,
    now,
)

T = TypeVar("T")
# setMyCommands lists are kept per ((scope type, chat id, user id), language code or ""); see
# commands.py for the scopes and how a user's menu is resolved.
ScopeKey = tuple[str, int | None, int | None]
CommandsKey = tuple[ScopeKey, str]
MessageEvent = Literal["sent", "edited", "deleted"]
MessageListener = Callable[[MessageEvent, StoredMessage], None]
# Telegram's default when allowed_updates is empty: every type but these.
NOT_DELIVERED_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class Signal:
    """Wakes every waiter whenever the state changes; waits re-check their own condition."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self) -> None:
        await self._event.wait()

    async def until(self, probe: Callable[[], T | None], within: float | None) -> T:
        """The first non-None value of ``probe``, re-evaluated on each change; TimeoutError
        after ``within`` seconds (None: no limit)."""
        async with asyncio.timeout(within):
            while True:
                event = self._event
                value = probe()
                if value is not None:
                    return value
                await event.wait()


class BotState:
    """The server side of one bot. Mutations notify ``changed``."""

    def __init__(self, bot: User) -> None:
        self.bot = bot
        self.changed = Signal()
        self.closing = False
        self.chats: dict[int, Chat] = {}
        self.messages: list[StoredMessage] = []
        self.chat_messages: defaultdict[int, list[StoredMessage]] = defaultdict(list)
        self._by_id: dict[tuple[int, int], StoredMessage] = {}
        self._last_message_id: dict[int, int] = {}
        self.pending: list[JsonDict] = []
        self.updates: dict[int, JsonDict] = {}
        self.update_messages: dict[int, StoredMessage] = {}
        self._update_ids = itertools.count(1)
        self.allowed_updates: list[str] = []
        self.poll_generation = 0
        self.calls: list[ApiCall] = []
        self.calls_by_method: defaultdict[str, list[ApiCall]] = defaultdict(list)
        self.commands: dict[CommandsKey, list[JsonDict]] = {}
        self.webhook: WebhookConfig | None = None
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.files: dict[str, StoredFile] = {}
        self.listeners: list[MessageListener] = []
        self.topics: dict[tuple[int, int], ForumTopic] = {}
        # chat id -> user id (the bot's too) -> administrator rights ("can_manage_topics": True…)
        self.admins: defaultdict[int, dict[int, JsonDict]] = defaultdict(dict)

    # --- chats and messages ------------------------------------------------------------------

    def add_chat(self, chat: Chat) -> Chat:
        self.chats[chat.id] = chat
        return chat

    def resolve_chat(self, chat_id: int | str) -> Chat:
        """The chat for an id or ``@username``; 400 "chat not found" like Telegram."""
        if isinstance(chat_id, int):
            chat = self.chats.get(chat_id)
        else:
            wanted = chat_id.removeprefix("@").lower()
            chat = next(
                (c for c in self.chats.values() if (c.username or "").lower() == wanted), None
            )
        if chat is None:
            raise ApiError.bad_request(CHAT_NOT_FOUND)
        return chat

    def store_message(
        self, chat: Chat, sender: User, *, opens_thread: bool = False, **fields: Any
    ) -> StoredMessage:
        """A new message; ``opens_thread``: it starts a forum topic whose id is its own id."""
        self.add_chat(chat)
        message_id = self._last_message_id.get(chat.id, 0) + 1
        if chat.is_forum:  # id 1 is the forum's "General" topic, never a message of its own
            message_id = max(message_id, 2)
        self._last_message_id[chat.id] = message_id
        if opens_thread:
            fields["thread_id"] = message_id
        message = StoredMessage(
            message_id=message_id, chat=chat, sender=sender, date=now(), **fields
        )
        self.messages.append(message)
        self.chat_messages[chat.id].append(message)
        self._by_id[(chat.id, message_id)] = message
        self.message_changed("sent", message)
        return message

    def find_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        message = self._by_id.get((chat_id, message_id))
        return None if message is None or message.deleted else message

    def delete_message(self, message: StoredMessage) -> None:
        message.deleted = True
        self.message_changed("deleted", message)

    def message_changed(self, event: MessageEvent, message: StoredMessage) -> None:
        for listener in list(self.listeners):
            listener(event, message)
        self.changed.notify()

    # --- administrators and forum topics -----------------------------------------------------

    def rights(self, chat_id: int, user_id: int) -> JsonDict | None:
        """The administrator rights of a user (or the bot) in a chat; None for a plain member."""
        return self.admins.get(chat_id, {}).get(user_id)

    def has_right(self, chat_id: int, user_id: int, right: str) -> bool:
        rights = self.rights(chat_id, user_id)
        return rights is not None and bool(rights.get(right))

    def find_topic(self, chat_id: int, thread_id: int) -> ForumTopic | None:
        topic = self.topics.get((chat_id, thread_id))
        return None if topic is None or topic.deleted else topic

    # --- updates -----------------------------------------------------------------------------

    def enqueue(self, kind: str, payload: JsonDict) -> int:
        """Create an update; it waits for getUpdates or the webhook unless filtered out."""
        update_id = next(self._update_ids)
        update = {"update_id": update_id, kind: payload}
        self.updates[update_id] = update
        allowed = self.allowed_updates
        if (kind in allowed) if allowed else (kind not in NOT_DELIVERED_BY_DEFAULT):
            self.pending.append(update)
        self.changed.notify()
        return update_id

    def confirm(self, offset: int) -> None:
        """getUpdates ``offset`` semantics: forget updates before it (negative: keep the last)."""
        if offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
        elif offset < 0:
            self.pending = self.pending[offset:]
        self.changed.notify()

    def drop_pending(self) -> None:
        self.pending.clear()
        self.changed.notify()

    # --- calls and files ---------------------------------------------------------------------

    def record_call(self, call: ApiCall) -> ApiCall:
        self.calls.append(call)
        self.calls_by_method[call.method.lower()].append(call)
        self.changed.notify()
        return call

    def answer_call(self, call: ApiCall, status: int, response: JsonDict) -> None:
        call.status = status
        call.response = response
        self.changed.notify()

    def store_file(self, content: bytes, folder: str, extension: str) -> StoredFile:
        digest = hashlib.sha256(content + folder.encode()).hexdigest()
        number = len(self.files) + 1
        stored = StoredFile(
            file_id=f"emu-{folder}-{number}-{digest[:24]}",
            file_unique_id=f"u{digest[:15]}",
            file_path=f"{folder}/file_{number}.{extension}",
            content=content,
        )
        self.files[stored.file_id] = stored
        return stored
