"""What tests look at: the bot's messages, recorded calls, pending updates, settings; and waits.

Waits consume: a message or call returned by ``wait_for_message`` / ``wait_for_call`` is not
returned by a later wait, so a conversation reads as send, wait, send, wait.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .commands import parse_language, parse_scope, resolve, scope_chain
from .models import (
    ApiCall,
    CallbackQueryRecord,
    Chat,
    ForumTopic,
    HasThreadId,
    JsonDict,
    StoredMessage,
    User,
    WebhookConfig,
)
from .state import BotState

T = TypeVar("T")
ChatRef = int | Chat | User
DEFAULT_TIMEOUT = 10.0


TopicRef = int | HasThreadId  # a topic id, or a ForumTopic (the emulator's or PTB's)


def chat_id_of(chat: ChatRef) -> int:
    """A chat id from an id, a Chat, or a User (their private chat)."""
    return chat if isinstance(chat, int) else chat.id


def thread_id_of(topic: TopicRef) -> int:
    """A forum topic's ``message_thread_id`` from itself or a ForumTopic."""
    return topic if isinstance(topic, int) else topic.message_thread_id


class Inspection:
    """Mixed into BotApiEmulator."""

    def __init__(self, state: BotState) -> None:
        self.state = state
        self._seen_messages: set[int] = set()
        self._seen_calls: set[int] = set()

    # --- messages ----------------------------------------------------------------------------

    def sent_messages(
        self,
        chat: ChatRef | None = None,
        *,
        include_deleted: bool = False,
        topic: TopicRef | None = None,
    ) -> list[StoredMessage]:
        """The bot's messages, oldest first, in their current (edited) state; with ``topic``,
        only those in that forum topic."""
        pool = self.state.messages if chat is None else self.history(chat, topic=topic)
        return [m for m in pool if m.from_bot and (include_deleted or not m.deleted)]

    def history(self, chat: ChatRef, *, topic: TopicRef | None = None) -> list[StoredMessage]:
        """Every message in a chat (or one of its topics), users' and bot's, oldest first."""
        messages = self.state.chat_messages.get(chat_id_of(chat), [])
        if topic is None:
            return list(messages)
        thread_id = thread_id_of(topic)
        return [m for m in messages if m.thread_id == thread_id]

    def message(self, chat: ChatRef, message_id: int) -> StoredMessage:
        found = self.state.find_message(chat_id_of(chat), message_id)
        if found is None:
            raise LookupError(f"no message {message_id} in chat {chat_id_of(chat)}")
        return found

    def message_for(self, update_id: int) -> StoredMessage:
        """The message an update was about: the user's message, or the bot's pressed one."""
        return self.state.update_messages[update_id]

    async def wait_for_message(
        self,
        chat: ChatRef,
        predicate: Callable[[StoredMessage], bool] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - the waits are the test API
        *,
        topic: TopicRef | None = None,
    ) -> StoredMessage:
        """The oldest bot message in ``chat`` (in ``topic``, if given) not yet returned by a
        wait (and matching)."""
        wanted = chat_id_of(chat)

        def probe() -> StoredMessage | None:
            for message in self.sent_messages(wanted, include_deleted=True, topic=topic):
                if id(message) not in self._seen_messages and (
                    predicate is None or predicate(message)
                ):
                    self._seen_messages.add(id(message))
                    return message
            return None

        try:
            return await self.state.changed.until(probe, timeout)
        except TimeoutError:
            seen = self.sent_messages(wanted, include_deleted=True)[-5:]
            raise TimeoutError(
                f"no new bot message in chat {wanted} within {timeout}s"
                f"{' matching the predicate' if predicate else ''}; last bot messages there: {seen}"
            ) from None

    # --- calls -------------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[ApiCall]:
        """Recorded Bot API calls, oldest first; ``method`` is case-insensitive."""
        if method is None:
            return list(self.state.calls)
        return list(self.state.calls_by_method.get(method.lower(), []))

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,  # noqa: ASYNC109 - the waits are the test API
        *,
        answered: bool = True,
    ) -> ApiCall:
        """The oldest call of ``method`` not yet returned by a wait (and matching).

        With ``answered`` (the default) the call's response is known; pass False to see a call
        as soon as it arrives, e.g. a long-polling getUpdates.
        """

        def probe() -> ApiCall | None:
            for call in self.calls(method):
                if id(call) in self._seen_calls or (answered and not call.answered):
                    continue
                if predicate is None or predicate(call):
                    self._seen_calls.add(id(call))
                    return call
            return None

        try:
            return await self.state.changed.until(probe, timeout)
        except TimeoutError:
            seen = [(c.params, c.status) for c in self.calls(method)][-5:]
            raise TimeoutError(
                f"no new {method} call within {timeout}s"
                f"{' matching the predicate' if predicate else ''}; last ones: {seen}"
            ) from None

    # --- updates, callback answers, settings -------------------------------------------------

    def update(self, update_id: int) -> JsonDict:
        """An update as the bot receives it (still available after it was confirmed)."""
        return self.state.updates[update_id]

    def pending_updates(self) -> list[JsonDict]:
        """Updates not yet confirmed by getUpdates ``offset`` nor accepted by the webhook."""
        return list(self.state.pending)

    async def wait_until_updates_confirmed(
        self,
        timeout: float | None = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> None:
        """Until the bot has fetched and confirmed every pending update."""
        try:
            await self.state.changed.until(
                lambda: True if not self.state.pending else None, timeout
            )
        except TimeoutError:
            raise TimeoutError(
                f"updates still pending after {timeout}s: {self.state.pending}"
            ) from None

    def callback_answer(self, update_id: int) -> JsonDict | None:
        """How the bot answered the button press of that update (answerCallbackQuery)."""
        record = self._callback_query(update_id)
        return record.answer

    async def wait_for_callback_answer(
        self,
        update_id: int,
        timeout: float | None = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    ) -> JsonDict:
        record = self._callback_query(update_id)
        try:
            return await self.state.changed.until(lambda: record.answer, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"the bot did not answer callback query {record.id} (update {update_id}, "
                f"data {record.data!r}) within {timeout}s"
            ) from None

    def _callback_query(self, update_id: int) -> CallbackQueryRecord:
        for record in self.state.callback_queries.values():
            if record.update_id == update_id:
                return record
        raise LookupError(f"update {update_id} is not a button press")

    @property
    def commands(self) -> list[JsonDict]:
        """The command list for the default scope and all languages (setMyCommands)."""
        return self.commands_for()

    def commands_for(
        self, scope: JsonDict | None = None, language_code: str = ""
    ) -> list[JsonDict]:
        """The list set for exactly this scope (a BotCommandScope dict) and language."""
        key = (parse_scope(self.state, scope), parse_language(language_code))
        return list(self.state.commands.get(key, []))

    def commands_seen_by(
        self, user: User, chat: ChatRef | None = None, language_code: str | None = None
    ) -> list[JsonDict]:
        """The command menu ``user`` sees in ``chat`` (None: their private chat with the bot),
        with their app in ``language_code`` (default: the user's own), resolved through the
        scopes in the Bot API's order; administrator scopes count if ``make_admin`` made the
        user an administrator of that chat."""
        return self.commands_scope_seen_by(user, chat, language_code)[1]

    def commands_scope_seen_by(
        self, user: User, chat: ChatRef | None = None, language_code: str | None = None
    ) -> tuple[tuple[JsonDict, str] | None, list[JsonDict]]:
        """As ``commands_seen_by``, with the (scope, language) whose list won, None if none."""
        target = self.state.resolve_chat(user.id if chat is None else chat_id_of(chat))
        is_admin = self.state.rights(target.id, user.id) is not None
        chain = scope_chain(target, user.id, is_admin)
        language = user.language_code if language_code is None else language_code
        found = resolve(self.state.commands, chain, (language or "")[:2].lower() or None)
        if found is None:
            return None, []
        (kind, chat_id, user_id), list_language = found[0]
        scope: JsonDict = {"type": kind}
        if chat_id is not None:
            scope["chat_id"] = chat_id
        if user_id is not None:
            scope["user_id"] = user_id
        return (scope, list_language), list(found[1])

    # --- forum topics ------------------------------------------------------------------------

    def topics(self, chat: ChatRef, *, include_deleted: bool = False) -> list[ForumTopic]:
        """The chat's forum topics, oldest first (closed ones too)."""
        wanted = chat_id_of(chat)
        return [
            topic
            for (chat_id, _), topic in self.state.topics.items()
            if chat_id == wanted and (include_deleted or not topic.deleted)
        ]

    def topic(self, chat: ChatRef, topic: TopicRef) -> ForumTopic:
        """A topic by id (deleted ones too, with ``deleted`` set); LookupError if never made."""
        found = self.state.topics.get((chat_id_of(chat), thread_id_of(topic)))
        if found is None:
            names = [(t.message_thread_id, t.name) for t in self.topics(chat)]
            raise LookupError(f"no topic {thread_id_of(topic)} in chat {chat_id_of(chat)}: {names}")
        return found

    def topic_named(self, chat: ChatRef, name: str) -> ForumTopic:
        """The newest live topic with this name; LookupError lists the others."""
        for candidate in reversed(self.topics(chat)):
            if candidate.name == name:
                return candidate
        names = [t.name for t in self.topics(chat)]
        raise LookupError(f"no topic named {name!r} in chat {chat_id_of(chat)}: {names}")

    @property
    def webhook(self) -> WebhookConfig | None:
        """The webhook set by setWebhook, with its delivery errors; None when polling."""
        return self.state.webhook
