"""A reply longer than Telegram allows is sent in parts Telegram accepts, never dropped.

"Accepts" is decided by the Bot API emulator's own HTML parser and length rule (the same
code that refuses `Message is too long` in the end-to-end tests): every part must parse
(balanced tags) and fit in 4,096 visible UTF-16 units.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram.constants import ChatType

from bot.message_split import split_html, telegram_length
from bot.rendering import markup_html
from bot.telegram import sending
from intents.text.limits import TELEGRAM_MESSAGE_LIMIT
from tests.emulator.formatting import parse_html, trim, utf16_len


def accepted_length(part: str) -> int:
    """What Telegram counts for `part`; raises if Telegram could not parse it."""
    plain, _ = trim(*parse_html(part))
    assert plain, f"Telegram refuses an empty message: {part!r}"
    return utf16_len(plain)


def visible_words(message: str) -> list[str]:
    return trim(*parse_html(message))[0].split()


def paragraph(n: int, words: int = 60) -> str:
    return " ".join(f"p{n}w{i}" for i in range(words))


# --- measuring ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "<b>Title</b>\n\nplain &amp; simple &lt;tag&gt;",
        '🔗 <a href="https://kt.cern/?a=1&amp;b=2">KT &amp; you</a>',
        "  <i>spaces around are trimmed</i>\n\n",
        "emoji 👤🔗 and accents é ü count as Telegram counts them",
    ],
)
def test_the_visible_length_is_counted_as_telegram_counts_it(message: str) -> None:
    assert telegram_length(message) == accepted_length(message)


# --- splitting ----------------------------------------------------------------------------


def test_a_message_within_the_limit_is_one_part_unchanged() -> None:
    message = "<b>Short</b>\n\nanswer"
    assert split_html(message) == [message]


def test_a_long_message_is_cut_between_paragraphs_and_loses_no_word() -> None:
    message = "\n\n".join(f"<b>{paragraph(n)}</b>" for n in range(12))  # ~9,000 characters

    parts = split_html(message)

    assert len(parts) > 1
    assert all(accepted_length(part) <= TELEGRAM_MESSAGE_LIMIT for part in parts)
    # Every part ends where a paragraph ends: no paragraph is cut in two.
    assert all(part.endswith("</b>") and part.startswith("<b>p") for part in parts)
    assert [w for part in parts for w in visible_words(part)] == visible_words(message)


def test_a_paragraph_longer_than_the_limit_is_cut_between_lines_then_between_words() -> None:
    lines = "\n".join(paragraph(n, 30) for n in range(30))  # one paragraph of long lines
    one_line = paragraph(99, 900)  # one line, no line break at all

    for message in (lines, one_line):
        parts = split_html(message)
        assert len(parts) > 1
        assert all(accepted_length(part) <= TELEGRAM_MESSAGE_LIMIT for part in parts)
        assert [w for part in parts for w in visible_words(part)] == visible_words(message)
    # Between lines: each part of the first message holds whole lines only.
    whole_lines = set(lines.split("\n"))
    assert all(set(part.split("\n")) <= whole_lines for part in split_html(lines))


def test_a_tag_open_at_a_cut_is_closed_and_reopened_in_the_next_part() -> None:
    message = '<b><a href="https://kt.cern/">' + paragraph(1, 900) + "</a></b>"

    parts = split_html(message)

    assert len(parts) > 1
    for part in parts:
        accepted_length(part)  # parses: every tag is balanced within the part
        assert part.startswith('<b><a href="https://kt.cern/">') and part.endswith("</a></b>")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(
            st.sampled_from([*"ab é<&>*_👤\n", "**bold**", "[KT](https://kt.cern)", "- "]),
            min_size=1,
            max_size=400,
        ).map("".join),
        min_size=1,
        max_size=40,
    ),
    st.integers(min_value=2, max_value=600),
)
def test_any_rendered_answer_splits_into_parts_telegram_accepts(
    paragraphs: list[str], limit: int
) -> None:
    message = markup_html("\n\n".join(paragraphs))
    if not message.strip():
        return
    parts = split_html(message, limit)
    assert all(accepted_length(part) <= limit for part in parts)
    assert "".join(w for part in parts for w in visible_words(part)) == "".join(
        visible_words(message)
    )


# --- sending ------------------------------------------------------------------------------


@dataclass
class FakeChat:
    id: int = 1
    type: str = ChatType.PRIVATE


@dataclass
class FakeMessage:
    """Stands in for the user's message the bot replies to; records every reply."""

    chat: FakeChat = field(default_factory=FakeChat)
    replies: list[tuple[str, Any]] = field(default_factory=list)

    async def reply_html(self, text: str, reply_markup: Any = None, **_: Any) -> str:
        self.replies.append((text, reply_markup))
        return text


def test_an_overlong_reply_is_sent_in_parts_with_the_buttons_under_the_last() -> None:
    message = FakeMessage()
    text = "\n\n".join(paragraph(n) for n in range(12))
    keyboard = object()

    asyncio.run(sending.send_html(message, text, keyboard))  # type: ignore[arg-type]

    assert len(message.replies) > 1
    assert all(accepted_length(part) <= TELEGRAM_MESSAGE_LIMIT for part, _ in message.replies)
    assert [markup for _, markup in message.replies] == [None] * (len(message.replies) - 1) + [
        keyboard
    ]
    sent_words = [w for part, _ in message.replies for w in part.split()]
    assert sent_words == text.split()
