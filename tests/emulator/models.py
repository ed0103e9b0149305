"""Bot API objects as the emulator stores them, and their JSON form (dates in seconds)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

JsonDict = dict[str, Any]
ChatType = Literal["private", "group", "supergroup", "channel"]


def now() -> int:
    """Telegram dates are Unix time in whole seconds."""
    return int(time.time())


def _without_none(fields: JsonDict) -> JsonDict:
    return {key: value for key, value in fields.items() if value is not None}


@dataclass(frozen=True)
class User:
    """A Telegram account: a person typing to the bot, or the bot itself."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    @property
    def chat(self) -> Chat:
        """The private chat between this user and the bot (its id is the user's id)."""
        return Chat.private(self)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    def to_api(self) -> JsonDict:
        return _without_none(
            {
                "id": self.id,
                "is_bot": self.is_bot,
                "first_name": self.first_name,
                "last_name": self.last_name,
                "username": self.username,
                "language_code": self.language_code,
            }
        )


@dataclass(frozen=True)
class Chat:
    """A chat: private chats share the user's id, groups have negative ids."""

    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False

    @classmethod
    def private(cls, user: User) -> Chat:
        return cls(
            id=user.id,
            type="private",
            username=user.username,
            first_name=user.first_name,
            last_name=user.last_name,
        )

    @classmethod
    def group(cls, id: int, title: str) -> Chat:
        return cls(id=id, type="group", title=title)

    @classmethod
    def supergroup(
        cls, id: int, title: str, username: str | None = None, *, is_forum: bool = False
    ) -> Chat:
        """``is_forum``: topics are enabled (only supergroups can be forums)."""
        return cls(id=id, type="supergroup", title=title, username=username, is_forum=is_forum)

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def to_api(self) -> JsonDict:
        return _without_none(
            {
                "id": self.id,
                "type": self.type,
                "title": self.title,
                "username": self.username,
                "first_name": self.first_name,
                "last_name": self.last_name,
                "is_forum": True if self.is_forum else None,
            }
        )


@dataclass(eq=False)
class StoredMessage:
    """A message in a chat, sent by a user or by the bot; edits update it in place.

    ``text`` is what Telegram stores and shows: markup removed, formatting moved to
    ``entities`` (offsets in UTF-16 code units). ``raw_text`` and ``parse_mode`` keep what the
    bot sent, so tests can assert on either.

    ``thread_id`` is the forum topic the message is in (its ``message_thread_id``); a message in a
    topic that replies to nothing has ``reply_to`` set to the topic's creation message, as
    Telegram reports it. ``service`` holds service-message fields such as
    ``forum_topic_created``; service messages cannot be copied.
    """

    message_id: int
    chat: Chat
    sender: User
    date: int
    text: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    raw_text: str | None = None
    parse_mode: str | None = None
    reply_markup: JsonDict | None = None
    reply_to: StoredMessage | None = None
    edit_date: int | None = None
    link_preview_options: JsonDict | None = None
    disable_notification: bool = False
    protect_content: bool = False
    media: JsonDict = field(default_factory=dict)
    thread_id: int | None = None
    service: JsonDict = field(default_factory=dict)
    deleted: bool = False

    def __repr__(self) -> str:
        content = self.text if self.text is not None else "+".join(self.media or self.service)
        labels = [button.get("text") for button in self.buttons]
        return (
            f"StoredMessage(#{self.message_id} in {self.chat.id}"
            + (f" topic {self.thread_id}" if self.thread_id else "")
            + " from "
            + f"{'bot' if self.from_bot else self.sender.id}: {content or None!r}"
            + (f" buttons={labels}" if labels else "")
            + (" edited" if self.edit_date else "")
            + (" deleted" if self.deleted else "")
            + ")"
        )

    @property
    def from_bot(self) -> bool:
        return self.sender.is_bot

    @property
    def inline_keyboard(self) -> list[list[JsonDict]]:
        """Rows of inline buttons, or an empty list."""
        if not self.reply_markup:
            return []
        rows: list[list[JsonDict]] = self.reply_markup.get("inline_keyboard") or []
        return rows

    @property
    def buttons(self) -> list[JsonDict]:
        """All inline buttons, row by row."""
        return [button for row in self.inline_keyboard for button in row]

    def button(self, *, text: str | None = None, callback_data: str | None = None) -> JsonDict:
        """The inline button with this text or callback data; LookupError lists the others."""
        for candidate in self.buttons:
            if text is not None and candidate.get("text") != text:
                continue
            if callback_data is not None and candidate.get("callback_data") != callback_data:
                continue
            return candidate
        offered = [(b.get("text"), b.get("callback_data")) for b in self.buttons]
        raise LookupError(
            f"message {self.message_id} in chat {self.chat.id} has no button with "
            f"text={text!r} callback_data={callback_data!r}; buttons (text, data): {offered}"
        )

    def to_api(self, *, with_reply: bool = True) -> JsonDict:
        """The Message object as the Bot API returns it."""
        message: JsonDict = {
            "message_id": self.message_id,
            "from": self.sender.to_api(),
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        if self.thread_id is not None:
            message["message_thread_id"] = self.thread_id
            message["is_topic_message"] = True
        if with_reply and self.reply_to is not None:
            message["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        if self.text is not None:
            message["text"] = self.text
            if self.entities:
                message["entities"] = [dict(entity) for entity in self.entities]
        message.update(self.media)
        message.update(self.service)
        if self.link_preview_options is not None:
            message["link_preview_options"] = self.link_preview_options
        if self.protect_content:
            message["has_protected_content"] = True
        if self.inline_keyboard:
            message["reply_markup"] = {"inline_keyboard": self.inline_keyboard}
        return message


class HasThreadId(Protocol):
    """A forum topic as tests hold it: the emulator's ForumTopic or python-telegram-bot's."""

    @property
    def message_thread_id(self) -> int: ...


@dataclass(eq=False)
class ForumTopic:
    """A topic of a forum supergroup: its id is the id of its ``forum_topic_created`` message."""

    chat_id: int
    message_thread_id: int
    name: str
    icon_color: int
    creator_id: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    deleted: bool = False

    def to_api(self) -> JsonDict:
        """The ForumTopic object createForumTopic returns."""
        return _without_none(
            {
                "message_thread_id": self.message_thread_id,
                "name": self.name,
                "icon_color": self.icon_color,
                "icon_custom_emoji_id": self.icon_custom_emoji_id,
            }
        )


@dataclass(eq=False)
class ApiCall:
    """One HTTP call of a Bot API method, recorded when it arrives and completed when answered.

    ``params`` are normalised: numbers, booleans and JSON-serialised objects are decoded, so
    form-encoded and JSON requests record the same values. ``status`` stays None if the client
    hung up before the answer (e.g. a long poll cancelled at shutdown).
    """

    method: str
    params: JsonDict
    at: float
    files: dict[str, bytes] = field(default_factory=dict)
    status: int | None = None
    response: JsonDict | None = None

    @property
    def answered(self) -> bool:
        return self.status is not None

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return (self.response or {}).get("result")

    @property
    def description(self) -> str | None:
        return (self.response or {}).get("description")


@dataclass
class WebhookConfig:
    """What setWebhook configured, plus the delivery state getWebhookInfo reports."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None
    delivered: int = 0


@dataclass
class CallbackQueryRecord:
    """A button press the bot must answer with answerCallbackQuery."""

    id: str
    update_id: int
    user: User
    message: StoredMessage
    data: str | None
    answer: JsonDict | None = None


@dataclass(frozen=True)
class Described:
    """A method result that Telegram accompanies with a ``description`` (setWebhook...)."""

    result: Any
    description: str


@dataclass(frozen=True)
class StoredFile:
    """A file a user sent, downloadable through getFile and the file URL."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
