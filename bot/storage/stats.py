"""Usage statistics: totals per outcome, top topics, feedback per topic, the weekly trend,
open unanswered questions and languages; and how often each topic was served."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

import aiosqlite

from bot.storage.records import (
    CurrentId,
    TopicCount,
    TopicFeedback,
    UsageStats,
    WeekCount,
    merged_counts,
)
from bot.storage.sqlite import Database, fetch_count, to_db_time
from intents import Outcome

# The topic a user ended up with: the answer, or the one picked from a clarification.
_SERVED_TOPIC = "COALESCE(c.intent, CASE WHEN e.outcome = 'answer' THEN e.intent END)"
_WINDOW = "(:since IS NULL OR e.asked_at >= :since)"

_SERVED = f"""
    SELECT {_SERVED_TOPIC} AS topic, COUNT(*) AS n
    FROM exchanges e LEFT JOIN choices c ON c.exchange_id = e.id
    WHERE {_WINDOW} AND {_SERVED_TOPIC} IS NOT NULL
    GROUP BY topic
"""
_BY_OUTCOME = f"""
    SELECT e.outcome, COUNT(*) AS n FROM exchanges e WHERE {_WINDOW} GROUP BY e.outcome
"""
_FEEDBACK = f"""
    SELECT COALESCE(c.intent, e.intent) AS topic,
           SUM(f.helpful) AS up, SUM(1 - f.helpful) AS down
    FROM feedback f
    JOIN exchanges e ON e.id = f.exchange_id
    LEFT JOIN choices c ON c.exchange_id = e.id
    WHERE {_WINDOW} AND COALESCE(c.intent, e.intent) IS NOT NULL
    GROUP BY topic
"""
# substr: the date alone, because SQLite rounds .999999 seconds up a day.
_WEEKLY = f"""
    SELECT date(substr(e.asked_at, 1, 10), 'weekday 0', '-6 days') AS week,
           COUNT(*) AS total,
           SUM(e.outcome = 'answer') AS answered,
           SUM(e.outcome = 'clarify') AS clarified,
           SUM(e.outcome = 'fallback') AS fallback
    FROM exchanges e WHERE {_WINDOW}
    GROUP BY week ORDER BY week
"""
_OPEN_UNANSWERED = f"""
    SELECT COUNT(*) FROM unanswered u JOIN exchanges e ON e.id = u.exchange_id
    WHERE u.state = 'open' AND {_WINDOW}
"""
_BY_LANGUAGE = f"""
    SELECT COALESCE(e.language, '') AS language, COUNT(*) AS n
    FROM exchanges e WHERE {_WINDOW}
    GROUP BY language ORDER BY n DESC, language
"""


class Statistics:
    """Read-only queries over exchanges, feedback, choices and the review."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def stats(
        self,
        since: datetime | None = None,
        *,
        top: int = 10,
        current_id: CurrentId | None = None,
    ) -> UsageStats:
        """Totals per outcome, top topics, feedback per topic and the weekly trend; with
        `current_id`, topics under their current ids (`UsageStats.under_current_ids`),
        merged before the `top` are chosen so a renamed topic's former id is never cut."""
        params = {"since": None if since is None else to_db_time(since)}
        async with self._database.read() as db:
            by_outcome = {
                Outcome(row["outcome"]): int(row["n"])
                for row in await _rows(db, _BY_OUTCOME, params)
            }
            top_topics = tuple(
                TopicCount(row["topic"], int(row["n"])) for row in await _rows(db, _SERVED, params)
            )
            feedback = tuple(
                TopicFeedback(row["topic"], int(row["up"]), int(row["down"]))
                for row in await _rows(db, _FEEDBACK, params)
            )
            weekly = _every_week(_week(row) for row in await _rows(db, _WEEKLY, params))
            open_unanswered = await fetch_count(db, _OPEN_UNANSWERED, params)
            by_language = {
                row["language"]: int(row["n"]) for row in await _rows(db, _BY_LANGUAGE, params)
            }
        usage = UsageStats(
            since=since,
            total=sum(by_outcome.values()),
            by_outcome=by_outcome,
            top_topics=top_topics,
            feedback=feedback,
            weekly=weekly,
            open_unanswered=open_unanswered,
            by_language=by_language,
        )
        return usage.under_current_ids(current_id, top=top)

    async def served_counts(
        self,
        since: datetime | None = None,
        current_id: CurrentId | None = None,
    ) -> dict[str, int]:
        """How often each topic was served since `since` (answers, and topics picked after a
        'did you mean…'), for every topic served at least once; with `current_id`, under
        the topics' current ids."""
        params = {"since": None if since is None else to_db_time(since)}
        async with self._database.read() as db:
            rows = await _rows(db, _SERVED, params)
        return merged_counts(((row["topic"], int(row["n"])) for row in rows), current_id)


async def _rows(db: aiosqlite.Connection, sql: str, params: dict[str, Any]) -> Iterable[Any]:
    return await db.execute_fetchall(sql, params)


def _week(row: Any) -> WeekCount:
    return WeekCount(
        date.fromisoformat(row["week"]),
        int(row["total"]),
        int(row["answered"]),
        int(row["clarified"]),
        int(row["fallback"]),
    )


def _every_week(weeks: Iterable[WeekCount]) -> tuple[WeekCount, ...]:
    """The weeks from first to last, quiet ones as zeros, so a trend has no holes."""
    found = {week.week: week for week in weeks}
    if not found:
        return ()
    first, last = min(found), max(found)
    count = (last - first).days // 7 + 1
    mondays = (first + timedelta(weeks=n) for n in range(count))
    return tuple(found.get(monday) or WeekCount(monday, 0, 0, 0, 0) for monday in mondays)
