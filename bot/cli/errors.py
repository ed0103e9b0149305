"""The one place `ktbot` turns a failure into a line on stderr and an exit code.

The classes and their exit codes are drawn in `bot/errors.py`. Commands raise; they never
print an error or pick an exit code themselves. `main` reports what stops it, and `@command`
reports what a command expects, for callers that run a command without `main` (tests).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, NamedTuple, TypeVar

from bot.errors import KtbotError, Unhealthy
from bot.settings import SettingsError
from bot.storage import StorageError
from intents import EvalFileError, KnowledgeError

log = logging.getLogger("bot.cli")

INTERRUPTED = 130
BUG = 1

Run = TypeVar("Run", bound=Callable[..., int])


class Failure(NamedTuple):
    exit_code: int
    message: str


def expected(exc: BaseException) -> Failure | None:
    """The exit code and message of a failure ktbot expects; None for a bug or an interrupt."""
    if isinstance(exc, SettingsError):
        return Failure(exc.exit_code, f"ktbot: configuration error: {exc}")
    if isinstance(exc, Unhealthy):
        return Failure(exc.exit_code, f"unhealthy: {exc}")
    if isinstance(exc, KtbotError):
        return Failure(exc.exit_code, f"ktbot: {exc}")
    if isinstance(exc, KnowledgeError):
        # Every problem as path:line: message, then the warnings of the same pass.
        return Failure(1, "\n".join([str(exc), *map(str, exc.warnings)]))
    if isinstance(exc, EvalFileError):
        return Failure(1, f"ktbot eval: {exc}")
    if isinstance(exc, StorageError):
        return Failure(1, f"ktbot: {exc}")
    if _rejected_token(exc):
        # PTB's own message quotes the token: say what to do instead.
        return Failure(
            2,
            "ktbot: Telegram rejected TELEGRAM_BOT_TOKEN: copy the bot's current token from "
            "@BotFather (revoking a token replaces it)",
        )
    if isinstance(exc, OSError):  # e.g. the knowledge file or the CSV target is not writable
        where = f"{exc.filename}: " if exc.filename else ""
        return Failure(1, f"ktbot: {where}{exc.strerror or exc}")
    return None


def _rejected_token(exc: BaseException) -> bool:
    # Looked up, not imported: the commands that never start Telegram stay quick to load.
    telegram_error = sys.modules.get("telegram.error")
    return telegram_error is not None and isinstance(exc, telegram_error.InvalidToken)


def exit_code(exc: BaseException) -> int:
    """Report `exc` (one line on stderr, or a logged traceback for a bug); its exit code."""
    failure = expected(exc)
    if failure is not None:
        print(failure.message, file=sys.stderr)
        return failure.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return INTERRUPTED
    # Through logging, so the traceback is scrubbed of the token like every log line.
    log.critical("ktbot stopped by an unexpected error", exc_info=exc)
    return BUG


def command(run: Run) -> Run:
    """Mark a command handler: the failures it expects become its exit code."""

    @wraps(run)
    def reported(*args: Any, **kwargs: Any) -> int:
        try:
            return run(*args, **kwargs)
        except Exception as exc:
            if expected(exc) is None:
                raise
            return exit_code(exc)

    return reported  # type: ignore[return-value]
