"""Exchanges (one question and the bot's decision), their 👍/👎 and the topic picked after a
'did you mean…'. A fallback opens the review of an unanswered question (`unanswered.py`)."""

from __future__ import annotations

import aiosqlite

from bot.storage.records import (
    Exchange,
    ExchangeGone,
    NewExchange,
    NotTheAsker,
    ReviewState,
    pressed_by_someone_else,
)
from bot.storage.rows import from_row, nullable
from bot.storage.sqlite import (
    Database,
    Row,
    decode_candidates,
    encode_candidates,
    fetch_one,
    from_db_time,
    to_db_time,
)
from bot.storage.unanswered import open_review
from intents import Outcome

_EXCHANGE_SELECT = """
    SELECT e.id, e.asked_at, e.channel, e.user_key, e.question, e.outcome, e.intent,
           e.score, e.alternatives, e.kb_version, e.update_id, e.language,
           f.helpful, c.intent AS choice, u.state AS review_state
    FROM exchanges e
    LEFT JOIN feedback f ON f.exchange_id = e.id
    LEFT JOIN choices c ON c.exchange_id = e.id
    LEFT JOIN unanswered u ON u.exchange_id = e.id
"""


_EXCHANGE_COLUMNS = {
    "asked_at": from_db_time,
    "outcome": Outcome,
    "alternatives": decode_candidates,
    "helpful": nullable(bool),
    "review_state": nullable(ReviewState),
}


def _exchange_from_row(row: Row) -> Exchange:
    return from_row(Exchange, row, _EXCHANGE_COLUMNS)


async def require_exchange(db: aiosqlite.Connection, exchange_id: int) -> None:
    """StorageError unless the exchange exists (it may have been purged or forgotten)."""
    # Checked explicitly: the foreign-key error alone would not say which id is missing.
    if not await _exists(db, exchange_id):
        raise ExchangeGone.of("exchange", exchange_id)


async def existing_exchange_id(db: aiosqlite.Connection, exchange_id: int | None) -> int | None:
    """`exchange_id` if that exchange still exists, else None (forgotten, purged)."""
    return exchange_id if exchange_id is not None and await _exists(db, exchange_id) else None


async def _exists(db: aiosqlite.Connection, exchange_id: int) -> bool:
    return await fetch_one(db, "SELECT 1 FROM exchanges WHERE id = ?", (exchange_id,)) is not None


class ExchangeStore:
    """The `exchanges`, `feedback` and `choices` tables."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def record_exchange(self, new: NewExchange) -> int | None:
        """Record one exchange and return its id.

        A redelivered Telegram update (same `update_id`) is not recorded again: the id of
        the exchange recorded the first time is returned.
        """
        result = new.result
        asked_at = to_db_time(new.at or self._database.clock())
        async with self._database.write() as db:
            inserted = await fetch_one(
                db,
                """
                INSERT INTO exchanges (asked_at, channel, user_key, question, outcome, intent,
                                       score, alternatives, kb_version, update_id, language)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (update_id) DO NOTHING
                RETURNING id
                """,
                (
                    asked_at,
                    new.channel,
                    new.user_key,
                    new.question,
                    str(result.outcome),
                    result.intent,
                    float(result.score),
                    encode_candidates(result.alternatives),
                    new.kb_version,
                    new.update_id,
                    new.language,
                ),
            )
            if inserted is None:
                existing = await fetch_one(
                    db, "SELECT id FROM exchanges WHERE update_id = ?", (new.update_id,)
                )
                return int(existing["id"]) if existing else None
            exchange_id = int(inserted["id"])
            if result.outcome is Outcome.FALLBACK:
                await open_review(db, exchange_id, new.question, asked_at)
            return exchange_id

    async def exchange(self, exchange_id: int) -> Exchange | None:
        async with self._database.read() as db:
            row = await fetch_one(db, _EXCHANGE_SELECT + " WHERE e.id = ?", (exchange_id,))
        return None if row is None else _exchange_from_row(row)

    async def record_feedback(
        self, exchange_id: int, helpful: bool, voter: str | None = None
    ) -> None:
        """👍/👎 on an exchange; a second vote on the same exchange replaces the first.
        NotTheAsker when `voter` (a pseudonym) is not who asked."""
        async with self._database.write() as db:
            row = await fetch_one(db, "SELECT user_key FROM exchanges WHERE id = ?", (exchange_id,))
            if row is None:
                raise ExchangeGone.of("exchange", exchange_id)
            if pressed_by_someone_else(row["user_key"], voter):
                raise NotTheAsker(f"exchange #{exchange_id} was asked by someone else")
            await db.execute(
                """
                INSERT INTO feedback (exchange_id, helpful, given_at) VALUES (?, ?, ?)
                ON CONFLICT (exchange_id)
                DO UPDATE SET helpful = excluded.helpful, given_at = excluded.given_at
                """,
                (exchange_id, int(helpful), self._database.now()),
            )

    async def record_choice(self, exchange_id: int, intent: str) -> None:
        """The topic picked after a 'did you mean…'; a later pick replaces it."""
        async with self._database.write() as db:
            await require_exchange(db, exchange_id)
            await db.execute(
                """
                INSERT INTO choices (exchange_id, intent, chosen_at) VALUES (?, ?, ?)
                ON CONFLICT (exchange_id)
                DO UPDATE SET intent = excluded.intent, chosen_at = excluded.chosen_at
                """,
                (exchange_id, intent, self._database.now()),
            )
