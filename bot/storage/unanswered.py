"""The review of unanswered questions: fallbacks, and 'did you mean…' answered with "None of
these", listed for KT staff to resolve (a topic now covers it) or ignore (with a reason)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import aiosqlite

from bot.storage.records import ExchangeGone, ReviewState, StorageError, UnansweredQuestion
from bot.storage.rows import from_row
from bot.storage.sqlite import (
    Database,
    Row,
    decode_candidates,
    fetch_count,
    fetch_one,
    from_db_time,
    optional_time,
    to_db_time,
)
from intents import Candidate, Outcome, question_key

_UNANSWERED_SELECT = """
    SELECT e.id, e.asked_at, e.question, e.score, e.alternatives, u.state, e.channel,
           e.user_key, e.kb_version, u.topic, u.reason, u.reviewed_at, e.intent, e.language
    FROM unanswered u JOIN exchanges e ON e.id = u.exchange_id
"""
_FILTER = """
    WHERE (:state IS NULL OR u.state = :state) AND (:since IS NULL OR e.asked_at >= :since)
"""


def _filter(state: ReviewState | None, since: datetime | None) -> dict[str, Any]:
    return {
        "state": None if state is None else str(state),
        "since": None if since is None else to_db_time(since),
    }


_UNANSWERED_COLUMNS = {
    "asked_at": from_db_time,
    "state": ReviewState,
    "reviewed_at": optional_time,
}


def _unanswered_from_row(row: Row) -> UnansweredQuestion:
    best_guess = row["intent"]  # a "None of these" clarification's, first; a fallback has none
    alternatives = (
        *(() if best_guess is None else (Candidate(best_guess, float(row["score"])),)),
        *decode_candidates(row["alternatives"]),
    )
    return from_row(UnansweredQuestion, row, _UNANSWERED_COLUMNS, alternatives=alternatives)


async def open_review(
    db: aiosqlite.Connection, exchange_id: int, question: str, moment: str
) -> None:
    """Start the review of an unanswered question.

    Each time a question is asked it is its own exchange and its own review row. But when
    KT staff already ignored the same question (same words, ignoring case, accents and
    punctuation), the repeat is recorded ignored with the same reason: an ignored question
    stays ignored instead of coming back for review. It is still counted in the statistics
    and listed by `ktbot unanswered list --state ignored`.
    """
    key = question_key(question)
    ignored = await fetch_one(
        db,
        """
        SELECT u.reason FROM unanswered u JOIN exchanges e ON e.id = u.exchange_id
        WHERE u.state = 'ignored' AND u.question_key = ?
        ORDER BY e.asked_at, e.id LIMIT 1
        """,
        (key,),
    )
    if ignored is None:
        await db.execute(
            "INSERT INTO unanswered (exchange_id, state, question_key) VALUES (?, 'open', ?)",
            (exchange_id, key),
        )
    else:
        await db.execute(
            """
            INSERT INTO unanswered (exchange_id, state, reason, reviewed_at, question_key)
            VALUES (?, 'ignored', ?, ?, ?)
            """,
            (exchange_id, ignored["reason"], moment, key),
        )


async def _question(db: aiosqlite.Connection, exchange_id: int) -> UnansweredQuestion | None:
    row = await fetch_one(db, _UNANSWERED_SELECT + " WHERE e.id = ?", (exchange_id,))
    return None if row is None else _unanswered_from_row(row)


async def _review_state(db: aiosqlite.Connection, exchange_id: int) -> UnansweredQuestion:
    question = await _question(db, exchange_id)
    if question is not None:
        return question
    exchange = await fetch_one(db, "SELECT outcome FROM exchanges WHERE id = ?", (exchange_id,))
    if exchange is None:
        raise StorageError(f"no unanswered question #{exchange_id}")
    raise StorageError(
        f"exchange #{exchange_id} was not a fallback (outcome {exchange['outcome']}), so it "
        "is not an unanswered question"
    )


class UnansweredStore:
    """The `unanswered` table: one review row per unanswered exchange."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def mark_unanswered(self, exchange_id: int) -> bool:
        """Put a 'did you mean…' that the user answered with "None of these" up for review.

        The exchange keeps its outcome (the bot did clarify); it becomes an unanswered
        question like a fallback. Return True if it was opened now, False if it already was
        under review (pressed twice, or a fallback): a resolved or ignored question keeps
        its state. A confident answer is not an unanswered question and is refused.
        """
        async with self._database.write() as db:
            row = await fetch_one(
                db,
                """
                SELECT e.outcome, e.question, u.state
                FROM exchanges e LEFT JOIN unanswered u ON u.exchange_id = e.id
                WHERE e.id = ?
                """,
                (exchange_id,),
            )
            if row is None:
                raise ExchangeGone.of("exchange", exchange_id)
            if row["state"] is not None:
                return False
            if row["outcome"] == str(Outcome.ANSWER):
                raise StorageError(
                    f"exchange #{exchange_id} was answered, so it is not an unanswered question"
                )
            await open_review(db, exchange_id, row["question"], self._database.now())
            return True

    async def unanswered(
        self,
        *,
        state: ReviewState | None = ReviewState.OPEN,
        since: datetime | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[UnansweredQuestion]:
        """Unanswered questions (fallbacks, and clarifications answered "None of these"),
        newest first; `state=None` lists every state."""
        async with self._database.read() as db:
            rows = await db.execute_fetchall(
                _UNANSWERED_SELECT
                + _FILTER
                + "ORDER BY e.asked_at DESC, e.id DESC LIMIT :limit OFFSET :offset",
                {
                    **_filter(state, since),
                    "limit": -1 if limit is None else limit,
                    "offset": offset,
                },
            )
        return [_unanswered_from_row(row) for row in rows]

    async def unanswered_question(self, exchange_id: int) -> UnansweredQuestion | None:
        """One unanswered question by its exchange id (None if it is not one)."""
        async with self._database.read() as db:
            return await _question(db, exchange_id)

    async def count_unanswered(
        self, *, state: ReviewState | None = ReviewState.OPEN, since: datetime | None = None
    ) -> int:
        async with self._database.read() as db:
            return await fetch_count(
                db,
                "SELECT COUNT(*) FROM unanswered u JOIN exchanges e ON e.id = u.exchange_id"
                + _FILTER,
                _filter(state, since),
            )

    async def resolve(self, exchange_id: int, topic_id: str) -> None:
        """Mark an unanswered question as covered by `topic_id` now.

        Re-resolving with another topic corrects a mistake; an ignored question is refused.
        """
        if not topic_id.strip():
            raise StorageError("resolving needs the id of the topic that now covers it")
        async with self._database.write() as db:
            current = await _review_state(db, exchange_id)
            if current.state is ReviewState.IGNORED:
                raise StorageError(
                    f"question #{exchange_id} was ignored ({current.reason}) and stays "
                    "ignored; it cannot be resolved"
                )
            await self._set_reviewed(db, exchange_id, ReviewState.RESOLVED, topic=topic_id)

    async def resolve_open(self, exchange_ids: Iterable[int], topic_id: str) -> list[int]:
        """Resolve those of `exchange_ids` still open by `topic_id`; return the ids resolved.

        For resolving a whole group at once: a question already resolved keeps its topic,
        and an ignored one stays ignored, whatever ids are passed.
        """
        if not topic_id.strip():
            raise StorageError("resolving needs the id of the topic that now covers it")
        ids = sorted(set(exchange_ids))
        if not ids:
            return []
        async with self._database.write() as db:
            rows = await db.execute_fetchall(
                f"""
                UPDATE unanswered SET state = 'resolved', topic = ?, reason = NULL,
                                      reviewed_at = ?
                WHERE state = 'open' AND exchange_id IN ({", ".join("?" * len(ids))})
                RETURNING exchange_id
                """,
                (topic_id, self._database.now(), *ids),
            )
        return sorted(int(row["exchange_id"]) for row in rows)

    async def reopen(self, exchange_id: int) -> bool:
        """Undo a resolve or an ignore: the question is open for review again. False if it
        was open already (an Undo pressed twice)."""
        async with self._database.write() as db:
            cursor = await db.execute(
                """
                UPDATE unanswered SET state = 'open', topic = NULL, reason = NULL,
                                      reviewed_at = NULL
                WHERE exchange_id = ? AND state != 'open'
                """,
                (exchange_id,),
            )
            return cursor.rowcount > 0

    async def ignore(self, exchange_id: int, reason: str) -> None:
        """Set an unanswered question aside for good (spam, out of scope, a test)."""
        if not reason.strip():
            raise StorageError("ignoring a question needs a reason (e.g. 'spam', 'out of scope')")
        async with self._database.write() as db:
            current = await _review_state(db, exchange_id)
            if current.state is ReviewState.RESOLVED:
                raise StorageError(
                    f"question #{exchange_id} is already resolved by topic {current.topic!r}; "
                    "it cannot be ignored"
                )
            await self._set_reviewed(db, exchange_id, ReviewState.IGNORED, reason=reason.strip())

    async def _set_reviewed(
        self,
        db: aiosqlite.Connection,
        exchange_id: int,
        state: ReviewState,
        *,
        topic: str | None = None,
        reason: str | None = None,
    ) -> None:
        await db.execute(
            """
            UPDATE unanswered SET state = ?, topic = ?, reason = ?, reviewed_at = ?
            WHERE exchange_id = ?
            """,
            (str(state), topic, reason, self._database.now(), exchange_id),
        )
