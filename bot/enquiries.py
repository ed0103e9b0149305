"""Enquiries to KT staff as plain functions: what is sent, when to retry, what staff see.

Nothing here talks to Telegram or SQLite; `bot/telegram/handoff.py` does, with these.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot import enquiry_texts as texts
from bot.errors import KtbotError
from bot.message_split import split_html, telegram_length
from bot.storage.enquiries import Enquiry, EnquiryState
from intents import TELEGRAM_MESSAGE_LIMIT

FIRST_RETRY = timedelta(seconds=10)
MAX_RETRY = timedelta(hours=1)
"""Back-off between delivery attempts: doubling from 10 s, at most an hour, forever (an
enquiry is never given up; staff see it in /enquiries, admins were told)."""
TITLE_WORDS = 8
LIST_LIMIT = 30


class EnquiryError(KtbotError):
    """An enquiry cannot be handled as asked (not found, not the asker's, not a draft)."""


def retry_delay(failed_attempts: int) -> timedelta:
    """How long to wait after the `failed_attempts`-th failure (1, 2, …)."""
    exponent = max(failed_attempts - 1, 0)
    if exponent > 20:  # 10 s × 2**20 is far past the cap already
        return MAX_RETRY
    return min(FIRST_RETRY * (2**exponent), MAX_RETRY)


def display_name(full_name: str, username: str | None) -> str:
    return full_name + (f" (@{username})" if username else "")


def title(question: str, words: int = TITLE_WORDS) -> str:
    """The first words of a question: how staff lists and topics name an enquiry."""
    parts = question.split()
    head = " ".join(parts[:words])
    return head + ("…" if len(parts) > words else "") if head else "(no text)"


TOPIC_NAME_LIMIT = 128
"""Telegram's limit on a forum topic's name."""


def topic_name(enquiry_id: int, question: str, knowledge_title: str | None = None) -> str:
    """The staff-chat forum topic of an enquiry: its number and what it is about (the title
    of the knowledge topic it followed, else the question's first words), never who asked."""
    about = " ".join((knowledge_title or "").split()) or title(question, words=6)
    name = f"#{enquiry_id} {about}"
    if len(name) > TOPIC_NAME_LIMIT:
        cut = name[: TOPIC_NAME_LIMIT - 1]
        name = (cut.rsplit(" ", 1)[0] if " " in cut[len(str(enquiry_id)) + 2 :] else cut) + "…"
    return name


def forgotten_topic_name(enquiry_id: int) -> str:
    return f"#{enquiry_id} (forgotten)"


def framed(header: str, body: str, footer: str = "") -> list[str]:
    """`header`, `body` (HTML) and `footer` as messages within Telegram's limit: the body is
    split so that the header opens the first part and the footer closes the last, never
    standing alone."""
    whole = "\n\n".join(filter(None, (header, body, footer)))
    if telegram_length(whole) <= TELEGRAM_MESSAGE_LIMIT:
        return [whole]
    room = TELEGRAM_MESSAGE_LIMIT - telegram_length(header) - telegram_length(footer) - 4
    parts = split_html(body, max(room, 500))
    parts[0] = f"{header}\n\n{parts[0]}"
    if footer:
        parts[-1] = f"{parts[-1]}\n\n{footer}"
    return parts


def staff_parts(enquiry: Enquiry, *, from_group: bool = False, in_topic: bool = False) -> list[str]:
    """The enquiry as staff-chat messages, each within Telegram's limit.

    Deterministic for a given row, so that a retry after a crash sends exactly the parts
    that were not recorded as sent.
    """
    header = texts.STAFF_ENQUIRY_HEADER.format(
        id=enquiry.id,
        name=html.escape(enquiry.display_name or "?"),
        origin=texts.STAFF_ORIGIN_GROUP if from_group else "",
    )
    footer = texts.STAFF_TOPIC_FOOTER if in_topic else texts.STAFF_ENQUIRY_FOOTER
    return framed(header, html.escape(enquiry.question), footer)


def follow_up_parts(enquiry: Enquiry, text: str) -> list[str]:
    header = texts.STAFF_FOLLOW_UP.format(
        id=enquiry.id, name=html.escape(enquiry.display_name or "?")
    )
    return framed(header, html.escape(text))


def staff_reply_parts(header: str, text: str) -> list[str]:
    """A staff member's text for the user, split at Telegram's limit rather than refused."""
    return framed(header, html.escape(text))


def age(since: datetime, now: datetime) -> str:
    seconds = max(int((now - since).total_seconds()), 0)
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    if seconds >= 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min"


def listing_html(enquiries: Sequence[Enquiry], now: datetime) -> str:
    """Staff's /enquiries: open and answered ones, oldest first, undelivered flagged."""
    if not enquiries:
        return texts.STAFF_LIST_EMPTY
    lines = [texts.STAFF_LIST_TITLE.format(count=len(enquiries))]
    for enquiry in enquiries[:LIST_LIMIT]:
        state = "answered" if enquiry.state is EnquiryState.ANSWERED else "waiting"
        line = (
            f"#{enquiry.id} · {enquiry.created_at:%Y-%m-%d} · {state} "
            f"{age(enquiry.created_at, now)} · {html.escape(enquiry.display_name or '?')}: "
            f"{html.escape(title(enquiry.question))}"
        )
        if not enquiry.delivered:
            error = html.escape(enquiry.last_error or "not sent yet")
            line += f"\n   ⚠️ not delivered yet ({enquiry.attempts} attempt(s)): {error}"
        lines.append(line)
    if len(enquiries) > LIST_LIMIT:
        lines.append(f"… and {len(enquiries) - LIST_LIMIT} more.")
    return "\n".join(lines)


def reminder_html(enquiry: Enquiry, now: datetime) -> str:
    since = enquiry.consented_at or enquiry.created_at
    return texts.STAFF_REMINDER.format(
        id=enquiry.id, age=age(since, now), title=html.escape(title(enquiry.question))
    )
