"""`ktbot unanswered …`: KT staff review what the bot could not answer (`ktbot stats`, which
this registers too, is in `bot/cli/stats.py`).

Every handler returns 0 when done and raises what refuses it (`CommandError`, `ReviewError`,
`StorageError`, …): `bot/cli/errors.py` prints the one line saying why and picks the exit code.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from functools import partial
from pathlib import Path
from typing import Any

from bot import review
from bot.cli import stats
from bot.cli.database import since_moment, with_storage
from bot.cli.errors import command
from bot.cli.options import (
    add_json_option,
    add_knowledge_option,
    add_similar_option,
    add_since_option,
    knowledge_dir,
    positive_int,
    similarity,
)
from bot.cli.tables import CSV_COLUMNS, console, csv_row, groups_table, print_json, questions_table
from bot.errors import CommandError
from bot.settings import Settings
from bot.storage import ReviewState, Storage, StorageError, UnansweredQuestion
from intents import KnowledgeBase, KnowledgeError, Matcher, load_knowledge

STATE_CHOICES = (*(str(s) for s in ReviewState), "all")


# --- parsers ------------------------------------------------------------------------------


def add_parsers(subparsers: Any) -> None:
    """Add `unanswered` (with its actions) and `stats` to the `ktbot` sub-commands."""
    unanswered = subparsers.add_parser(
        "unanswered", help="review questions the bot could not answer"
    )
    unanswered.set_defaults(func=partial(_usage, unanswered))
    actions = unanswered.add_subparsers(title="actions", metavar="ACTION")
    _add_reading_parsers(actions)
    _add_deciding_parsers(actions)

    stats.add_parser(subparsers)  # `ktbot stats` lives in bot/cli/stats.py


def _add_reading_parsers(actions: Any) -> None:
    """`unanswered list`, `groups` and `export`: read the questions."""
    listing = actions.add_parser("list", help="list questions with their nearest topics")
    listing.add_argument(
        "--state", choices=STATE_CHOICES, default="open", help="review state (default open)"
    )
    add_since_option(listing)
    listing.add_argument("--limit", type=positive_int, help="show at most N (newest first)")
    add_json_option(listing)
    listing.set_defaults(func=run_list)

    groups = actions.add_parser("groups", help="cluster similar open questions, largest first")
    add_since_option(groups)
    groups.add_argument(
        "--threshold",
        type=similarity,
        default=review.DEFAULT_GROUP_THRESHOLD,
        help=f"similarity 0-1 to group (default {review.DEFAULT_GROUP_THRESHOLD})",
    )
    add_json_option(groups)
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
        "--force", action="store_true", help="replace FILE if it exists (default: refuse)"
    )
    export.add_argument(
        "--state", choices=STATE_CHOICES, default="all", help="review state (default all)"
    )
    add_since_option(export)
    export.set_defaults(func=run_export)


def _add_deciding_parsers(actions: Any) -> None:
    """`unanswered resolve`, `ignore` and `promote`: record what staff decided."""
    resolve = actions.add_parser("resolve", help="mark a question as covered by a topic now")
    resolve.add_argument("id", type=int, help="question id (from `unanswered list`)")
    resolve.add_argument("--topic", required=True, help="id of the topic that covers it")
    add_similar_option(resolve)
    _add_dry_run_option(resolve)
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
    add_similar_option(promote)
    _add_dry_run_option(promote)
    add_knowledge_option(promote)
    promote.set_defaults(func=run_promote)


def _add_dry_run_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="change nothing: show what would be resolved (and, with --similar, which "
        "similar questions the knowledge base would answer with the topic)",
    )


def _usage(parser: argparse.ArgumentParser, args: argparse.Namespace, settings: Settings) -> int:
    parser.print_help(sys.stderr)
    return 2


# --- running ------------------------------------------------------------------------------


def _state(value: str) -> ReviewState | None:
    return None if value == "all" else ReviewState(value)


# --- unanswered list / groups / export ----------------------------------------------------


@command
def run_list(args: argparse.Namespace, settings: Settings) -> int:
    """List unanswered questions, newest first, each with the topics it came closest to."""
    items = with_storage(
        settings,
        lambda storage: storage.unanswered(
            state=_state(args.state), since=since_moment(args.since), limit=args.limit
        ),
    )
    if args.json:
        print_json([review.question_json(item) for item in items])
    else:
        console().print(questions_table(items, args.state))
    return 0


@command
def run_groups(args: argparse.Namespace, settings: Settings) -> int:
    """Open questions clustered by similarity: '14× isotope prices', largest first."""
    items = with_storage(
        settings,
        lambda storage: storage.unanswered(state=ReviewState.OPEN, since=since_moment(args.since)),
    )
    groups = review.group_similar(items, args.threshold)
    if args.json:
        print_json([review.group_json(g) for g in groups])
    else:
        console().print(groups_table(groups))
    return 0


@command
def run_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write unanswered questions to CSV (spreadsheet-safe) for offline review."""
    items = with_storage(
        settings,
        lambda storage: storage.unanswered(
            state=_state(args.state), since=since_moment(args.since)
        ),
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_row(item) for item in items)
    # Excel opens a CSV without a byte-order mark as Windows-1252 ("cafÃ©"): files always
    # get one (utf-8-sig); stdout only with --excel, as other programs may not expect it.
    if args.csv == "-":
        sys.stdout.write(("\ufeff" if args.excel else "") + buffer.getvalue())
    else:
        # "x" creates the file or fails: an earlier export is never replaced by surprise.
        try:
            with Path(args.csv).open(
                "w" if args.force else "x", encoding="utf-8-sig", newline=""
            ) as target:
                target.write(buffer.getvalue())
        except FileExistsError:
            raise CommandError(
                f"{args.csv} exists; choose another file name, or add --force to replace it"
            ) from None
        print(f"wrote {len(items)} question(s) to {args.csv}")
    return 0


# --- resolve / ignore / promote -----------------------------------------------------------


@command
def run_resolve(args: argparse.Namespace, settings: Settings) -> int:
    """Mark a question as answered by an existing topic (after a knowledge edit)."""
    kb = _require_topic(knowledge_dir(args, settings), args)

    async def work(storage: Storage) -> review.SimilarCheck | None:
        # Read only when needed: `resolve` checks the question itself.
        needed = args.dry_run or args.similar
        item = await storage.unanswered_question(args.id) if needed else None
        if args.dry_run:
            _require_resolvable(item, args.id)
        else:
            await storage.resolve(args.id, args.topic)
        return await _resolve_similar(storage, item, args, kb) if item else None

    similar = with_storage(settings, work)
    if args.dry_run:
        print(f"dry run, nothing changed: #{args.id} would be resolved by {args.topic}")
    else:
        print(f"#{args.id} resolved by {args.topic}")
    _print_similar(similar, args.topic, dry_run=args.dry_run)
    return 0


def _require_resolvable(item: UnansweredQuestion | None, exchange_id: int) -> UnansweredQuestion:
    if item is None:
        raise CommandError(f"no unanswered question #{exchange_id}")
    if item.state is ReviewState.IGNORED:
        raise CommandError(f"question #{exchange_id} was ignored ({item.reason}) and stays ignored")
    return item


async def _resolve_similar(
    storage: Storage, item: UnansweredQuestion, args: argparse.Namespace, kb: KnowledgeBase
) -> review.SimilarCheck | None:
    """With --similar: resolve the open questions like `item` that `kb` (as edited) now
    answers with the topic; the others stay open. A dry run resolves none."""
    if not getattr(args, "similar", False):
        return None
    others = review.similar_to(item, await storage.unanswered(state=ReviewState.OPEN))
    if not others:
        return review.SimilarCheck((), ())
    check = review.check_similar(others, Matcher.build(kb), args.topic)
    if args.dry_run or not check.answered:
        return check
    resolved = set(await storage.resolve_open([q.id for q in check.answered], args.topic))
    return review.SimilarCheck(
        tuple(q for q in check.answered if q.id in resolved), check.left_open
    )


def _print_similar(check: review.SimilarCheck | None, topic: str, *, dry_run: bool) -> None:
    if check is None:
        return
    if check.answered:
        listed = ", ".join(f"#{q.id}" for q in check.answered)
        verb = "would also resolve" if dry_run else "also resolved"
        print(f"{verb} {len(check.answered)} similar question(s) by {topic}: {listed}")
    if check.left_open:
        print(
            f"{'would leave' if dry_run else 'left'} open {len(check.left_open)} similar "
            f"question(s) the knowledge base does not answer with {topic}:"
        )
        for question, result in check.left_open:
            text = " ".join(question.question.split())
            text = text if len(text) <= 80 else text[:79] + "…"
            print(f"  #{question.id} {text!r}: {review.describe_match(result)}")


@command
def run_ignore(args: argparse.Namespace, settings: Settings) -> int:
    """Set a question aside for good, with a reason."""
    with_storage(settings, lambda storage: storage.ignore(args.id, args.reason))
    print(f"#{args.id} ignored ({args.reason.strip()})")
    return 0


@command
def run_promote(args: argparse.Namespace, settings: Settings) -> int:
    """Add the question as an example of a topic (keeping the YAML's comments), resolve it."""
    item = with_storage(settings, lambda storage: storage.unanswered_question(args.id))
    # Checked before touching the YAML: the resolve at the end would be refused.
    item = _require_resolvable(item, args.id)
    root = knowledge_dir(args, settings)
    _require_topic(root, args)
    if args.dry_run:
        return _promote_dry_run(args, settings, root, item)
    try:
        path = review.promote_question(root, args.topic, item.question)
        print(f"added {item.question!r} to topic {args.topic} in {path}")
    except review.AlreadyAnExample as exc:
        # A rerun after a promote that stopped between the YAML and the database: the
        # example is in place, so recording the review is what finishes the job.
        print(
            f"{item.question!r} is already an example of topic {args.topic} in {exc.path}; "
            f"marking #{args.id} resolved"
        )
    kb = _edited_knowledge(root) if args.similar else None

    async def work(storage: Storage) -> review.SimilarCheck | None:
        await storage.resolve(args.id, args.topic)
        return await _resolve_similar(storage, item, args, kb) if kb else None

    try:
        similar = with_storage(settings, work)
    except StorageError as exc:
        raise CommandError(
            f"{exc}; the YAML was updated, so mark the question later with: "
            f"ktbot unanswered resolve {args.id} --topic {args.topic}"
        ) from exc
    print(f"#{args.id} resolved by {args.topic}")
    _print_similar(similar, args.topic, dry_run=False)
    print(
        "A running bot reloads the knowledge base by itself within seconds "
        "(admins can also send /reload)."
    )
    return 0


def _promote_dry_run(
    args: argparse.Namespace, settings: Settings, root: Path, item: UnansweredQuestion
) -> int:
    """What promote would do, worked out in a scratch copy; nothing is changed."""
    path, kb = review.promoted_knowledge(root, args.topic, item.question)
    similar = with_storage(settings, lambda storage: _resolve_similar(storage, item, args, kb))
    print(
        f"dry run, nothing changed: {item.question!r} would be added to topic {args.topic} "
        f"in {path}, and #{args.id} resolved by {args.topic}"
    )
    _print_similar(similar, args.topic, dry_run=True)
    return 0


def _edited_knowledge(root: Path) -> KnowledgeBase | None:
    """The knowledge base just edited, to ask the similar questions again; None (and
    they stay open) if it no longer loads (someone else's edit in between)."""
    try:
        return load_knowledge(root)
    except KnowledgeError as exc:
        print(
            f"similar questions left open: the knowledge base has {len(exc.problems)} "
            "problem(s) (run ktbot check)",
            file=sys.stderr,
        )
        return None


def _require_topic(knowledge_dir: Path, args: argparse.Namespace) -> KnowledgeBase:
    """The knowledge base, once `args.topic` is known to name a topic; a renamed topic's
    former id is replaced by its current one, so statistics count it under one id."""
    try:
        kb = load_knowledge(knowledge_dir)
    except KnowledgeError as exc:
        raise CommandError(f"cannot check the topic id: {exc}") from exc
    current = kb.current_id(args.topic)
    if current is None:
        raise CommandError(review.unknown_topic_message(args.topic, kb.topics))
    if current != args.topic:
        print(f"topic {args.topic} was renamed to {current}: using {current}")
        args.topic = current
    return kb
