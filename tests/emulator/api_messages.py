"""Bot API methods about messages: send, edit, delete, callback answers, chat actions, files."""

from __future__ import annotations

from typing import Any

from .errors import MESSAGE_CANT_BE_DELETED, MESSAGE_NOT_MODIFIED, QUERY_TOO_OLD, ApiError
from .formatting import MAX_MESSAGE_LENGTH, EntityParseError, parse_html, trim, utf16_len
from .markup import validate_inline_markup, validate_reply_markup
from .models import Chat, JsonDict, StoredMessage, now
from .params import Params
from .state import BotState
from .topics import place_message

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


def render_text(
    text: str | None, parse_mode: str | None, entities: list[Any] | None
) -> tuple[str, list[JsonDict]]:
    """The text and entities Telegram would store, or the 400 it answers."""
    if not text:
        raise ApiError.bad_request("message text is empty")
    if entities is not None:
        if not all(
            isinstance(e, dict) and {"type", "offset", "length"} <= e.keys() for e in entities
        ):
            raise ApiError.bad_request("can't parse entities JSON object")
        plain, found = text, [dict(e) for e in entities]
    elif parse_mode is None:
        plain, found = text, []
    elif parse_mode.lower() == "html":
        try:
            plain, found = parse_html(text)
        except EntityParseError as error:
            raise ApiError.bad_request(f"can't parse entities: {error}") from None
    elif parse_mode.lower() in ("markdown", "markdownv2"):
        plain, found = text, []  # accepted but not parsed by the emulator
    else:
        raise ApiError.bad_request("unsupported parse_mode")
    plain, found = trim(plain, found)
    if not plain:
        raise ApiError.bad_request("message text is empty")
    if utf16_len(plain) > MAX_MESSAGE_LENGTH:
        raise ApiError.bad_request("message is too long")
    return plain, found


def _reply_target(state: BotState, chat: Chat, p: Params) -> StoredMessage | None:
    reply = p.obj("reply_parameters")
    if reply is not None:
        message_id = reply.get("message_id")
        if "chat_id" in reply:
            chat = state.resolve_chat(Params({"chat_id": reply["chat_id"]}).chat_id())
        allow_missing = bool(reply.get("allow_sending_without_reply"))
    else:
        message_id = p.integer("reply_to_message_id")
        allow_missing = p.flag("allow_sending_without_reply")
    if message_id is None:
        return None
    target = state.find_message(chat.id, int(message_id))
    if target is None and not allow_missing:
        raise ApiError.bad_request("message to be replied not found")
    return target


def _link_preview(p: Params) -> JsonDict | None:
    options = p.obj("link_preview_options")
    if options is None and p.flag("disable_web_page_preview"):
        options = {"is_disabled": True}
    return options


def placement(state: BotState, chat: Chat, p: Params) -> JsonDict:
    """``thread_id`` and ``reply_to`` of a message the bot sends (``message_thread_id``)."""
    thread_id, reply_to = place_message(
        state, chat, state.bot, p.integer("message_thread_id"), _reply_target(state, chat, p)
    )
    return {"thread_id": thread_id, "reply_to": reply_to}


async def send_message(state: BotState, p: Params) -> JsonDict:
    chat = state.resolve_chat(p.chat_id())
    raw_text = p.text("text")
    parse_mode = p.text("parse_mode")
    text, entities = render_text(raw_text, parse_mode, p.array("entities"))
    markup = validate_reply_markup(p.obj("reply_markup"))
    where = placement(state, chat, p)
    message = state.store_message(
        chat,
        state.bot,
        text=text,
        entities=entities,
        raw_text=raw_text,
        parse_mode=parse_mode,
        reply_markup=markup,
        link_preview_options=_link_preview(p),
        disable_notification=p.flag("disable_notification"),
        protect_content=p.flag("protect_content"),
        **where,
    )
    return message.to_api()


def _message_to_edit(state: BotState, p: Params) -> StoredMessage:
    if "inline_message_id" in p:
        raise ApiError.bad_request("inline messages are not emulated (use chat_id and message_id)")
    chat = state.resolve_chat(p.chat_id())
    message_id = p.integer("message_id")
    if message_id is None:
        raise ApiError.bad_request("message identifier is not specified")
    message = state.find_message(chat.id, message_id)
    if message is None:
        raise ApiError.bad_request("message to edit not found")
    if not message.from_bot:
        raise ApiError.bad_request("message can't be edited")
    return message


def _keyboard(markup: JsonDict | None) -> Any:
    return (markup or {}).get("inline_keyboard") or None


async def edit_message_text(state: BotState, p: Params) -> JsonDict:
    message = _message_to_edit(state, p)
    if message.text is None:
        raise ApiError.bad_request("there is no text in the message to edit")
    raw_text = p.text("text")
    parse_mode = p.text("parse_mode")
    text, entities = render_text(raw_text, parse_mode, p.array("entities"))
    # Telegram removes the inline keyboard when an edit does not repeat it.
    markup = validate_inline_markup(p.obj("reply_markup"))
    unchanged = (text, entities, _keyboard(markup)) == (
        message.text,
        message.entities,
        _keyboard(message.reply_markup),
    )
    if unchanged:
        raise ApiError.bad_request(MESSAGE_NOT_MODIFIED)
    message.text, message.entities = text, entities
    message.raw_text, message.parse_mode = raw_text, parse_mode
    message.reply_markup = markup
    message.link_preview_options = _link_preview(p) or message.link_preview_options
    message.edit_date = now()
    state.message_changed("edited", message)
    return message.to_api()


async def edit_message_reply_markup(state: BotState, p: Params) -> JsonDict:
    message = _message_to_edit(state, p)
    markup = validate_inline_markup(p.obj("reply_markup"))
    if _keyboard(markup) == _keyboard(message.reply_markup):
        raise ApiError.bad_request(MESSAGE_NOT_MODIFIED)
    message.reply_markup = markup
    message.edit_date = now()
    state.message_changed("edited", message)
    return message.to_api()


def may_delete(state: BotState, message: StoredMessage) -> bool:
    """Telegram's rule: the bot's own messages anywhere, anything in a private chat, and others'
    messages in a group only as an administrator (in a supergroup: with ``can_delete_messages``).
    The message that created a forum topic can only go with the topic (deleteForumTopic).
    The 48-hour limit is not emulated."""
    if "forum_topic_created" in message.service:
        return False
    if message.from_bot or message.chat.is_private:
        return True
    chat_id = message.chat.id
    if message.chat.type == "group":
        return state.rights(chat_id, state.bot.id) is not None
    return state.has_right(chat_id, state.bot.id, "can_delete_messages")


async def delete_message(state: BotState, p: Params) -> bool:
    chat = state.resolve_chat(p.chat_id())
    message_id = p.integer("message_id")
    message = None if message_id is None else state.find_message(chat.id, message_id)
    if message is None:
        raise ApiError.bad_request("message to delete not found")
    if not may_delete(state, message):
        raise ApiError.bad_request(MESSAGE_CANT_BE_DELETED)
    state.delete_message(message)
    return True


async def answer_callback_query(state: BotState, p: Params) -> bool:
    query_id = p.text("callback_query_id", missing=QUERY_TOO_OLD)
    record = state.callback_queries.get(query_id or "")
    if record is None or record.answer is not None:
        raise ApiError.bad_request(QUERY_TOO_OLD)
    record.answer = {
        "text": p.text("text"),
        "show_alert": p.flag("show_alert"),
        "url": p.text("url"),
        "cache_time": p.integer("cache_time", 0),
    }
    state.changed.notify()
    return True


async def send_chat_action(state: BotState, p: Params) -> bool:
    state.resolve_chat(p.chat_id())
    if p.text("action") not in CHAT_ACTIONS:
        raise ApiError.bad_request("wrong parameter action in request")
    return True


async def get_file(state: BotState, p: Params) -> JsonDict:
    stored = state.files.get(p.text("file_id") or "")
    if stored is None:
        raise ApiError.bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.content),
        "file_path": stored.file_path,
    }


METHODS = {
    "sendMessage": send_message,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "answerCallbackQuery": answer_callback_query,
    "sendChatAction": send_chat_action,
    "getFile": get_file,
}
