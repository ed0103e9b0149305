"""Message text as Telegram processes it: HTML parse mode, trimming, length, entities.

``parse_html`` follows TDLib's ``parse_html`` (td/telegram/MessageEntity.cpp), which the Bot API
uses: same accepted tags, same entity decoding (only ``&lt; &gt; &amp; &quot;`` and numeric
references; anything else after ``&`` stays literal) and the same error descriptions with UTF-8
byte offsets. Entity offsets and lengths are in UTF-16 code units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .models import JsonDict

MAX_MESSAGE_LENGTH = 4096
_SUPPORTED_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji"}
    | {"span", "pre", "code", "blockquote"}
)
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n\v\0"
_END = "\0"
# TDLib sorts entities by offset, then longer first, then by this priority.
_PRIORITY = {
    "blockquote": 0,
    "expandable_blockquote": 0,
    "pre": 11,
    "code": 20,
    "text_link": 49,
    "text_mention": 49,
    "bold": 90,
    "italic": 91,
    "underline": 92,
    "strikethrough": 93,
    "spoiler": 94,
    "custom_emoji": 99,
}


class EntityParseError(ValueError):
    """The markup is rejected; ``str(error)`` is the text after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset in the result
    start: int  # index in the result list of characters
    expandable: bool


class _HtmlParser:
    def __init__(self, markup: str) -> None:
        self.text = markup
        self.i = 0
        self.result: list[str] = []
        self.offset = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[JsonDict] = []

    def at(self, index: int | None = None) -> str:
        index = self.i if index is None else index
        return self.text[index] if index < len(self.text) else _END

    def byte_offset(self, index: int) -> int:
        return len(self.text[:index].encode("utf-8", "surrogatepass"))

    def skip_spaces(self) -> None:
        while self.at() != _END and self.at() in _SPACES:
            self.i += 1

    def emit(self, chars: str) -> None:
        self.result.append(chars)
        self.offset += utf16_len(chars)

    def decode_entity(self, start: int) -> tuple[str, int] | None:
        """The character an ``&...`` reference at ``start`` stands for, and where it ends."""
        end = start + 1
        if self.at(end) == "#":
            end += 1
            digits = "0123456789abcdefABCDEF" if self.at(end) == "x" else "0123456789"
            base = 16 if self.at(end) == "x" else 10
            end += 1 if base == 16 else 0
            first = end
            while self.at(end) != _END and self.at(end) in digits:
                end += 1
            code = int(self.text[first:end], base) if end > first else 0
            if code == 0 or code >= 0x10FFFF or end - start >= 10:
                return None
            char = chr(code)
        else:
            while self.at(end).isascii() and self.at(end).isalpha():
                end += 1
            named = _NAMED_ENTITIES.get(self.text[start + 1 : end])
            if named is None:
                return None
            char = named
        return char, end + 1 if self.at(end) == ";" else end

    def parse(self) -> tuple[str, list[JsonDict]]:
        while self.i < len(self.text):
            char = self.text[self.i]
            if char == "&" and (decoded := self.decode_entity(self.i)) is not None:
                self.emit(decoded[0])
                self.i = decoded[1]
            elif char != "<":
                self.emit(char)
                self.i += 1
            elif self.at(self.i + 1) == "/":
                self.end_tag()
            else:
                self.start_tag()
        if self.stack:
            raise EntityParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        text = "".join(self.result)
        if any(0xD800 <= ord(char) <= 0xDFFF for char in text):
            raise EntityParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, check "
                "for unmatched surrogate code units"
            )
        for entity in self.entities:
            if entity["type"] == "code":
                entity.pop("language", None)
        return text, sort_entities(self.entities)

    def start_tag(self) -> None:
        begin = self.i
        self.i += 1
        while self.at() not in _SPACES and self.at() != ">":
            self.i += 1
        if self.at() == _END:
            raise EntityParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = self.text[begin + 1 : self.i].lower()
        if name not in _SUPPORTED_TAGS:
            raise EntityParseError(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        argument, expandable = self.attributes(name, begin)
        if name == "span" and argument != "spoiler":
            raise EntityParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        self.stack.append(_OpenTag(name, argument, self.offset, len(self.result), expandable))
        self.i += 1  # the '>'

    def attributes(self, tag: str, begin: int) -> tuple[str, bool]:
        argument, expandable = "", False
        while self.at() != ">":
            self.skip_spaces()
            if self.at() == ">":
                break
            if self.at() == _END:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {self.byte_offset(begin)}"
                )
            name_start = self.i
            while self.at() not in _SPACES and self.at() not in "=>":
                self.i += 1
            attribute = self.text[name_start : self.i].lower()
            if not attribute:
                raise EntityParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            self.skip_spaces()
            if self.at() != "=":
                expandable = expandable or (tag == "blockquote" and attribute == "expandable")
                continue
            self.i += 1
            self.skip_spaces()
            if self.at() == _END:
                raise EntityParseError(
                    f'Unclosed start tag "{tag}" at byte offset {self.byte_offset(begin)}'
                )
            value = self.attribute_value()
            if self.at() == _END:
                raise EntityParseError(
                    f"Unclosed start tag at byte offset {self.byte_offset(begin)}"
                )
            argument = _argument(tag, attribute, value, argument)
            expandable = expandable or (tag == "blockquote" and attribute == "expandable")
        return argument, expandable

    def attribute_value(self) -> str:
        quote = self.at()
        if quote not in "'\"":
            # A name token: letters, digits, periods and hyphens, not case sensitive.
            start = self.i
            while self.at().isascii() and (self.at().isalnum() or self.at() in ".-"):
                self.i += 1
            if self.at() not in _SPACES and self.at() != ">":
                raise EntityParseError(
                    f"Unexpected end of name token at byte offset {self.byte_offset(start)}"
                )
            return self.text[start : self.i].lower()
        self.i += 1
        value: list[str] = []
        while self.at() != quote and self.at() != _END:
            if self.at() == "&" and (decoded := self.decode_entity(self.i)) is not None:
                value.append(decoded[0])
                self.i = decoded[1]
                continue
            value.append(self.at())
            self.i += 1
        if self.at() == quote:
            self.i += 1
        return "".join(value)

    def end_tag(self) -> None:
        begin = self.i
        if not self.stack:
            raise EntityParseError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        self.i += 1
        while self.at() not in _SPACES and self.at() != ">":
            self.i += 1
        end_name = self.text[begin + 2 : self.i].lower()
        self.skip_spaces()
        if self.at() != ">":
            raise EntityParseError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        self.i += 1
        opened = self.stack.pop()
        if end_name and end_name != opened.name:
            raise EntityParseError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, expected "
                f'"</{opened.name}>", found "</{end_name}>"'
            )
        if self.offset > opened.offset:
            self.close_entity(opened)

    def close_entity(self, opened: _OpenTag) -> None:
        span: JsonDict = {"offset": opened.offset, "length": self.offset - opened.offset}
        last = self.entities[-1] if self.entities else None
        same_span = last is not None and (last["offset"], last["length"]) == (
            span["offset"],
            span["length"],
        )
        name = opened.name
        if name in _SIMPLE_TAGS:
            self.entities.append({"type": _SIMPLE_TAGS[name], **span})
        elif name == "blockquote":
            kind = "expandable_blockquote" if opened.expandable else "blockquote"
            self.entities.append({"type": kind, **span})
        elif name == "tg-emoji":
            if not opened.argument.isdigit():
                raise EntityParseError("Invalid custom emoji identifier specified")
            self.entities.append(
                {"type": "custom_emoji", **span, "custom_emoji_id": opened.argument}
            )
        elif name == "a":
            url = opened.argument or "".join(self.result[opened.start :])
            if (entity := _link_entity(url)) is not None:
                self.entities.append({**entity, **span})
        elif name == "pre":
            if same_span and last is not None and last["type"] == "code" and last.get("language"):
                last["type"] = "pre"
            else:
                self.entities.append({"type": "pre", **span})
        elif same_span and last is not None and last["type"] == "pre" and opened.argument:
            last["language"] = opened.argument
        else:
            entity = {"type": "code", **span}
            if opened.argument:
                entity["language"] = opened.argument  # dropped unless merged into a pre
            self.entities.append(entity)


def _argument(tag: str, attribute: str, value: str, current: str) -> str:
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    return current


_USER_LINK = re.compile(r"^tg://user\?id=(\d+)$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_HOST = re.compile(r"^[^\s/?#:@]+(:\d{1,5})?$")


def normalize_url(url: str) -> str | None:
    """A link as Telegram stores it (``http://`` added, ``/`` after the host), or None."""
    if not url or any(char.isspace() for char in url):
        return None
    scheme_match = _SCHEME.match(url)
    if scheme_match is None:
        url = f"http://{url}"
        scheme = "http"
    else:
        scheme = scheme_match.group(1).lower()
    if scheme not in ("http", "https"):
        return url if scheme in ("tg", "ton", "tonsite") else None
    rest = url[len(scheme) + 3 :]
    cut = min((rest.find(char) for char in "/?#" if char in rest), default=len(rest))
    host, tail = rest[:cut], rest[cut:]
    if not _HOST.match(host):
        return None
    if not tail.startswith("/"):
        tail = f"/{tail}"
    return f"{scheme}://{host}{tail}"


def _link_entity(url: str) -> JsonDict | None:
    if user := _USER_LINK.match(url):
        return {
            "type": "text_mention",
            "user": {"id": int(user.group(1)), "is_bot": False, "first_name": ""},
        }
    normalized = normalize_url(url)
    return None if normalized is None else {"type": "text_link", "url": normalized}


def sort_entities(entities: list[JsonDict]) -> list[JsonDict]:
    return sorted(
        entities,
        key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 50)),
    )


def parse_html(markup: str) -> tuple[str, list[JsonDict]]:
    """Plain text and entities for HTML markup; EntityParseError as Telegram rejects it."""
    return _HtmlParser(markup).parse()


def trim(text: str, entities: list[JsonDict]) -> tuple[str, list[JsonDict]]:
    """Drop trailing whitespace and leading blank lines, as Telegram does before sending.

    The indentation of the first non-blank line is kept. Entities are shifted and clipped.
    """
    end = len(text.rstrip())
    start = len(text) - len(text.lstrip())
    while start > 0 and text[start - 1] != "\n":
        start -= 1
    if start >= end:
        return "", []
    shift, limit = utf16_len(text[:start]), utf16_len(text[:end])
    kept: list[JsonDict] = []
    for entity in entities:
        first = max(entity["offset"], shift)
        last = min(entity["offset"] + entity["length"], limit)
        if last > first:
            kept.append({**entity, "offset": first - shift, "length": last - first})
    return text[start:end], kept


_AUTO_ENTITIES = (
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{4,31}(?!\w)")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*")),
    ("url", re.compile(r"\bhttps?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")),
)


def detect_entities(text: str) -> list[JsonDict]:
    """The entities Telegram adds to what a user types: commands, @mentions, #hashtags, URLs."""
    found: list[JsonDict] = []
    for kind, pattern in _AUTO_ENTITIES:
        for match in pattern.finditer(text):
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group()),
                }
            )
    return sort_entities(found)
