"""Measure Telegram HTML as Telegram does, and split a message too long to send.

`ktbot check` refuses answers that would not fit, so splitting is the last resort for what
the check cannot see (a message built around user text, a limit changed by Telegram): a
reply sent in two parts is better than one Telegram refuses, which the user never gets.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from intents import TELEGRAM_MESSAGE_LIMIT

_TOKEN = re.compile(r"<(?P<close>/)?(?P<name>[A-Za-z][A-Za-z0-9-]*)[^<>]*>|&#?\w+;|[^<&]+|[<&]")
"""A tag, an entity, or a run of plain text (a stray `<` or `&` is text)."""


def utf16_length(text: str) -> int:
    """Telegram counts UTF-16 code units: an emoji outside the BMP counts 2."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def telegram_length(message: str) -> int:
    """The length Telegram checks against its limit: the visible text of HTML `message`
    (tags dropped, entities read as their character), without trailing space and leading
    blank lines (the first line's indentation counts, as Telegram keeps it)."""
    visible = "".join(_visible(match) for match in _TOKEN.finditer(message)).rstrip()
    indent = len(visible) - len(visible.lstrip())
    start = visible.rfind("\n", 0, indent) + 1
    return utf16_length(visible[start:])


def _visible(match: re.Match[str]) -> str:
    token = match.group()
    if match["name"]:
        return ""
    return html.unescape(token) if token.startswith("&") and len(token) > 1 else token


@dataclass(frozen=True, slots=True)
class _OpenTag:
    name: str
    markup: str
    """The opening tag as written (`<a href="…">`), to reopen it in the next part."""


def split_html(message: str, limit: int = TELEGRAM_MESSAGE_LIMIT) -> list[str]:
    """`message` as parts of at most `limit` visible characters each, in order.

    Cuts fall between paragraphs where possible, else between lines, else between words,
    and never inside a tag or an entity. Tags open at a cut are closed at the end of the
    part and reopened at the start of the next, so every part is valid HTML on its own.
    """
    if limit < 2:
        raise ValueError("limit must leave room for one character (2 UTF-16 units)")
    parts: list[str] = []
    rest = _lstrip_visible(message.strip())
    while telegram_length(rest) > limit:
        cut, still_open = _cut(rest, limit)
        head = rest[:cut].rstrip()
        parts.append(head + "".join(f"</{tag.name}>" for tag in reversed(still_open)))
        rest = _lstrip_visible("".join(tag.markup for tag in still_open) + rest[cut:])
    parts.append(rest)
    # A cut right before a closing tag leaves a part of empty tags, which Telegram refuses
    # as an empty message; it holds no text, so nothing is lost by dropping it.
    return [part for part in parts if telegram_length(part)] or parts[-1:]


def _lstrip_visible(message: str) -> str:
    """`message` without the space its visible text starts with, even inside tags
    (`<i> </i> text`): a part then starts with a character that counts, so it has room
    for one whatever the space at the cut."""
    kept = []
    for match in _TOKEN.finditer(message):
        token = match.group()
        if match["name"]:
            kept.append(token)
            continue
        visible = _visible(match)
        if visible.strip():
            text = token.lstrip() if visible == token else token
            return "".join(kept) + text + message[match.end() :]
    return "".join(kept)


def _cut(message: str, limit: int) -> tuple[int, list[_OpenTag]]:
    """Where to end the first part of `message`, and the tags open there (outermost first).

    The best boundary within `limit` wins: a blank line, a line break, a space, in that
    order; a single word longer than the limit is cut after the last character that fits.
    """
    stack: list[_OpenTag] = []
    best: dict[str, tuple[int, list[_OpenTag]]] = {}
    seen = 0  # visible UTF-16 units up to the current position
    leading = True  # nothing visible yet: a cut here would leave an empty part
    for match in _TOKEN.finditer(message):
        token = match.group()
        if match["name"]:
            if match["close"]:
                _close(stack, match["name"].lower())
            elif not token.endswith("/>"):
                stack.append(_OpenTag(match["name"].lower(), token))
            continue
        if token.startswith("&") and len(token) > 1:
            width = utf16_length(html.unescape(token))
            if seen + width > limit:
                return _choose(best, match.start(), stack)
            seen += width
            leading = False
            best["char"] = (match.end(), list(stack))
            continue
        for offset, ch in enumerate(token):
            width = utf16_length(ch)
            if seen + width > limit:
                return _choose(best, match.start() + offset, stack)
            position = match.start() + offset
            if not leading:
                if token.startswith("\n\n", offset):
                    best["paragraph"] = (position, list(stack))
                elif ch == "\n":
                    best["line"] = (position, list(stack))
                elif ch.isspace():
                    best["space"] = (position, list(stack))
            seen += width
            leading = leading and ch.isspace()
            if not leading:
                best["char"] = (position + 1, list(stack))
    return len(message), list(stack)  # all of it fits (not reached: the caller checks)


def _choose(
    best: dict[str, tuple[int, list[_OpenTag]]], position: int, stack: list[_OpenTag]
) -> tuple[int, list[_OpenTag]]:
    for kind in ("paragraph", "line", "space", "char"):
        if kind in best:
            return best[kind]
    # Nothing fits before `position`: not reached, as a part starts with a visible
    # character (`_lstrip_visible`) and `limit` leaves room for one.
    return position, list(stack)


def _close(stack: list[_OpenTag], name: str) -> None:
    for index in range(len(stack) - 1, -1, -1):
        if stack[index].name == name:
            del stack[index:]
            return
