"""Names and encodings of inline-button data and deep-link payloads.

Telegram limits `callback_data` to 64 bytes and deep-link payloads to 64 characters of
`A-Z a-z 0-9 _ -`. Topic ids are dotted and may be long, so both get reversible encodings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

MAX_CALLBACK_BYTES = 64
SEPARATOR = "|"

# Actions (the first field of callback data).
SHOW_TOPIC = "t"
"""Open a topic in the browser, editing the pressed message: t|<topic>."""
RELATED = "r"
"""Open a related topic under an answer as a new message, so the answer stays: r|<topic>."""
CHOOSE = "c"
"""Clarification choice: c|<exchange id>|<topic>."""
NONE_OF_THESE = "n"
FEEDBACK = "f"
"""f|<exchange id>|1 (helpful) or 0."""
MORE = "m"
"""Show the rest of a shortened answer, editing it in place: m|<topic>."""
CATEGORY = "cat"
HOME = "home"
HANDOFF = "h"
"""Ask to talk to a person: h|<exchange id or 0>."""
HANDOFF_CONSENT = "hc"
"""Retired (hc|<exchange id or 0>|y or n): one pending consent per user; old prompts expire."""
ENQUIRY_CONSENT = "ek"
"""Consent for one enquiry: ek|<enquiry id>|y or n. Each prompt carries its own enquiry."""
ENQUIRY_CLOSE = "ex"
"""Staff close an enquiry: ex|<enquiry id>."""
FORGET = "forget"
"""forget|y or n."""
LANGUAGE = "lang"
"""lang|en, fr, or auto (the language of each message)."""
ADMIN_RESOLVE = "ar"
ADMIN_IGNORE = "ai"
ADMIN_PAGE = "ap"


@dataclass(frozen=True, slots=True)
class CallbackData:
    action: str
    args: tuple[str, ...] = ()

    def arg(self, index: int, default: str = "") -> str:
        return self.args[index] if index < len(self.args) else default

    def int_arg(self, index: int) -> int | None:
        try:
            return int(self.arg(index))
        except ValueError:
            return None


def topic_token(topic_id: str) -> str:
    """A short stand-in for a topic id that keeps callback data under 64 bytes."""
    if len(topic_id.encode()) <= 40:
        return topic_id
    return "#" + hashlib.sha1(topic_id.encode()).hexdigest()[:12]


def resolve_topic_token(token: str, topic_ids: Iterable[str]) -> str | None:
    if not token.startswith("#"):
        return token
    return next((t for t in topic_ids if topic_token(t) == token), None)


def encode(action: str, *args: object) -> str:
    data = SEPARATOR.join([action, *map(str, args)])
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data too long ({len(data.encode())} bytes): {data!r}")
    return data


def decode(data: str | None) -> CallbackData:
    if not data:
        return CallbackData("")
    action, *args = data.split(SEPARATOR)
    return CallbackData(action, tuple(args))


def deep_link_payload(topic_id: str) -> str:
    """`project.flash` → `project__flash`: ids never contain `__`, so this is reversible."""
    return topic_id.replace(".", "__")


def topic_from_payload(payload: str) -> str:
    return payload.replace("__", ".")
