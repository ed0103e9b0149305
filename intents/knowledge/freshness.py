"""When a topic is due for review, and which topics are past it on a given day.

Pure functions of the knowledge base and a date: the caller says what day it is (the CLI
and the bot read the clock at their edge), so tests can age a topic by passing a later day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from intents.knowledge.base import KnowledgeBase
from intents.knowledge.errors import Problem
from intents.knowledge.models import FreshnessSettings, Topic


@dataclass(frozen=True, slots=True)
class ReviewDue:
    """When a topic must be reviewed again, and why then."""

    due: date
    reason: str
    """`review_by`, or `reviewed 2025-05-01 + 12 months`."""


@dataclass(frozen=True, slots=True)
class StaleTopic:
    """A topic whose review date has passed."""

    topic_id: str
    title: str
    due: ReviewDue


def review_due(topic: Topic, policy: FreshnessSettings) -> ReviewDue | None:
    """`review_by:` if set, else `reviewed:` plus the interval; None for an undated topic."""
    if topic.review_by is not None:
        return ReviewDue(topic.review_by, "review_by")
    if topic.reviewed is None:
        return None
    months = (
        policy.time_sensitive_interval_months
        if topic.time_sensitive
        else policy.review_interval_months
    )
    kind = "time-sensitive, " if topic.time_sensitive else ""
    reason = f"reviewed {topic.reviewed.isoformat()} + {kind}{months} months"
    return ReviewDue(add_months(topic.reviewed, months), reason)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def stale_topics(kb: KnowledgeBase, today: date) -> tuple[StaleTopic, ...]:
    """Topics due for review on or before `today`, longest overdue first."""
    stale = []
    for topic in kb.topics.values():
        due = review_due(topic, kb.freshness)
        if due is not None and due.due <= today:
            stale.append(StaleTopic(topic.id, topic.title, due))
    return tuple(sorted(stale, key=lambda s: (s.due.due, s.topic_id)))


def freshness_warnings(kb: KnowledgeBase, today: date) -> tuple[Problem, ...]:
    """One warning per stale topic, at the line of the date to update."""
    warnings = []
    for stale in stale_topics(kb, today):
        path, line = kb.review_places.get(stale.topic_id, (kb.root, 1))
        update = "reviewed and review_by" if stale.due.reason == "review_by" else "reviewed"
        message = (
            f"topic {stale.topic_id!r}: review due since {stale.due.due.isoformat()} "
            f"({stale.due.reason}): check the answer against its sources and update {update}"
        )
        warnings.append(Problem.warning(path, line, message))
    return tuple(sorted(warnings))
