"""An enquiry as the rest of ktbot sees it, and how one is read from its row in the
`enquiries` table (by column name)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.storage.rows import Convert, from_row
from bot.storage.sqlite import Row, from_db_time, optional_time


class EnquiryState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    ANSWERED = "answered"
    CLOSED = "closed"


ACTIVE = (EnquiryState.OPEN, EnquiryState.ANSWERED)
"""States in which the user and staff are talking."""


@dataclass(frozen=True, slots=True)
class Enquiry:
    id: int
    created_at: datetime
    state: EnquiryState
    exchange_id: int | None
    user_key: str | None
    """None once the user asked to be forgotten (the row stays as a tombstone)."""
    user_chat_id: int | None
    """The user's private chat, where staff replies go (even for a question asked in a
    group). None once forgotten."""
    display_name: str | None
    """Name and handle, shared with consent only."""
    question: str
    language: str | None
    prompt_chat_id: int | None
    prompt_message_id: int | None
    """The consent prompt: edited in place to tell the user, so telling twice shows once."""
    consented_at: datetime | None
    user_told_at: datetime | None
    """When the user was told "we have your question" (the prompt edited in place)."""
    delivered_at: datetime | None
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    reminded_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    close_reason: str | None
    staff_thread_id: int | None = None
    """The enquiry's own topic when the staff chat is a forum; None in a plain group."""

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def delivered(self) -> bool:
        return self.delivered_at is not None

    @property
    def from_group(self) -> bool:
        """Asked in a group: answered in private all the same."""
        return self.prompt_chat_id is not None and self.prompt_chat_id != self.user_chat_id


@dataclass(frozen=True, slots=True)
class StaffMessage:
    chat_id: int
    message_id: int
    part: int | None
    """Index of a part of the enquiry itself; None for later messages (follow-ups, notes)."""


COLUMNS = """
    id, created_at, state, exchange_id, user_key, user_chat_id, display_name, question,
    language, prompt_chat_id, prompt_message_id, consented_at, user_told_at, delivered_at,
    attempts, next_attempt_at, last_error, reminded_at, answered_at, closed_at, close_reason,
    staff_thread_id
"""
ACTIVE_SQL = "(" + ", ".join(f"'{state}'" for state in ACTIVE) + ")"


_TIMES = (
    "consented_at",
    "user_told_at",
    "delivered_at",
    "next_attempt_at",
    "reminded_at",
    "answered_at",
    "closed_at",
)
_ENQUIRY_COLUMNS: dict[str, Convert] = {
    "id": int,
    "created_at": from_db_time,
    "state": EnquiryState,
    "attempts": int,
    **dict.fromkeys(_TIMES, optional_time),
}


def enquiry_from_row(row: Row) -> Enquiry:
    return from_row(Enquiry, row, _ENQUIRY_COLUMNS)
