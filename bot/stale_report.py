"""Stale topics ranked by how often users were served them: what staff should review first.

`ktbot stats`, `/stats` and the weekly digest show these. The day and the period come from
the caller, which reads the clock at its edge.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.storage import Storage
from intents import KnowledgeBase, StaleTopic, stale_topics

SHOWN = 5
"""Stale topics named in a report; `ktbot check` lists them all."""


@dataclass(frozen=True, slots=True)
class StaleReading:
    """A stale topic and how often users were served it in the period."""

    topic: StaleTopic
    served: int


def most_read_first(
    stale: Iterable[StaleTopic], served: Mapping[str, int]
) -> tuple[StaleReading, ...]:
    """Most served first; among equals, the longest overdue."""
    readings = [StaleReading(topic, served.get(topic.topic_id, 0)) for topic in stale]
    return tuple(sorted(readings, key=lambda r: (-r.served, r.topic.due.due, r.topic.topic_id)))


async def stale_readings(
    storage: Storage, kb: KnowledgeBase, today: date, since: datetime | None
) -> tuple[StaleReading, ...]:
    """The topics of `kb` due for review on `today`, most served since `since` first."""
    stale = stale_topics(kb, today)
    if not stale:
        return ()
    return most_read_first(stale, await storage.served_counts(since, kb.current_id))


def describe(reading: StaleReading, period: str = "") -> str:
    """`project.flash: served 12× this week, review due 2025-05-01`."""
    due = reading.topic.due.due.isoformat()
    served = f"served {reading.served}×{' ' + period if period else ''}"
    return f"{reading.topic.topic_id}: {served}, review due {due}"


def format_stale(
    readings: Sequence[StaleReading], period: str = "", bullet: str = "  "
) -> list[str]:
    """Plain-text lines naming the most served stale topics; none when nothing is stale."""
    if not readings:
        return []
    lines = ["Due for review, most served first:"]
    lines += [f"{bullet}{describe(reading, period)}" for reading in readings[:SHOWN]]
    if len(readings) > SHOWN:
        lines.append(f"… and {len(readings) - SHOWN} more (ktbot check lists them all)")
    return lines


def stale_json(readings: Iterable[StaleReading]) -> list[dict[str, Any]]:
    return [
        {
            "topic": r.topic.topic_id,
            "served": r.served,
            "review_due": r.topic.due.due.isoformat(),
            "why": r.topic.due.reason,
        }
        for r in readings
    ]
