"""How `ktbot unanswered` and `ktbot stats` show their results: rich tables, and CSV rows
safe to open in a spreadsheet."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bot import review
from bot.review import QuestionGroup
from bot.stale_report import SHOWN, StaleReading
from bot.storage import ReviewState, UnansweredQuestion, UsageStats
from intents import Outcome


def print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def console() -> Console:
    # Built per call so output follows the current sys.stdout (pipes, tests).
    return Console(file=sys.stdout, highlight=False)


def questions_table(items: Sequence[UnansweredQuestion], state: str) -> Table | Text:
    if not items:
        return Text(f"No {'' if state == 'all' else state + ' '}unanswered questions.")
    table = Table(title=f"Unanswered questions ({len(items)})", box=box.SIMPLE_HEAD)
    nearest = {item.id: review.describe_nearest(item.alternatives).split(", ") for item in items}
    table.add_column("ID", justify="right", style="bold")
    table.add_column("Asked (UTC)", no_wrap=True)
    table.add_column("Lang", no_wrap=True)  # blank: asked before languages were recorded
    table.add_column("Question")
    # Folded rather than cut with "…" in a narrow terminal: staff copy ids into --topic.
    table.add_column("Nearest topics (score)", overflow="fold")
    with_state = state != str(ReviewState.OPEN)  # listing only open ones: no need to say
    if with_state:
        table.add_column("State", overflow="fold")
    for item in items:
        row: list[str | Text] = [
            str(item.id),
            f"{item.asked_at:%Y-%m-%d %H:%M}",
            item.language or "",
            Text(item.question),
            Text("\n".join(nearest[item.id])),
        ]
        table.add_row(*row, *([Text(review.state_note(item))] if with_state else []))
    return table


def groups_table(groups: Sequence[QuestionGroup], shown: int | None = None) -> Table | Text:
    """All `groups` in the title; only the `shown` largest as rows (all if None)."""
    if not groups:
        return Text("No open unanswered questions.")
    total = sum(g.count for g in groups)
    table = Table(
        title=f"{total} open unanswered question(s) in {len(groups)} group(s)",
        box=box.SIMPLE_HEAD,
    )
    if shown is not None and len(groups) > shown:
        table.caption = (
            f"the {shown} largest group(s) shown; ktbot unanswered groups lists them all"
        )
        groups = groups[:shown]
    table.add_column("Asked", justify="right", style="bold")
    table.add_column("Lang", no_wrap=True)
    table.add_column("Question (and other phrasings)", ratio=3)
    table.add_column("Nearest topic", overflow="fold")
    table.add_column("IDs", ratio=1)
    for group in groups:
        phrasings = dict.fromkeys(m.question for m in group.members)
        others = [q for q in phrasings if q != group.representative][:2]
        text = Text(f"{review.people(group)} asked about “{group.representative}”")
        for other in others:
            text.append(f"\n  also: {other}", style="dim")
        table.add_row(
            f"{group.count}×",
            ", ".join(review.group_languages(group)),
            text,
            group.nearest_topic or "-",
            ", ".join(str(i) for i in group.ids),
        )
    return table


def print_stats(
    console: Console,
    stats: UsageStats,
    groups: Sequence[QuestionGroup],
    stale: Sequence[StaleReading] = (),
) -> None:
    period = f"since {stats.since:%Y-%m-%d %H:%M} UTC" if stats.since else "all time"
    console.print(
        Text(f"{stats.total} question(s) {period}", style="bold"),
        Text(f"— {stats.open_unanswered} unanswered still open for review"),
    )
    summary = Table(box=box.SIMPLE_HEAD)
    summary.add_column("Outcome")
    summary.add_column("Count", justify="right")
    summary.add_column("Rate", justify="right")
    for label, count, rate in (
        ("answered", stats.answered, stats.rate(Outcome.ANSWER)),
        ("clarified", stats.clarified, stats.rate(Outcome.CLARIFY)),
        ("unanswered", stats.fallback, stats.rate(Outcome.FALLBACK)),
    ):
        summary.add_row(label, str(count), f"{rate:.0%}")
    console.print(summary)
    if stats.by_language:
        console.print(_languages_table(stats))
    if stale:
        console.print(_stale_table(stale))
    if not stats.total:
        return

    if stats.top_topics:
        console.print(_top_topics_table(stats))

    if groups:
        console.print(groups_table(groups, shown=5))

    if stats.feedback:
        feedback = Table(title="Feedback per topic", box=box.SIMPLE_HEAD)
        feedback.add_column("Topic")
        feedback.add_column("👍", justify="right")
        feedback.add_column("👎", justify="right")
        for rated in stats.feedback:
            feedback.add_row(rated.topic, str(rated.helpful), str(rated.unhelpful))
        console.print(feedback)

    trend = Table(title="By week (starting Monday, UTC)", box=box.SIMPLE_HEAD)
    for column in ("Week", "Asked", "Answered", "Clarified", "Unanswered"):
        trend.add_column(column, justify="left" if column == "Week" else "right")
    for week in stats.weekly:
        trend.add_row(
            f"{week.week:%Y-%m-%d}",
            str(week.total),
            _share(week.answered, week.total),
            _share(week.clarified, week.total),
            _share(week.fallback, week.total),
        )
    console.print(trend)


def _top_topics_table(stats: UsageStats) -> Table:
    table = Table(title="Top topics", box=box.SIMPLE_HEAD)
    table.add_column("Topic")
    table.add_column("Served", justify="right")
    for item in stats.top_topics:
        table.add_row(item.topic, str(item.count))
    return table


def _languages_table(stats: UsageStats) -> Table:
    table = Table(title="Languages of the questions", box=box.SIMPLE_HEAD)
    table.add_column("Language")
    table.add_column("Asked", justify="right")
    for language, count in stats.by_language.items():
        table.add_row(language or review.UNKNOWN_LANGUAGE, _share(count, stats.total))
    return table


def _stale_table(stale: Sequence[StaleReading]) -> Table:
    table = Table(title="Due for review, most served first", box=box.SIMPLE_HEAD)
    table.add_column("Topic")
    table.add_column("Served", justify="right")
    table.add_column("Review due")
    for reading in stale[:SHOWN]:
        due = reading.topic.due.due.isoformat()
        table.add_row(reading.topic.topic_id, str(reading.served), due)
    if len(stale) > SHOWN:
        table.caption = f"… and {len(stale) - SHOWN} more: ktbot check lists them all"
    return table


def _share(part: int, whole: int) -> str:
    return f"{part} ({part / whole:.0%})" if whole else "0"


CSV_COLUMNS = (
    "id",
    "asked_at",
    "state",
    "question",
    "score",
    "nearest_topic",
    "nearest_score",
    "nearest_topics",
    "topic",
    "reason",
    "reviewed_at",
    "channel",
    "kb_version",
    "language",
)
"""New columns go at the end: spreadsheets and scripts read the older ones by position."""


def csv_row(item: UnansweredQuestion) -> list[str]:
    nearest = item.nearest
    values: list[Any] = [
        item.id,
        _csv_time(item.asked_at),
        item.state,
        item.question,
        f"{item.score:.4f}",
        nearest.intent if nearest else "",
        f"{nearest.score:.4f}" if nearest else "",
        review.describe_nearest(item.alternatives, limit=5) if item.alternatives else "",
        item.topic or "",
        item.reason or "",
        _csv_time(item.reviewed_at) if item.reviewed_at else "",
        item.channel,
        item.kb_version,
        item.language or "",
    ]
    return [_safe_cell(str(v)) for v in values]


def _safe_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


def _csv_time(moment: datetime) -> str:
    """UTC as `2026-12-01 13:33:17`: ISO 8601 with a space, which Excel reads as a date
    (it leaves `2026-12-01T13:33:17.466564+00:00` as text)."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S}"


# Spreadsheet programs run cells starting with these as formulas; questions come from the
# public, so exported cells are defused with a leading apostrophe.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
