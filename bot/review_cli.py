"""`ktbot unanswered …` and `ktbot stats`: KT staff review what the bot could not answer.

`bot/cli.py` calls `add_parsers` and dispatches with `args.func(args, settings)`; every run
function returns the exit code: 0 done, 1 refused or failed (one line on stderr saying
why), 2 usage error (from argparse).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial, wraps
from pathlib import Path
from typing import Any, TypeVar

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from bot import review
from bot.cli_options import add_knowledge_option, knowledge_dir
from bot.review import QuestionGroup, ReviewError
from bot.settings import Settings
from bot.stale_report import SHOWN, StaleReading, stale_readings
from bot.storage import ReviewState, Storage, StorageError, UnansweredQuestion, UsageStats
from intents import KnowledgeBase, KnowledgeError, Outcome, load_knowledge

Handler = Callable[[argparse.Namespace, Settings], int]
T = TypeVar("T")

STATE_CHOICES = (*(str(s) for s in ReviewState), "all")
DEFAULT_STATS_SINCE = "30d"

# Spreadsheet programs run cells starting with these as formulas; questions come from the
# public, so exported cells are defused with a leading apostrophe.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# --- parsers ------------------------------------------------------------------------------


def add_parsers(subparsers: Any) -> None:
    """Add `unanswered` (with its actions) and `stats` to the `ktbot` sub-commands."""
    unanswered = subparsers.add_parser(
        "unanswered", help="review questions the bot could not answer"
    )
    unanswered.set_defaults(func=partial(_usage, unanswered))
    actions = unanswered.add_subparsers(title="actions", metavar="ACTION")

    listing = actions.add_parser("list", help="list questions with their nearest topics")
    listing.add_argument(
        "--state", choices=STATE_CHOICES, default="open", help="review state (default open)"
    )
    _since_option(listing)
    listing.add_argument("--limit", type=_positive_int, help="show at most N (newest first)")
    _json_option(listing)
    listing.set_defaults(func=run_list)

    groups = actions.add_parser("groups", help="cluster similar open questions, largest first")
    _since_option(groups)
    groups.add_argument(
        "--threshold",
        type=_similarity,
        default=review.DEFAULT_GROUP_THRESHOLD,
        help=f"similarity 0-1 to group (default {review.DEFAULT_GROUP_THRESHOLD})",
    )
    _json_option(groups)
    groups.set_defaults(func=run_groups)

    export = actions.add_parser("export", help="write questions to a CSV file")
    export.add_argument(
        "--csv", required=True, metavar="FILE", help="file to write ('-' for stdout)"
    )
    export.add_argument(
        "--excel",
        action="store_true",
        help="start stdout with a byte-order mark so Excel reads accents right "
        "(files always get one)",
    )
    export.add_argument(
        "--state", choices=STATE_CHOICES, default="all", help="review state (default all)"
    )
    _since_option(export)
    export.set_defaults(func=run_export)

    resolve = actions.add_parser("resolve", help="mark a question as covered by a topic now")
    resolve.add_argument("id", type=int, help="question id (from `unanswered list`)")
    resolve.add_argument("--topic", required=True, help="id of the topic that covers it")
    _similar_option(resolve)
    add_knowledge_option(resolve)
    resolve.set_defaults(func=run_resolve)

    ignore = actions.add_parser(
        "ignore",
        help="set a question aside for good (a later repeat of the same words is set aside too)",
    )
    ignore.add_argument("id", type=int, help="question id (from `unanswered list`)")
    ignore.add_argument("--reason", required=True, help="why, e.g. 'spam' or 'out of scope'")
    ignore.set_defaults(func=run_ignore)

    promote = actions.add_parser(
        "promote", help="add the question to a topic's examples in its YAML, mark it resolved"
    )
    promote.add_argument("id", type=int, help="question id (from `unanswered list`)")
    promote.add_argument("--topic", required=True, help="id of the topic to add it to")
    _similar_option(promote)
    add_knowledge_option(promote)
    promote.set_defaults(func=run_promote)

    stats = subparsers.add_parser(
        "stats", help="usage, answer rates, feedback, weekly trend, stale topics most served"
    )
    _since_option(stats, default=DEFAULT_STATS_SINCE)
    add_knowledge_option(stats)
    _json_option(stats)
    stats.set_defaults(func=run_stats)


def _usage(parser: argparse.ArgumentParser, args: argparse.Namespace, settings: Settings) -> int:
    parser.print_help(sys.stderr)
    return 2


def _since_option(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    shown = default or "all time"
    parser.add_argument(
        "--since",
        type=_since,
        default=_since(default) if default else None,
        metavar="AGE",
        help=f"only the last AGE, e.g. 12h, 7d, 2w, or 'all' (default {shown})",
    )


def _json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="JSON for scripts")


def _similar_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--similar",
        action="store_true",
        help="also resolve the open questions asking the same thing (as `groups` finds them); "
        "ignored ones stay ignored",
    )


def _since(text: str) -> timedelta | None:
    if text.strip().lower() == "all":
        return None
    try:
        return review.parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def _similarity(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}")
    return value


# --- running ------------------------------------------------------------------------------


class _Refused(Exception):
    """A command cannot go on; the message is the one line shown to staff."""


def _reports_errors(run: Handler) -> Handler:
    """Turn every expected failure into one line on stderr and exit code 1."""

    @wraps(run)
    def wrapper(args: argparse.Namespace, settings: Settings) -> int:
        try:
            return run(args, settings)
        except (StorageError, ReviewError, _Refused) as exc:
            return _fail(str(exc))
        except OSError as exc:  # e.g. the knowledge file or the CSV target is not writable
            where = f"{exc.filename}: " if exc.filename else ""
            return _fail(f"{where}{exc.strerror or exc}")

    return wrapper


def _with_storage(settings: Settings, work: Callable[[Storage], Awaitable[T]]) -> T:
    """Run `work` on the bot's database; never create one (a wrong KTBOT_DB must say so)."""

    async def main() -> T:
        async with await Storage.open(settings.db_path, create=False) as storage:
            return await work(storage)

    return asyncio.run(main())


def _fail(message: str) -> int:
    print(f"ktbot: {message}", file=sys.stderr)
    return 1


def _state(value: str) -> ReviewState | None:
    return None if value == "all" else ReviewState(value)


def _since_moment(age: timedelta | None, now: datetime | None = None) -> datetime | None:
    """`now` (default: the clock) less `age`; None for no limit."""
    return None if age is None else (now or datetime.now(UTC)) - age


def _console() -> Console:
    # Built per call so output follows the current sys.stdout (pipes, tests).
    return Console(file=sys.stdout, highlight=False)


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


# --- unanswered list / groups / export ----------------------------------------------------


@_reports_errors
def run_list(args: argparse.Namespace, settings: Settings) -> int:
    """List unanswered questions, newest first, each with the topics it came closest to."""
    items = _with_storage(
        settings,
        lambda storage: storage.unanswered(
            state=_state(args.state), since=_since_moment(args.since), limit=args.limit
        ),
    )
    if args.json:
        _print_json([review.question_json(item) for item in items])
    else:
        _console().print(_questions_table(items, args.state))
    return 0


def _questions_table(items: Sequence[UnansweredQuestion], state: str) -> Table | Text:
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


@_reports_errors
def run_groups(args: argparse.Namespace, settings: Settings) -> int:
    """Open questions clustered by similarity: '14× isotope prices', largest first."""
    items = _with_storage(
        settings,
        lambda storage: storage.unanswered(state=ReviewState.OPEN, since=_since_moment(args.since)),
    )
    groups = review.group_similar(items, args.threshold)
    if args.json:
        _print_json([review.group_json(g) for g in groups])
    else:
        _console().print(_groups_table(groups))
    return 0


def _groups_table(groups: Sequence[QuestionGroup]) -> Table | Text:
    if not groups:
        return Text("No open unanswered questions.")
    total = sum(g.count for g in groups)
    table = Table(
        title=f"{total} open unanswered question(s) in {len(groups)} group(s)",
        box=box.SIMPLE_HEAD,
    )
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


@_reports_errors
def run_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write unanswered questions to CSV (spreadsheet-safe) for offline review."""
    items = _with_storage(
        settings,
        lambda storage: storage.unanswered(
            state=_state(args.state), since=_since_moment(args.since)
        ),
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_csv_row(item) for item in items)
    # Excel opens a CSV without a byte-order mark as Windows-1252 ("cafÃ©"): files always
    # get one (utf-8-sig); stdout only with --excel, as other programs may not expect it.
    if args.csv == "-":
        sys.stdout.write(("\ufeff" if args.excel else "") + buffer.getvalue())
    else:
        Path(args.csv).write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
        print(f"wrote {len(items)} question(s) to {args.csv}")
    return 0


def _csv_row(item: UnansweredQuestion) -> list[str]:
    nearest = item.nearest
    values: list[Any] = [
        item.id,
        item.asked_at.isoformat(),
        item.state,
        item.question,
        f"{item.score:.4f}",
        nearest.intent if nearest else "",
        f"{nearest.score:.4f}" if nearest else "",
        review.describe_nearest(item.alternatives, limit=5) if item.alternatives else "",
        item.topic or "",
        item.reason or "",
        item.reviewed_at.isoformat() if item.reviewed_at else "",
        item.channel,
        item.kb_version,
        item.language or "",
    ]
    return [_safe_cell(str(v)) for v in values]


def _safe_cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


# --- resolve / ignore / promote -----------------------------------------------------------


@_reports_errors
def run_resolve(args: argparse.Namespace, settings: Settings) -> int:
    """Mark a question as answered by an existing topic (after a knowledge edit)."""
    _require_topic(knowledge_dir(args, settings), args.topic)

    async def work(storage: Storage) -> list[int]:
        item = await storage.unanswered_question(args.id)
        await storage.resolve(args.id, args.topic)
        return await _resolve_similar(storage, item, args) if item else []

    similar = _with_storage(settings, work)
    print(f"#{args.id} resolved by {args.topic}")
    _print_similar(similar, args.topic)
    return 0


async def _resolve_similar(
    storage: Storage, item: UnansweredQuestion, args: argparse.Namespace
) -> list[int]:
    """With --similar: resolve the open questions like `item`; return their ids."""
    if not getattr(args, "similar", False):
        return []
    open_items = await storage.unanswered(state=ReviewState.OPEN)
    if all(q.id != item.id for q in open_items):
        open_items.append(item)  # resolved a moment ago: still the centre of its group
    group = next(
        (g for g in review.group_similar(open_items) if any(m.id == item.id for m in g.members)),
        None,
    )
    others = [m.id for m in group.members if m.id != item.id] if group else []
    return await storage.resolve_open(others, args.topic)


def _print_similar(ids: Sequence[int], topic: str) -> None:
    if ids:
        listed = ", ".join(f"#{i}" for i in ids)
        print(f"also resolved {len(ids)} similar question(s) by {topic}: {listed}")


@_reports_errors
def run_ignore(args: argparse.Namespace, settings: Settings) -> int:
    """Set a question aside for good, with a reason."""
    _with_storage(settings, lambda storage: storage.ignore(args.id, args.reason))
    print(f"#{args.id} ignored ({args.reason.strip()})")
    return 0


@_reports_errors
def run_promote(args: argparse.Namespace, settings: Settings) -> int:
    """Add the question as an example of a topic (keeping the YAML's comments), resolve it."""
    item = _with_storage(settings, lambda storage: storage.unanswered_question(args.id))
    if item is None:
        raise _Refused(f"no unanswered question #{args.id}")
    # Checked before touching the YAML: the resolve at the end would be refused.
    if item.state is ReviewState.IGNORED:
        raise _Refused(f"question #{args.id} was ignored ({item.reason}) and stays ignored")
    try:
        path = review.promote_question(knowledge_dir(args, settings), args.topic, item.question)
        print(f"added {item.question!r} to topic {args.topic} in {path}")
    except review.AlreadyAnExample as exc:
        # A rerun after a promote that stopped between the YAML and the database: the
        # example is in place, so recording the review is what finishes the job.
        print(
            f"{item.question!r} is already an example of topic {args.topic} in {exc.path}; "
            f"marking #{args.id} resolved"
        )

    async def work(storage: Storage) -> list[int]:
        await storage.resolve(args.id, args.topic)
        return await _resolve_similar(storage, item, args)

    try:
        similar = _with_storage(settings, work)
    except StorageError as exc:
        raise _Refused(
            f"{exc}; the YAML was updated, so mark the question later with: "
            f"ktbot unanswered resolve {args.id} --topic {args.topic}"
        ) from exc
    print(f"#{args.id} resolved by {args.topic}")
    _print_similar(similar, args.topic)
    print(
        "A running bot reloads the knowledge base by itself within seconds "
        "(admins can also send /reload)."
    )
    return 0


def _require_topic(knowledge_dir: Path, topic_id: str) -> None:
    try:
        topics = load_knowledge(knowledge_dir).topics
    except KnowledgeError as exc:
        raise _Refused(f"cannot check the topic id: {exc}") from exc
    if topic_id not in topics:
        raise _Refused(review.unknown_topic_message(topic_id, topics))


# --- stats --------------------------------------------------------------------------------


@_reports_errors
def run_stats(args: argparse.Namespace, settings: Settings) -> int:
    """Questions, answer rates, top topics, unanswered groups, feedback, weekly trend, and
    the stale topics users were served most."""
    now = datetime.now(UTC)
    since = _since_moment(args.since, now)
    kb = _knowledge_for_stats(knowledge_dir(args, settings))

    async def fetch(
        storage: Storage,
    ) -> tuple[UsageStats, list[UnansweredQuestion], tuple[StaleReading, ...]]:
        stats = await storage.stats(since)
        stale = () if kb is None else await stale_readings(storage, kb, now.date(), since)
        return stats, await storage.unanswered(state=ReviewState.OPEN, since=since), stale

    stats, open_items, stale = _with_storage(settings, fetch)
    groups = review.group_similar(open_items)
    if args.json:
        _print_json(review.stats_json(stats, groups[:10], stale))
    else:
        _print_stats(_console(), stats, groups, stale)
    return 0


def _knowledge_for_stats(root: Path) -> KnowledgeBase | None:
    """The knowledge base, for its review dates; usage is still shown when it is broken."""
    try:
        return load_knowledge(root)
    except KnowledgeError as exc:
        print(
            f"ktbot: stale topics not shown: {len(exc.problems)} problem(s) in the knowledge "
            "base (run ktbot check)",
            file=sys.stderr,
        )
        return None


def _print_stats(
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
        topics = Table(title="Top topics", box=box.SIMPLE_HEAD)
        topics.add_column("Topic")
        topics.add_column("Served", justify="right")
        for item in stats.top_topics:
            topics.add_row(item.topic, str(item.count))
        console.print(topics)

    if groups:
        console.print(_groups_table(groups[:5]))

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
