"""The light markup answers are written in, parsed once into a neutral structure.

Staff write `**bold**`, `_italic_`, `[text](https://url)`, `- ` bullets and blank lines
between paragraphs. Parsing to spans (instead of passing text through) is what lets the
same answer render as Telegram HTML, where everything else is escaped, and as terminal text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class SpanKind(StrEnum):
    TEXT = "text"
    BOLD = "bold"
    ITALIC = "italic"
    LINK = "link"


class BlockKind(StrEnum):
    PARAGRAPH = "paragraph"
    BULLET = "bullet"


@dataclass(frozen=True, slots=True)
class Span:
    kind: SpanKind
    text: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Block:
    kind: BlockKind
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Markup:
    blocks: tuple[Block, ...]
    problems: tuple[str, ...] = ()


_INLINE = re.compile(
    r"\*\*(?P<bold>[^*\n]+?)\*\*"
    r"|(?<![\w/])_(?P<italic>[^_\n]+?)_(?![\w])"
    # One level of balanced parentheses inside a URL (Wikipedia's "Foo_(bar)").
    r"|\[(?P<label>[^\]\n]+)\]\((?P<url>(?:[^()\s]|\([^()\s]*\))*)\)"
)
_VALID_URL = re.compile(r"^https?://[A-Za-z0-9.\-]+\.[A-Za-z]{2,}(?::\d+)?(?:[/?#][^\s<>\"]*)?$")
_BULLET = re.compile(r"^\s*[-*•]\s+")


def parse_markup(text: str) -> Markup:
    """Split `text` into paragraphs and bullets made of inline spans."""
    blocks: list[Block] = []
    problems: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block(BlockKind.PARAGRAPH, _inline(" ".join(paragraph), problems)))
            paragraph.clear()

    for raw_line in text.strip().splitlines():
        line = raw_line.strip()
        if not line:
            flush()
        elif _BULLET.match(line):
            flush()
            blocks.append(Block(BlockKind.BULLET, _inline(_BULLET.sub("", line), problems)))
        else:
            paragraph.append(line)
    flush()
    return Markup(tuple(blocks), tuple(problems))


def _inline(text: str, problems: list[str]) -> tuple[Span, ...]:
    spans: list[Span] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            spans.append(Span(SpanKind.TEXT, text[position : match.start()]))
        if match["bold"] is not None:
            spans.append(Span(SpanKind.BOLD, match["bold"]))
        elif match["italic"] is not None:
            spans.append(Span(SpanKind.ITALIC, match["italic"]))
        else:
            url = match["url"]
            if not _VALID_URL.match(url):
                problems.append(f"link {match['label']!r} has an invalid URL {url!r}")
            spans.append(Span(SpanKind.LINK, match["label"], url))
        position = match.end()
    if position < len(text):
        spans.append(Span(SpanKind.TEXT, text[position:]))
    for span in spans:
        if span.kind is SpanKind.TEXT and "**" in span.text:
            problems.append(f"unbalanced '**' near {span.text.strip()[:30]!r}")
    return tuple(spans)


def plain_text(markup: Markup) -> str:
    """The words only, e.g. to count an answer's length."""
    return " ".join(span.text for block in markup.blocks for span in block.spans)
