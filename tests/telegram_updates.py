"""Bot API update payloads as Telegram sends them (dates in seconds, is_bot flags)."""

from __future__ import annotations

import itertools
import time
from typing import Any

from tests.fake_bot_api import BOT_ID, BOT_USERNAME

_ids = itertools.count(1000)


def user(
    user_id: int = 42,
    first_name: str = "Ada",
    username: str | None = "ada",
    language_code: str | None = None,
) -> dict:
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
    if username:
        data["username"] = username
    if language_code:
        data["language_code"] = language_code  # the language of the user's Telegram app
    return data


def _chat(chat_id: int, chat_type: str) -> dict[str, Any]:
    if chat_type == "private":
        return {"id": chat_id, "type": "private", "first_name": "Ada"}
    return {"id": chat_id, "type": chat_type, "title": "KT partners"}


def message(
    text: str | None = None,
    *,
    user_id: int = 42,
    chat_id: int | None = None,
    chat_type: str = "private",
    entities: list[dict[str, Any]] | None = None,
    reply_to: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    update_id: int | None = None,
    edited: bool = False,
    language_code: str | None = None,
) -> dict[str, Any]:
    msg: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": _chat(chat_id if chat_id is not None else user_id, chat_type),
        "from": user(user_id, language_code=language_code),
    }
    if text is not None:
        msg["text"] = text
        if text.startswith("/") and entities is None:
            command = text.split()[0]
            entities = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    if entities:
        msg["entities"] = entities
    if reply_to is not None:
        msg["reply_to_message"] = reply_to
    if extra:
        msg.update(extra)
    key = "edited_message" if edited else "message"
    if edited:
        msg["edit_date"] = int(time.time())
    return {"update_id": update_id if update_id is not None else next(_ids), key: msg}


def mention(text: str, **kwargs: Any) -> dict[str, Any]:
    """A group message that mentions the bot by @username."""
    handle = f"@{BOT_USERNAME}"
    full = f"{handle} {text}"
    entities = [{"type": "mention", "offset": 0, "length": len(handle)}]
    return message(full, chat_type="group", entities=entities, **kwargs)


def bot_message(chat_id: int, message_id: int, text: str = "answer") -> dict[str, Any]:
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": _chat(chat_id, "private" if chat_id > 0 else "group"),
        "from": {"id": BOT_ID, "is_bot": True, "first_name": "KT bot", "username": BOT_USERNAME},
        "text": text,
    }


def press(
    data: str,
    *,
    user_id: int = 42,
    message_id: int = 101,
    chat_id: int | None = None,
    language_code: str | None = None,
) -> dict[str, Any]:
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)),
            "from": user(user_id, language_code=language_code),
            "chat_instance": "ci-1",
            "data": data,
            "message": bot_message(chat_id if chat_id is not None else user_id, message_id),
        },
    }


STICKER = {
    "sticker": {
        "file_id": "s1",
        "file_unique_id": "u1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
}
PHOTO = {"photo": [{"file_id": "p1", "file_unique_id": "pu1", "width": 90, "height": 90}]}
VOICE = {"voice": {"file_id": "v1", "file_unique_id": "vu1", "duration": 3}}
LOCATION = {"location": {"latitude": 46.23, "longitude": 6.05}}
DOCUMENT = {"document": {"file_id": "d1", "file_unique_id": "du1", "file_name": "cv.pdf"}}
