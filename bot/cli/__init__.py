"""`ktbot`, the command line: one module per command (or family of commands).

    ktbot check, schema                 bot/cli/check.py
    ktbot ask                           bot/cli/ask.py
    ktbot chat, run, health             bot/cli/serve.py
    ktbot eval                          bot/cli/eval.py
    ktbot unanswered …                  bot/cli/review.py (tables in bot/cli/tables.py)
    ktbot stats                         bot/cli/stats.py (registered by review.add_parsers)

Each module registers its sub-commands with `add_parser` (one command) or `add_parsers`
(several), and each handler, `run` or `run_<command>`, takes the parsed arguments and the
settings and returns the exit code. Handlers raise what goes wrong; `bot/cli/errors.py`
is the one place that turns it into a message and an exit code (the tree: `bot/errors.py`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from bot.cli.errors import exit_code
from bot.cli.parser import build_parser
from bot.logging_setup import configure_logging
from bot.settings import Settings

__all__ = ["build_parser", "main"]

Handler = Callable[[argparse.Namespace, Settings], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        # Every log line is scrubbed of the bot token and of these secrets.
        configure_logging(
            settings.log_level, (settings.telegram_token, settings.webhook_secret, settings.secret)
        )
        handler: Handler | None = getattr(args, "func", None)
        if handler is None:
            parser.print_help()
            return 2
        return handler(args, settings)
    except (Exception, KeyboardInterrupt) as exc:
        return exit_code(exc)
