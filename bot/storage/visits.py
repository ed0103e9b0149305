"""Topics opened without typing a question: from a deep link, the topic browser or a related
button. Counted for /stats (which traffic the bot gets besides questions), with the 👍/👎
given under them. Tied to the user's key like exchanges, so /forget and retention delete
them too (`privacy.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.storage.records import ExchangeGone, NotTheAsker, pressed_by_someone_else
from bot.storage.sqlite import Database, fetch_one, to_db_time


class VisitSource(StrEnum):
    """How a topic was opened without a question."""

    DEEP_LINK = "deep_link"
    BROWSE = "browse"
    RELATED = "related"


@dataclass(frozen=True, slots=True)
class VisitCounts:
    """Topic visits in a period, by source, and the votes given under them."""

    by_source: dict[VisitSource, int]
    helpful: int
    not_helpful: int

    def get(self, source: VisitSource) -> int:
        return self.by_source.get(source, 0)


class VisitStore:
    """The `visits` table."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def record(self, user_key: str | None, topic: str, source: VisitSource) -> int:
        """Record that a user opened `topic`; the visit's id, for the 👍/👎 under it."""
        async with self._database.write() as db:
            cursor = await db.execute(
                "INSERT INTO visits (visited_at, user_key, topic, source) VALUES (?, ?, ?, ?)",
                (self._database.now(), user_key, topic, str(source)),
            )
            assert cursor.lastrowid is not None
            return cursor.lastrowid

    async def record_feedback(self, visit_id: int, helpful: bool, voter: str | None = None) -> None:
        """👍/👎 under a visited topic; a second vote replaces the first. ExchangeGone when
        the visit was deleted (/forget, retention): its old buttons stay in the chat.
        NotTheAsker when `voter` (a pseudonym) is not who opened the topic."""
        async with self._database.write() as db:
            row = await fetch_one(db, "SELECT user_key FROM visits WHERE id = ?", (visit_id,))
            if row is None:
                raise ExchangeGone.of("visit", visit_id)
            if pressed_by_someone_else(row["user_key"], voter):
                raise NotTheAsker(f"visit #{visit_id} was opened by someone else")
            await db.execute("UPDATE visits SET helpful = ? WHERE id = ?", (int(helpful), visit_id))

    async def counts(self, since: datetime) -> VisitCounts:
        async with self._database.read() as db:
            rows = await db.execute_fetchall(
                """
                SELECT source, COUNT(*) AS visits,
                       COALESCE(SUM(helpful = 1), 0) AS up, COALESCE(SUM(helpful = 0), 0) AS down
                FROM visits WHERE visited_at >= ? GROUP BY source
                """,
                (to_db_time(since),),
            )
        return VisitCounts(
            by_source={VisitSource(row["source"]): int(row["visits"]) for row in rows},
            helpful=sum(int(row["up"]) for row in rows),
            not_helpful=sum(int(row["down"]) for row in rows),
        )
