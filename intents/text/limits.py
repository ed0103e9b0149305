"""Limits set by Telegram that the engine and the bot must agree on."""

from __future__ import annotations

TELEGRAM_MESSAGE_LIMIT = 4096
"""Telegram refuses a message longer than this, counted after entity parsing (the visible
text). Users cannot send longer messages either, so questions are cut to it too."""
