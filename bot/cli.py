"""`ktbot` command line: check, ask, chat, run, eval, unanswered, stats."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from bot.cli_options import add_knowledge_option, knowledge_dir
from bot.conversation import clean_question
from bot.logging_setup import configure_logging
from bot.rendering import markup_text
from bot.settings import Settings, SettingsError
from intents import (
    SEED_PREFIX,
    KnowledgeBase,
    KnowledgeError,
    Matcher,
    MatchResult,
    Outcome,
    Problem,
    eval_files,
    eval_id_uses,
    freshness_warnings,
    load_knowledge,
    merge_uses,
    vanished_id_warnings,
)

Handler = Callable[[argparse.Namespace, Settings], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"ktbot: configuration error: {exc}", file=sys.stderr)
        return 2
    # Every log line is scrubbed of the bot token and of these secrets.
    configure_logging(
        settings.log_level, (settings.telegram_token, settings.webhook_secret, settings.secret)
    )
    handler: Handler | None = getattr(args, "func", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        return handler(args, settings)
    except SettingsError as exc:
        print(f"ktbot: configuration error: {exc}", file=sys.stderr)
        return 2
    except KnowledgeError as exc:
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception:
        # Through logging, so the traceback is scrubbed of the token like every log line.
        logging.getLogger(__name__).critical("ktbot stopped by an unexpected error", exc_info=True)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ktbot",
        description="CERN medical-applications knowledge-transfer assistant.",
    )
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    check = sub.add_parser(
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
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="warn about topics due for review by this day (default: today, UTC)",
    )
    check.set_defaults(func=run_check)

    ask = sub.add_parser("ask", help="match one question (or '-' for one per stdin line)")
    add_knowledge_option(ask)
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("question", nargs="+", help="the question, or '-' to read stdin")
    ask.set_defaults(func=run_ask)

    chat = sub.add_parser("chat", help="chat in the terminal (reads piped stdin too)")
    add_knowledge_option(chat)
    chat.add_argument(
        "--language",
        choices=("en", "fr"),
        help="answer in this language (default: the language of each question)",
    )
    chat.set_defaults(func=run_chat)

    run = sub.add_parser(
        "run", help="run the Telegram bot (polling, or webhook with --webhook-url)"
    )
    add_knowledge_option(run)
    run.add_argument("--webhook-url", help="public HTTPS URL Telegram should post updates to")
    run.add_argument("--listen", default="0.0.0.0", help="webhook listen address")
    run.add_argument("--port", type=int, default=8443, help="webhook listen port")
    run.set_defaults(func=run_bot)

    schema = sub.add_parser("schema", help="write the JSON Schema editors use for the YAML files")
    schema.add_argument(
        "--output",
        type=Path,
        help="file to write (default: <knowledge>/schema/knowledge.schema.json)",
    )
    add_knowledge_option(schema)
    schema.set_defaults(func=run_schema)

    health = sub.add_parser("health", help="exit 0 if a running bot wrote a recent heartbeat")
    health.add_argument("--max-age", type=int, default=120, help="seconds (default 120)")
    health.set_defaults(func=run_health)

    from bot import eval_command, review_cli

    eval_command.add_parser(sub)
    review_cli.add_parsers(sub)
    return parser


# --- check --------------------------------------------------------------------------------


def run_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate; errors fail with every problem as path:line: message (main prints them);
    warnings (stale topics, links no source supports) are listed and do not fail."""
    root = knowledge_dir(args, settings)
    seeds_dir = args.seeds or default_seeds_dir(root)
    if args.seeds is not None and not seeds_dir.is_dir():
        print(f"ktbot: --seeds {seeds_dir}: no such folder", file=sys.stderr)
        return 2
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


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2027-01-31, got {text!r}") from None


def run_schema(args: argparse.Namespace, settings: Settings) -> int:
    """Publish the pydantic schema as JSON Schema for `# yaml-language-server` users."""
    from intents import knowledge_json_schema

    target = args.output or knowledge_dir(args, settings) / "schema" / "knowledge.schema.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(knowledge_json_schema(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


def run_health(args: argparse.Namespace, settings: Settings) -> int:
    """Docker HEALTHCHECK: the bot's heartbeat job touches a file every 30 seconds."""
    import time

    from bot.telegram.app import heartbeat_path

    path = heartbeat_path(settings)
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        print(f"unhealthy: no heartbeat at {path}", file=sys.stderr)
        return 1
    if age > args.max_age:
        print(f"unhealthy: last heartbeat {age:.0f}s ago", file=sys.stderr)
        return 1
    print(f"healthy: heartbeat {age:.0f}s ago")
    return 0


# --- ask ----------------------------------------------------------------------------------


def result_json(result: MatchResult, matcher: Matcher) -> dict[str, Any]:
    """The stable machine interface used by evaluations."""
    answer = None
    topic = matcher.kb.topics.get(result.intent) if result.intent is not None else None
    if result.outcome is Outcome.ANSWER and topic is not None:
        answer = markup_text(topic.answer)
    return {
        "question": result.question,
        "outcome": str(result.outcome),
        "intent": result.intent,
        "score": round(result.score, 4),
        "alternatives": [
            {"intent": c.intent, "score": round(c.score, 4)} for c in result.alternatives
        ],
        "suggestions": list(result.suggestions),
        "answer": answer,
    }


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    """Match questions without recording anything."""
    matcher = Matcher.build(load_knowledge(knowledge_dir(args, settings)))
    questions: Iterable[str]
    if args.question == ["-"]:
        questions = (line.rstrip("\n") for line in lenient(sys.stdin))
    else:
        questions = [" ".join(args.question)]
    for raw in questions:
        question, _ = clean_question(raw)
        if not question and args.question == ["-"]:
            continue
        result = matcher.match(question)
        if args.json:
            print(json.dumps(result_json(result, matcher), ensure_ascii=False), flush=True)
        else:
            _print_result(result, matcher, sys.stdout)
    return 0


def _print_result(result: MatchResult, matcher: Matcher, out: TextIO) -> None:
    data = result_json(result, matcher)
    intent = data["intent"] or "-"
    out.write(f"{data['outcome']}: {intent} ({data['score']:.2f})\n")
    for alt in data["alternatives"]:
        out.write(f"  also: {alt['intent']} ({alt['score']:.2f})\n")
    if data["answer"]:
        out.write(data["answer"] + "\n")


# --- chat and run -------------------------------------------------------------------------


def run_chat(args: argparse.Namespace, settings: Settings) -> int:
    """Interactive terminal chat over the same engine, recording exchanges (channel cli)."""
    from bot.chat import chat

    return asyncio.run(
        chat(
            settings,
            knowledge_dir(args, settings),
            lenient(sys.stdin),
            sys.stdout,
            language=args.language,
        )
    )


def lenient(stream: TextIO) -> TextIO:
    """`stream` with undecodable bytes read as U+FFFD instead of stopping the program.

    A question list saved from Excel as Windows-1252, or one stray byte, would otherwise
    end `ktbot chat` and `ktbot ask -` before any line is answered (Python reads stdin
    strictly under a UTF-8 locale); the line with the bad byte is answered as best it can.
    """
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(errors="replace")
    return stream


def run_bot(args: argparse.Namespace, settings: Settings) -> int:
    """Run the Telegram bot until interrupted."""
    from telegram.error import InvalidToken

    from bot.storage import StorageError
    from bot.telegram import run_telegram_bot

    settings.require_token()
    try:
        return run_telegram_bot(
            settings,
            knowledge_dir(args, settings),
            webhook_url=args.webhook_url,
            listen=args.listen,
            port=args.port,
        )
    except InvalidToken:
        # PTB's own message quotes the token: say what to do instead.
        print(
            "ktbot: Telegram rejected TELEGRAM_BOT_TOKEN: copy the bot's current token from "
            "@BotFather (revoking a token replaces it)",
            file=sys.stderr,
        )
        return 2
    except StorageError as exc:
        print(f"ktbot: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
