"""Options and argument types the `ktbot` commands share."""

from __future__ import annotations

import argparse
import io
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from bot import review
from bot.settings import Settings


def add_knowledge_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--knowledge",
        type=Path,
        metavar="DIR",
        help="knowledge directory (default: $KTBOT_KNOWLEDGE_DIR or the repository's knowledge/)",
    )


def knowledge_dir(args: argparse.Namespace, settings: Settings) -> Path:
    """`--knowledge` when given, else the configured directory."""
    return getattr(args, "knowledge", None) or settings.knowledge_dir


def add_since_option(parser: argparse.ArgumentParser, default: str | None = None) -> None:
    shown = default or "all time"
    parser.add_argument(
        "--since",
        type=since,
        default=since(default) if default else None,
        metavar="AGE",
        help=f"only the last AGE, e.g. 30m, 12h, 7d, 2w, or 'all' (default {shown})",
    )


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="JSON for scripts")


def add_similar_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--similar",
        action="store_true",
        help="also resolve the open questions asking the same thing (as `groups` finds them); "
        "ignored ones stay ignored",
    )


def since(text: str) -> timedelta | None:
    """An age like 30m, 12h, 7d, 2w; None for 'all'."""
    if text.strip().lower() == "all":
        return None
    try:
        return review.parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return value


def similarity(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}")
    return value


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date like 2027-01-31, got {text!r}") from None


def lenient(stream: TextIO) -> TextIO:
    """`stream` with undecodable bytes read as U+FFFD instead of stopping the program.

    A question list saved from Excel as Windows-1252, or one stray byte, would otherwise
    end `ktbot chat` and `ktbot ask -` before any line is answered (Python reads stdin
    strictly under a UTF-8 locale); the line with the bad byte is answered as best it can.
    """
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(errors="replace")
    return stream
