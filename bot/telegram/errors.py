"""Telegram errors as one readable log line."""

from __future__ import annotations

import warnings
from datetime import timedelta

from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning


def short_error(error: BaseException) -> str:
    """One line: PTB appends a whole HTML error page (a proxy's 502) after this marker."""
    text = str(error).split(". Parsing the server response", 1)[0]
    return text if len(text) <= 300 else text[:300] + "…"


def not_modified(error: BaseException) -> bool:
    """Telegram refused an edit that would change nothing: it was made already ("message is
    not modified", or TOPIC_NOT_MODIFIED for a forum topic already closed or open)."""
    return "not modified" in str(error).lower().replace("_", " ")


def retry_delay(error: RetryAfter) -> timedelta:
    """How long Telegram asks to wait: seconds in PTB 22 (deprecated, with a warning on each
    read), a timedelta in later versions; the same value either way."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = error.retry_after
    return wait if isinstance(wait, timedelta) else timedelta(seconds=wait)
