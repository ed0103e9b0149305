"""The light markup answers are written in, parsed once into a neutral structure.

Staff write `**bold**`, `_italic_`, `[text](https://url)`, `- ` bullets, `1. ` numbered
items and blank lines between paragraphs. Parsing to spans (instead of passing text
through) is what lets the same answer render as Telegram HTML, where everything else is
escaped, and as terminal text.
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
    NUMBERED = "numbered"


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text with one look.

    `bold` and `italic` add the styles of nested markup that `kind` does not already say:
    a link inside `**…**` or written `[**label**](…)` is a LINK with `bold=True`, and
    `**_both_**` is BOLD with `italic=True`.
    """

    kind: SpanKind
    text: str
    url: str | None = None
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True, slots=True)
class Block:
    kind: BlockKind
    spans: tuple[Span, ...]
    number: int | None = None
    """The number the author wrote for a NUMBERED item (lists may start anywhere)."""


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
# The only links an answer, a link or a contact may carry (the Bot API accepts more).
HTTP_URL = re.compile(r"^https?://[A-Za-z0-9.\-]+\.[A-Za-z]{2,}(?::\d+)?(?:[/?#][^\s<>\"]*)?$")
_BULLET = re.compile(r"^[-*•]\s+")
# Up to three digits: a wrapped line starting with a year ("2019. Since then…") is prose.
_NUMBERED = re.compile(r"^(?P<number>\d{1,3})[.)]\s+")
_SPACES = re.compile(r"[ \t]+")


def parse_markup(text: str) -> Markup:
    """Split `text` into paragraphs, bullets and numbered items made of inline spans."""
    blocks: list[Block] = []
    problems: list[str] = []
    kind = BlockKind.PARAGRAPH
    number: int | None = None
    indent = 0  # of the open list item: deeper lines continue it
    lines: list[str] = []

    def flush() -> None:
        if lines:
            joined = _SPACES.sub(" ", " ".join(lines))
            blocks.append(Block(kind, _inline(joined, problems), number))
            lines.clear()

    def start(new_kind: BlockKind, first: str, new_number: int | None = None) -> None:
        nonlocal kind, number
        flush()
        kind, number = new_kind, new_number
        lines.append(first)

    for raw_line in text.splitlines():
        line = raw_line.strip()
        in_item = bool(lines) and kind is not BlockKind.PARAGRAPH
        bullet = _BULLET.match(line)
        numbered = _NUMBERED.match(line)
        if not line:
            flush()
        elif bullet:
            start(BlockKind.BULLET, line[bullet.end() :])
            indent = len(raw_line) - len(raw_line.lstrip())
        elif numbered and (not lines or in_item or numbered["number"] == "1"):
            # Inside a paragraph only "1." starts a list, so a wrapped sentence that
            # happens to start with "3. " is not cut in two.
            start(BlockKind.NUMBERED, line[numbered.end() :], int(numbered["number"]))
            indent = len(raw_line) - len(raw_line.lstrip())
        elif in_item and len(raw_line) - len(raw_line.lstrip()) > indent:
            lines.append(line)  # an indented line wraps the item above
        elif kind is BlockKind.PARAGRAPH:
            lines.append(line)
        else:
            start(BlockKind.PARAGRAPH, line)
    flush()
    return Markup(tuple(blocks), tuple(problems))


def _inline(text: str, problems: list[str]) -> tuple[Span, ...]:
    spans = _spans(text, problems, bold=False, italic=False)
    for span in spans:
        if "**" in span.text:
            problems.append(f"unbalanced '**' near {span.text.strip()[:30]!r}")
    return tuple(spans)


def _spans(text: str, problems: list[str], *, bold: bool, italic: bool) -> list[Span]:
    """The spans of `text`, itself inside `bold` and/or `italic` markup.

    Nesting is bounded by the patterns: bold cannot hold `*`, italic cannot hold `_` and a
    link label cannot hold `]`, so each level adds a style the inner ones cannot repeat.
    """
    spans: list[Span] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            spans.append(_styled(text[position : match.start()], bold, italic))
        if match["bold"] is not None:
            spans += _spans(match["bold"], problems, bold=True, italic=italic)
        elif match["italic"] is not None:
            spans += _spans(match["italic"], problems, bold=bold, italic=True)
        else:
            spans.append(_link(match["label"], match["url"], problems, bold, italic))
        position = match.end()
    if position < len(text):
        spans.append(_styled(text[position:], bold, italic))
    return spans


def _styled(text: str, bold: bool, italic: bool) -> Span:
    if bold:
        return Span(SpanKind.BOLD, text, italic=italic)
    return Span(SpanKind.ITALIC if italic else SpanKind.TEXT, text)


def _link(label: str, url: str, problems: list[str], bold: bool, italic: bool) -> Span:
    if not HTTP_URL.match(url):
        problems.append(f"link {label!r} has an invalid URL {url!r}")
    parts = _spans(label, problems, bold=bold, italic=italic)
    styles = {_styles(part) for part in parts}
    if len(styles) > 1:
        # One link is one tag in Telegram and one "(url)" in the terminal; a label styled
        # in part would need several.
        problems.append(f"link {label!r}: bold or italic must cover the whole label or none")
        styles = {(bold, italic)}
    ((bold, italic),) = styles
    return Span(SpanKind.LINK, "".join(part.text for part in parts), url, bold, italic)


def _styles(span: Span) -> tuple[bool, bool]:
    """(bold, italic) of `span`, whatever its kind."""
    return span.kind is SpanKind.BOLD or span.bold, span.kind is SpanKind.ITALIC or span.italic


def plain_text(markup: Markup) -> str:
    """The words only, single-spaced, e.g. to count an answer's length."""
    blocks = ("".join(span.text for span in block.spans) for block in markup.blocks)
    return " ".join(" ".join(blocks).split())
