"""`ktbot check` validates the knowledge base; `ktbot schema` writes the JSON Schema of its
YAML files."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.cli.errors import command
from bot.cli.options import add_knowledge_option, iso_date, knowledge_dir
from bot.errors import UsageError
from bot.settings import Settings
from intents import (
    SEED_PREFIX,
    KnowledgeBase,
    Problem,
    eval_files,
    eval_id_uses,
    freshness_warnings,
    load_knowledge,
    merge_uses,
    vanished_id_warnings,
)


def add_parsers(subparsers: Any) -> None:
    """Register `check` and `schema` on the `ktbot` command line."""
    check = subparsers.add_parser(
        "check", help="validate the knowledge base (exit 1 on errors; warnings do not fail)"
    )
    add_knowledge_option(check)
    check.add_argument(
        "--seeds",
        type=Path,
        metavar="DIR",
        help="the seed files `seed:` sources cite (default: ../shared/seeds beside the "
        "repository holding the knowledge folder; not checked when that is absent)",
    )
    check.add_argument(
        "--evals",
        type=Path,
        metavar="DIR",
        help="the evaluation files (*.jsonl) whose topic ids must still exist (default: "
        "../shared/eval beside the repository holding the knowledge folder, if present)",
    )
    check.add_argument(
        "--as-of",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="warn about topics due for review by this day (default: today, UTC)",
    )
    check.set_defaults(func=run_check)

    schema = subparsers.add_parser(
        "schema", help="write the JSON Schema editors use for the YAML files"
    )
    schema.add_argument(
        "--output",
        type=Path,
        help="file to write (default: <knowledge>/schema/knowledge.schema.json)",
    )
    add_knowledge_option(schema)
    schema.set_defaults(func=run_schema)


@command
def run_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate; errors fail with every problem as path:line: message (main prints them);
    warnings (stale topics, links no source supports) are listed and do not fail."""
    root = knowledge_dir(args, settings)
    seeds_dir = args.seeds or default_seeds_dir(root)
    if args.seeds is not None and not seeds_dir.is_dir():
        raise UsageError(f"--seeds {seeds_dir}: no such folder")
    seeds = seed_names(seeds_dir)
    kb = load_knowledge(root, seeds=seeds)
    today = args.as_of or datetime.now(UTC).date()
    vanished, skipped = _vanished_ids(kb, args.evals or default_evals_dir(root), settings)
    warnings = sorted([*kb.warnings, *freshness_warnings(kb, today), *vanished])
    for warning in warnings:
        print(warning)
    if skipped:
        print(f"note: logged questions not checked for vanished topic ids: {skipped}")
    if seeds is None and any(
        source.startswith(SEED_PREFIX) for topic in kb.topics.values() for source in topic.sources
    ):
        print(f"note: seed sources not checked against files: no folder {seeds_dir}")
    count = f"; {len(warnings)} warning{'s' if len(warnings) != 1 else ''}" if warnings else ""
    print(
        f"ok: {len(kb.topics)} topics, {len(kb.categories)} categories, "
        f"{len(kb.contacts)} contacts (version {kb.version}){count}"
    )
    return 0


def _vanished_ids(
    kb: KnowledgeBase, evals: Path, settings: Settings
) -> tuple[list[Problem], str | None]:
    """Warnings for topic ids that vanished but are named by evaluation files or by the
    bot's database, and why the database was skipped (None if it was read or absent)."""
    from bot.topic_usage import UsageUnavailable, logged_id_uses

    skipped = None
    try:
        logged = logged_id_uses(settings.db_path)
    except UsageUnavailable as exc:
        logged, skipped = {}, str(exc)
    uses = merge_uses(eval_id_uses(eval_files(evals)), logged)
    return vanished_id_warnings(kb, uses), skipped


def default_evals_dir(knowledge: Path) -> Path:
    """`../shared/eval` beside the repository that holds the knowledge folder."""
    return knowledge.resolve().parent.parent / "shared" / "eval"


def default_seeds_dir(knowledge: Path) -> Path:
    """`../shared/seeds` beside the repository that holds the knowledge folder."""
    return knowledge.resolve().parent.parent / "shared" / "seeds"


def seed_names(folder: Path) -> frozenset[str] | None:
    """The seed files `seed:` sources may cite; None when the folder is not here (a fresh
    machine, a container), so seeds are then checked for their form only."""
    try:
        return frozenset(path.name for path in folder.iterdir() if path.is_file())
    except OSError:
        return None


@command
def run_schema(args: argparse.Namespace, settings: Settings) -> int:
    """Publish the pydantic schema as JSON Schema for `# yaml-language-server` users."""
    from intents import knowledge_json_schema

    target = args.output or knowledge_dir(args, settings) / "schema" / "knowledge.schema.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(knowledge_json_schema(), encoding="utf-8")
    print(f"wrote {target}")
    return 0
