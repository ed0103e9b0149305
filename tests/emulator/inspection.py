"""What tests look at: the bot's messages, recorded calls, pending updates, settings; and waits.

Waits consume: a message or call returned by ``wait_for_message`` / ``wait_for_call`` is not
returned by a later wait, so a conversation reads as send, wait, send, wait.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from .api_bot import scope_key
from .models import (
    ApiCall,
    CallbackQueryRecord,
    Chat,
    JsonDict,
    StoredMessage,
    User,
    WebhookConfig,
)
from .state import BotState

T = TypeVar("T")
ChatRef = int | Chat | User
DEFAULT_TIMEOUT = 10.0


def chat_id_of(chat: ChatRef) -> int:
    """A chat id from an id, a Chat, or a User (their private chat)."""
    return chat if isinstance(chat, int) else chat.id


class Inspection:
    """Mixed into BotApiEmulator."""

    def __init__(self, state: BotState) -> None:
        self.state = state
        self._seen_messages: set[int] = set()
        self._seen_calls: set[int] = set()

    # --- messages ----------------------------------------------------------------------------

    def sent_messages(
        self, chat: ChatRef | None = None, *, include_deleted: bool = False
    ) -> list[StoredMessage]:
        """The bot's messages, oldest first, in their current (edited) state."""
        pool = self.state.messages if chat is None else self.history(chat)
        return [m for m in pool if m.from_bot and (include_deleted or not m.deleted)]

    def history(self, chat: ChatRef) -> list[StoredMessage]:
        """Every message in a chat, the users' and the bot's, oldest first."""
        return list(self.state.chat_messages.get(chat_id_of(chat), []))

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
    ) -> StoredMessage:
        """The oldest bot message in ``chat`` not yet returned by a wait (and matching)."""
        wanted = chat_id_of(chat)

        def probe() -> StoredMessage | None:
            for message in self.sent_messages(wanted, include_deleted=True):
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
        return list(self.state.commands.get(scope_key(scope, language_code), []))

    @property
    def webhook(self) -> WebhookConfig | None:
        """The webhook set by setWebhook, with its delivery errors; None when polling."""
        return self.state.webhook
