"""Telegram errors as one readable log line."""

from __future__ import annotations


def short_error(error: BaseException) -> str:
    """One line: PTB appends a whole HTML error page (a proxy's 502) after this marker."""
    text = str(error).split(". Parsing the server response", 1)[0]
    return text if len(text) <= 300 else text[:300] + "…"


def not_modified(error: BaseException) -> bool:
    """Telegram refused an edit that would change nothing: it was made already."""
    return "not modified" in str(error).lower()
