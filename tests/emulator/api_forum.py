"""Bot API methods about forum topics: create, edit, close, reopen, delete.

Checks and errors follow TDLib's ForumTopicManager as the Bot API server reports them: the chat
must be a forum; creating needs ``can_manage_topics``; editing, closing and reopening need it
unless the bot created the topic; deleting needs ``can_delete_messages`` unless the bot created
the topic. Each change leaves its service message in the topic, as in Telegram; the bot gets no
update about its own changes.
"""

from __future__ import annotations

from .errors import TOPIC_ID_INVALID, TOPIC_NOT_MODIFIED, ApiError
from .models import Chat, ForumTopic, JsonDict
from .params import Params
from .state import BotState
from .topics import (
    ICON_COLORS,
    clean_topic_name,
    delete_topic,
    open_topic,
    require_forum,
    topic_service_message,
)


def _forum(state: BotState, p: Params) -> Chat:
    chat = state.resolve_chat(p.chat_id())
    require_forum(chat)
    return chat


def _topic(state: BotState, chat: Chat, p: Params, right: str, refusal: str) -> ForumTopic:
    """The topic named by ``message_thread_id`` that the bot may change with ``right``."""
    thread_id = p.integer("message_thread_id") or 0
    if thread_id <= 0:
        raise ApiError.bad_request("invalid message thread identifier specified")
    topic = state.find_topic(chat.id, thread_id)
    bot_id = state.bot.id
    if (
        topic is not None
        and topic.creator_id != bot_id
        and not state.has_right(chat.id, bot_id, right)
    ):
        raise ApiError.bad_request(refusal)
    if topic is None:
        raise ApiError.bad_request(TOPIC_ID_INVALID)
    return topic


async def create_forum_topic(state: BotState, p: Params) -> JsonDict:
    chat = _forum(state, p)
    if not state.has_right(chat.id, state.bot.id, "can_manage_topics"):
        raise ApiError.bad_request("not enough rights to create a topic")
    name = clean_topic_name(p.text("name"))
    icon_color = p.integer("icon_color")
    if icon_color is None or icon_color == 0:
        icon_color = ICON_COLORS[0]
    elif not 0 <= icon_color <= 0xFFFFFF:
        raise ApiError.bad_request("invalid icon color specified")
    topic, _ = open_topic(state, chat, state.bot, name, icon_color, p.text("icon_custom_emoji_id"))
    return topic.to_api()


async def edit_forum_topic(state: BotState, p: Params) -> bool:
    """An empty ``name`` keeps the name; an empty ``icon_custom_emoji_id`` removes the icon."""
    chat = _forum(state, p)
    topic = _topic(state, chat, p, "can_manage_topics", "not enough rights to edit the topic")
    name = p.text("name")
    new_name = clean_topic_name(name) if name else None
    edit_icon = "icon_custom_emoji_id" in p.values
    new_icon = p.text("icon_custom_emoji_id") or None
    if new_name is None and not edit_icon:
        return True
    changed: JsonDict = {}
    if new_name is not None and new_name != topic.name:
        changed["name"] = new_name
    if edit_icon and new_icon != topic.icon_custom_emoji_id:
        changed["icon_custom_emoji_id"] = new_icon or ""
    if not changed:
        raise ApiError.bad_request(TOPIC_NOT_MODIFIED)
    topic.name = new_name or topic.name
    topic.icon_custom_emoji_id = new_icon if edit_icon else topic.icon_custom_emoji_id
    topic_service_message(state, chat, state.bot, topic, {"forum_topic_edited": changed})
    return True


async def _set_closed(state: BotState, p: Params, closed: bool) -> bool:
    chat = _forum(state, p)
    topic = _topic(
        state, chat, p, "can_manage_topics", "not enough rights to close or open the topic"
    )
    if topic.closed == closed:
        raise ApiError.bad_request(TOPIC_NOT_MODIFIED)
    topic.closed = closed
    service: JsonDict = {"forum_topic_closed": {}} if closed else {"forum_topic_reopened": {}}
    topic_service_message(state, chat, state.bot, topic, service)
    return True


async def close_forum_topic(state: BotState, p: Params) -> bool:
    return await _set_closed(state, p, True)


async def reopen_forum_topic(state: BotState, p: Params) -> bool:
    return await _set_closed(state, p, False)


async def delete_forum_topic(state: BotState, p: Params) -> bool:
    chat = _forum(state, p)
    topic = _topic(state, chat, p, "can_delete_messages", "not enough rights to delete the topic")
    delete_topic(state, topic)
    return True


METHODS = {
    "createForumTopic": create_forum_topic,
    "editForumTopic": edit_forum_topic,
    "closeForumTopic": close_forum_topic,
    "reopenForumTopic": reopen_forum_topic,
    "deleteForumTopic": delete_forum_topic,
}
