"""Names and encodings of inline-button data and deep-link payloads.

Telegram limits `callback_data` to 64 bytes and deep-link payloads to 64 characters of
`A-Z a-z 0-9 _ -`. Topic ids are dotted and may be long, so both get reversible encodings.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

MAX_CALLBACK_BYTES = 64
SEPARATOR = "|"


class Action(StrEnum):
    """What a button does: the first field of its callback data, one route each (`routes`)."""

    SHOW_TOPIC = "t"
    """Open a topic in the browser, editing the pressed message: t|<topic>."""
    RELATED = "r"
    """Open a related topic under an answer as a new message, so the answer stays: r|<topic>."""
    CHOOSE = "c"
    """Clarification choice: c|<exchange id>|<topic>."""
    NONE_OF_THESE = "n"
    """None of the clarification's choices: n|<exchange id>."""
    FEEDBACK = "f"
    """f|<exchange id>|1 (helpful) or 0."""
    VISIT_FEEDBACK = "fv"
    """👍/👎 under a topic opened without a question: fv|<visit id>|1 or 0."""
    MORE = "m"
    """Show the rest of a shortened answer, editing it in place: m|<topic>."""
    CATEGORY = "cat"
    """Open a category of the browser: cat|<category>."""
    HOME = "home"
    """Back to the browser's categories."""
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
    ADMIN_CHOOSE = "ac"
    """Choose the topic that resolves an unanswered question: ac|<exchange id>|<page>."""
    ADMIN_RESOLVE = "ar"
    """ar|<exchange id>|<page>|<topic>: the topic chosen (the confirmation)."""
    ADMIN_IGNORE = "ai"
    """ai|<exchange id>|<page>."""
    ADMIN_PAGE = "ap"
    """ap|<page>."""
    ADMIN_UNDO = "au"
    """Reopen a question just resolved or ignored: au|<exchange id>|<page>."""


# The actions by their names alone too, for short call sites: `cd.encode(cd.FEEDBACK, 12, 1)`.
SHOW_TOPIC = Action.SHOW_TOPIC
RELATED = Action.RELATED
CHOOSE = Action.CHOOSE
NONE_OF_THESE = Action.NONE_OF_THESE
FEEDBACK = Action.FEEDBACK
VISIT_FEEDBACK = Action.VISIT_FEEDBACK
MORE = Action.MORE
CATEGORY = Action.CATEGORY
HOME = Action.HOME
HANDOFF = Action.HANDOFF
HANDOFF_CONSENT = Action.HANDOFF_CONSENT
ENQUIRY_CONSENT = Action.ENQUIRY_CONSENT
ENQUIRY_CLOSE = Action.ENQUIRY_CLOSE
FORGET = Action.FORGET
LANGUAGE = Action.LANGUAGE
ADMIN_CHOOSE = Action.ADMIN_CHOOSE
ADMIN_RESOLVE = Action.ADMIN_RESOLVE
ADMIN_IGNORE = Action.ADMIN_IGNORE
ADMIN_PAGE = Action.ADMIN_PAGE
ADMIN_UNDO = Action.ADMIN_UNDO


def pattern(action: Action) -> re.Pattern[str]:
    """The callback data of one action: `t` or `t|…`, never `tx|…`."""
    return re.compile(rf"^{re.escape(action)}(?:{re.escape(SEPARATOR)}.*)?\Z", re.DOTALL)


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


def encode(action: Action, *args: object) -> str:
    data = SEPARATOR.join([action.value, *map(str, args)])
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
