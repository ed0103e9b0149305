"""copyMessage and copyMessages: the same content sent anew by the bot, with no link back.

Errors as the Bot API server words them: an unknown source chat is "chat not found", a missing
message "message to copy not found"; service messages cannot be copied; the target chat is
checked after the source (a user who blocked the bot gives 403 there, through the fault plan).
"""

from __future__ import annotations

from typing import Any

from .api_messages import placement, render_text
from .errors import MESSAGE_CANT_BE_COPIED, ApiError
from .markup import validate_reply_markup
from .models import Chat, JsonDict, StoredMessage
from .params import Params
from .state import BotState

MAX_CAPTION_LENGTH = 1024
MAX_MESSAGES_PER_CALL = 100


def _caption(p: Params) -> JsonDict:
    """The media fields a new ``caption`` gives: none for an empty caption (it removes it)."""
    raw = p.text("caption")
    if not raw:
        return {}
    try:
        caption, entities = render_text(raw, p.text("parse_mode"), p.array("caption_entities"))
    except ApiError as error:
        if error.description.endswith("message is too long"):
            raise ApiError.bad_request("message caption is too long") from None
        raise
    if len(caption.encode("utf-16-le")) // 2 > MAX_CAPTION_LENGTH:
        raise ApiError.bad_request("message caption is too long")
    fields: JsonDict = {"caption": caption}
    if entities:
        fields["caption_entities"] = entities
    return fields


def _copyable(message: StoredMessage | None) -> bool:
    return message is not None and not message.service and not message.protect_content


def _content(original: StoredMessage, caption: JsonDict | None) -> dict[str, Any]:
    """What the copy shows: the text and entities, or the media with its (new) caption."""
    if original.text is not None:
        return {
            "text": original.text,
            "entities": [dict(entity) for entity in original.entities],
            "raw_text": original.text,
        }
    media = {k: v for k, v in original.media.items() if k not in ("caption", "caption_entities")}
    kept = {k: v for k, v in original.media.items() if k in ("caption", "caption_entities")}
    media.update(kept if caption is None else caption)
    return {"media": media}


def _store_copy(
    state: BotState, chat: Chat, original: StoredMessage, p: Params, caption: JsonDict | None
) -> StoredMessage:
    return state.store_message(
        chat,
        state.bot,
        reply_markup=validate_reply_markup(p.obj("reply_markup")),
        disable_notification=p.flag("disable_notification"),
        protect_content=p.flag("protect_content"),
        **placement(state, chat, p),
        **_content(original, caption),
    )


async def copy_message(state: BotState, p: Params) -> JsonDict:
    source = state.resolve_chat(p.chat_id("from_chat_id"))
    message_id = p.integer("message_id")
    original = None if message_id is None else state.find_message(source.id, message_id)
    if original is None:
        raise ApiError.bad_request("message to copy not found")
    if not _copyable(original):
        raise ApiError.bad_request(MESSAGE_CANT_BE_COPIED)
    caption = _caption(p) if "caption" in p.values else None
    chat = state.resolve_chat(p.chat_id())
    copy = _store_copy(state, chat, original, p, caption)
    return {"message_id": copy.message_id}


async def copy_messages(state: BotState, p: Params) -> list[JsonDict]:
    """Missing and uncopyable messages are skipped; 400 if none is left."""
    ids = p.array("message_ids")
    if not ids:
        raise ApiError.bad_request("message identifiers are not specified")
    if len(ids) > MAX_MESSAGES_PER_CALL:
        raise ApiError.bad_request("too many message identifiers specified")
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise ApiError.bad_request("message identifier must be a Number")
    source = state.resolve_chat(p.chat_id("from_chat_id"))
    chat = state.resolve_chat(p.chat_id())
    originals = [state.find_message(source.id, message_id) for message_id in ids]
    found = [m for m in originals if m is not None and _copyable(m)]
    if not found:
        raise ApiError.bad_request("messages can't be forwarded")
    caption: JsonDict | None = {} if p.flag("remove_caption") else None
    return [{"message_id": _store_copy(state, chat, m, p, caption).message_id} for m in found]


METHODS = {
    "copyMessage": copy_message,
    "copyMessages": copy_messages,
}
