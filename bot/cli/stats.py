"""`ktbot stats`: usage, answer rates, top topics, feedback, weekly trend, the open
unanswered groups, and the stale topics users were served most."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot import review
from bot.cli.database import since_moment, with_storage
from bot.cli.errors import command
from bot.cli.options import add_json_option, add_knowledge_option, add_since_option, knowledge_dir
from bot.cli.tables import console, print_json, print_stats
from bot.settings import Settings
from bot.stale_report import StaleReading, stale_readings
from bot.storage import ReviewState, Storage, UnansweredQuestion, UsageStats
from intents import KnowledgeBase, KnowledgeError, load_knowledge

DEFAULT_SINCE = "30d"


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "stats", help="usage, answer rates, feedback, weekly trend, stale topics most served"
    )
    add_since_option(parser, default=DEFAULT_SINCE)
    add_knowledge_option(parser)
    add_json_option(parser)
    parser.set_defaults(func=run)


@command
def run(args: argparse.Namespace, settings: Settings) -> int:
    """Questions, answer rates, top topics, unanswered groups, feedback, weekly trend, and
    the stale topics users were served most."""
    now = datetime.now(UTC)
    since = since_moment(args.since, now)
    kb = _knowledge_for_stats(knowledge_dir(args, settings))

    async def fetch(
        storage: Storage,
    ) -> tuple[UsageStats, list[UnansweredQuestion], tuple[StaleReading, ...]]:
        stats = await storage.stats(since, current_id=None if kb is None else kb.current_id)
        stale = () if kb is None else await stale_readings(storage, kb, now.date(), since)
        return stats, await storage.unanswered(state=ReviewState.OPEN, since=since), stale

    stats, open_items, stale = with_storage(settings, fetch)
    groups = review.group_similar(open_items)
    if args.json:
        print_json(review.stats_json(stats, groups[:10], stale))
    else:
        print_stats(console(), stats, groups, stale)
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
