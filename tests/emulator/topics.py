"""Forum topics: where a new message goes, and the service messages topics leave behind.

Shared by the Bot API methods (the bot) and the user actions (people in the test). As in
Telegram, a topic's ``message_thread_id`` is the id of its ``forum_topic_created`` service
message, and a message in a topic that replies to nothing reports that service message as its
``reply_to_message``.
"""

from __future__ import annotations

from .errors import NOT_A_FORUM, THREAD_NOT_FOUND, TOPIC_CLOSED, TOPIC_TITLE_EMPTY, ApiError
from .models import Chat, ForumTopic, JsonDict, StoredMessage, User
from .state import BotState

GENERAL_TOPIC_ID = 1  # the "General" topic: its messages carry no message_thread_id
MAX_TOPIC_NAME_LENGTH = 128
# The colours createForumTopic accepts; the first is what Telegram picks when none is given.
ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)


def require_forum(chat: Chat) -> None:
    if not chat.is_forum:
        raise ApiError.bad_request(NOT_A_FORUM)


def clean_topic_name(name: str | None) -> str:
    """The name as Telegram stores it (trimmed, at most 128 characters), never empty."""
    cleaned = " ".join((name or "").split())[:MAX_TOPIC_NAME_LENGTH]
    if not cleaned:
        raise ApiError.bad_request(TOPIC_TITLE_EMPTY)
    return cleaned


def place_message(
    state: BotState,
    chat: Chat,
    sender: User,
    thread_id: int | None,
    reply_to: StoredMessage | None,
) -> tuple[int | None, StoredMessage | None]:
    """The topic a new message lands in and what it replies to, or the 400 Telegram answers.

    A reply goes to the topic of the message it answers. ``message_thread_id`` is ignored
    outside forums (the Bot API does so for ordinary groups); in a closed topic only
    administrators who may manage topics can write.
    """
    if thread_id is None and reply_to is not None:
        thread_id = reply_to.thread_id
    if thread_id is None or thread_id <= 0:
        return None, reply_to
    if chat.is_private:
        raise ApiError.bad_request(THREAD_NOT_FOUND)
    if not chat.is_forum:
        return None, reply_to
    topic = None if thread_id == GENERAL_TOPIC_ID else state.find_topic(chat.id, thread_id)
    if topic is None:
        raise ApiError.bad_request(THREAD_NOT_FOUND)
    if topic.closed and not state.has_right(chat.id, sender.id, "can_manage_topics"):
        raise ApiError.bad_request(TOPIC_CLOSED)
    return thread_id, reply_to or state.find_message(chat.id, thread_id)


def open_topic(
    state: BotState,
    chat: Chat,
    creator: User,
    name: str,
    icon_color: int = ICON_COLORS[0],
    icon_custom_emoji_id: str | None = None,
) -> tuple[ForumTopic, StoredMessage]:
    """A new topic and its ``forum_topic_created`` service message (no rights checked)."""
    require_forum(chat)
    created: JsonDict = {"name": name, "icon_color": icon_color}
    if icon_custom_emoji_id:
        created["icon_custom_emoji_id"] = icon_custom_emoji_id
    message = state.store_message(
        chat, creator, opens_thread=True, service={"forum_topic_created": created}
    )
    assert message.thread_id is not None
    topic = ForumTopic(
        chat_id=chat.id,
        message_thread_id=message.thread_id,
        name=name,
        icon_color=icon_color,
        creator_id=creator.id,
        icon_custom_emoji_id=icon_custom_emoji_id,
    )
    state.topics[(chat.id, topic.message_thread_id)] = topic
    return topic, message


def topic_service_message(
    state: BotState, chat: Chat, actor: User, topic: ForumTopic, service: JsonDict
) -> StoredMessage:
    """``forum_topic_closed`` / ``_reopened`` / ``_edited``, posted in the topic itself."""
    root = state.find_message(chat.id, topic.message_thread_id)
    return state.store_message(
        chat, actor, thread_id=topic.message_thread_id, reply_to=root, service=service
    )


def delete_topic(state: BotState, topic: ForumTopic) -> list[StoredMessage]:
    """The topic and every message in it, its creation message included, are deleted."""
    topic.deleted = True
    removed = [
        message
        for message in state.chat_messages.get(topic.chat_id, [])
        if message.thread_id == topic.message_thread_id and not message.deleted
    ]
    for message in removed:
        state.delete_message(message)
    return removed
