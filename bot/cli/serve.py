"""`ktbot run` serves Telegram, `ktbot chat` the terminal; `ktbot health` tells Docker whether
the running bot is alive."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.cli.errors import command
from bot.cli.options import add_knowledge_option, knowledge_dir, lenient
from bot.errors import Unhealthy
from bot.settings import Settings


def add_parsers(subparsers: Any) -> None:
    """Register `chat`, `run` and `health` on the `ktbot` command line."""
    chat = subparsers.add_parser("chat", help="chat in the terminal (reads piped stdin too)")
    add_knowledge_option(chat)
    chat.add_argument(
        "--language",
        choices=("en", "fr"),
        help="answer in this language (default: the language of each question)",
    )
    chat.set_defaults(func=run_chat)

    run = subparsers.add_parser(
        "run", help="run the Telegram bot (polling, or webhook with --webhook-url)"
    )
    add_knowledge_option(run)
    run.add_argument("--webhook-url", help="public HTTPS URL Telegram should post updates to")
    run.add_argument("--listen", default="0.0.0.0", help="webhook listen address")
    run.add_argument("--port", type=int, default=8443, help="webhook listen port")
    run.set_defaults(func=run_bot)

    health = subparsers.add_parser(
        "health", help="exit 0 if a running bot wrote a recent heartbeat"
    )
    health.add_argument("--max-age", type=int, default=120, help="seconds (default 120)")
    health.set_defaults(func=run_health)


@command
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


@command
def run_bot(args: argparse.Namespace, settings: Settings) -> int:
    """Run the Telegram bot until interrupted."""
    from bot.telegram import run_telegram_bot

    settings.require_token()
    return run_telegram_bot(
        settings,
        knowledge_dir(args, settings),
        webhook_url=args.webhook_url,
        listen=args.listen,
        port=args.port,
    )


@command
def run_health(args: argparse.Namespace, settings: Settings) -> int:
    """Docker HEALTHCHECK: the bot's heartbeat job touches a file every 30 seconds while
    Telegram answers it, so a bot cut off from Telegram turns unhealthy too."""
    import time

    from bot.telegram.app import heartbeat_path

    path = heartbeat_path(settings)
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        raise Unhealthy(f"no heartbeat at {path}") from None
    if age > args.max_age:
        raise Unhealthy(
            f"last heartbeat {age:.0f}s ago (the bot stopped, hangs, or cannot "
            "reach Telegram: see its log)"
        )
    print(f"healthy: heartbeat {age:.0f}s ago")
    return 0
