"""Method parameters: decoded the same way whether they came as a query string, form or JSON.

Telegram accepts every parameter as a string (form-encoded and multipart bodies carry nothing
else; python-telegram-bot posts JSON-serialised objects such as ``reply_markup`` as strings), so
values are decoded by parameter name: numbers, booleans and JSON objects.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from .errors import ApiError
from .models import JsonDict

_INTEGERS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "reply_to_message_id",
        "message_thread_id",
        "max_connections",
        "cache_time",
        "user_id",
        "icon_color",
    }
)
_NUMBERS = frozenset({"timeout"})
_BOOLEANS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "allow_paid_broadcast",
        "remove_caption",
        "show_caption_above_media",
    }
)
_OBJECTS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "reply_parameters",
        "link_preview_options",
        "commands",
        "scope",
        "media",
        "message_ids",
    }
)
_OBJECT_NAMES = {"reply_markup": "reply keyboard markup", "entities": "message entities"}
_CHAT_ID = re.compile(r"^-?\d+$")


def _decode(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in ("chat_id", "from_chat_id"):  # an id, or an @username
        return int(value) if _CHAT_ID.match(value) else value
    if name in _INTEGERS:
        try:
            return int(value)
        except ValueError:
            raise ApiError.bad_request(f'field "{name}" must be of type Integer') from None
    if name in _NUMBERS:
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            raise ApiError.bad_request(f'field "{name}" must be of type Integer') from None
    if name in _BOOLEANS:
        lowered = value.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0", ""):
            return False
        raise ApiError.bad_request(f'field "{name}" must be of type Boolean')
    if name in _OBJECTS:
        try:
            return json.loads(value)
        except ValueError:
            object_name = _OBJECT_NAMES.get(name, name)
            raise ApiError.bad_request(f"can't parse {object_name} JSON object") from None
    return value


def normalize(raw: Mapping[str, Any]) -> JsonDict:
    """Decoded parameters; ApiError 400 for a value Telegram could not decode either."""
    return {name: _decode(name, value) for name, value in raw.items()}


class Params:
    """Typed access to decoded parameters, raising the 400 Telegram gives for a wrong type."""

    def __init__(self, values: JsonDict) -> None:
        self.values = values

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) is not None

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def text(self, name: str, *, missing: str | None = None) -> str | None:
        """A string, or None; ``missing`` is the 400 reason when the parameter is required."""
        value = self.values.get(name)
        if value is None or value == "":
            if missing is not None:
                raise ApiError.bad_request(missing)
            return None if value is None else ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ApiError.bad_request(f'field "{name}" must be of type String')
        return str(value)

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise ApiError.bad_request(f'field "{name}" must be of type Integer')
        return value

    def number(self, name: str, default: float) -> float:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ApiError.bad_request(f'field "{name}" must be of type Integer')
        return float(value)

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise ApiError.bad_request(f'field "{name}" must be of type Boolean')
        return value

    def obj(self, name: str) -> JsonDict | None:
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise ApiError.bad_request(f"can't parse {_OBJECT_NAMES.get(name, name)} JSON object")
        return value

    def array(self, name: str) -> list[Any] | None:
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, list):
            raise ApiError.bad_request(f"can't parse {_OBJECT_NAMES.get(name, name)} JSON object")
        return value

    def chat_id(self, name: str = "chat_id") -> int | str:
        value = self.values.get(name)
        if value is None or value == "":
            raise ApiError.bad_request(f"{name} is empty")
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ApiError.bad_request("chat not found")
        return value
