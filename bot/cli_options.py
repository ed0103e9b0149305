"""Options every `ktbot` command that reads the knowledge base shares."""

from __future__ import annotations

import argparse
from pathlib import Path

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
