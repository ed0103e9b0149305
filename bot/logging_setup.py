"""Logging for `ktbot`: one format, and no secret ever written to a log.

The bot token is a password: whoever has it controls the bot. It travels in every Bot API
URL (`https://api.telegram.org/bot<token>/sendMessage`), python-telegram-bot puts it in the
message of `InvalidToken`, and at DEBUG level it logs the parameters of every call (the
webhook secret among them). `SecretRedactor` scrubs each record before any handler writes
it: the message with its arguments, the exception text and the stack.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[REDACTED]"
MIN_SECRET_LENGTH = 8
"""Shorter configured values are not redacted verbatim: every occurrence would go."""

# `bot<id>:<secret>` as in Bot API URLs, or a bare token shaped like BotFather's
# (an id of 6+ digits, then 30+ characters); the id stays visible, it is public.
_TOKEN_IN_URL = re.compile(r"(?<=bot)(\d{3,}):[A-Za-z0-9_-]+")
_BARE_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])(\d{6,}):[A-Za-z0-9_-]{30,}")


class SecretRedactor(logging.Filter):
    """Replaces bot tokens and the given secret values in every record it sees."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        super().__init__()
        self._secrets: tuple[str, ...] = ()
        self.set_secrets(secrets)

    def set_secrets(self, secrets: Iterable[str | None]) -> None:
        usable = {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = tuple(sorted(usable, key=len, reverse=True))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                bot_id, sep, _ = secret.partition(":")
                shown = f"{bot_id}:{REDACTED}" if sep and bot_id.isdigit() else REDACTED
                text = text.replace(secret, shown)
        text = _TOKEN_IN_URL.sub(rf"\1:{REDACTED}", text)
        return _BARE_TOKEN.sub(rf"\1:{REDACTED}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # bad %-arguments: logging reports it, without the secret
            message = f"{record.msg} (arguments: {record.args!r})"
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            # Rendered here (as Formatter would) so the traceback text can be scrubbed too.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def configure_logging(level: str, secrets: Iterable[str | None] = ()) -> SecretRedactor:
    """Log to stderr at `level`, every handler of the root logger redacting secrets."""
    logging.basicConfig(level=level, format=LOG_FORMAT, stream=sys.stderr)
    # Warnings (PTB's among them) go through logging, hence through the redactor.
    logging.captureWarnings(True)
    # httpx logs every request URL at INFO; the token would be redacted, the noise would not.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if logging.getLevelName(level) != logging.DEBUG:
        _quiet_duplicate_parse_errors()
    return install_redactor(secrets)


class _DropUnparsableResponseTraceback(logging.Filter):
    """PTB logs a JSON traceback when Telegram's proxy answers with an HTML page (a 502),
    then raises an error that whoever made the call logs in one line. Keep that line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Can not load invalid JSON data")


class _OneLineStopWithoutTelegram(logging.Filter):
    """On stopping, PTB tells Telegram which updates were fetched; during an outage that
    fails and PTB logs an ERROR with three tracebacks for an expected, harmless event (the
    inbox recognises updates Telegram sends again). One WARNING line says it."""

    PREFIX = "Error while calling `get_updates` one more time"

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith(self.PREFIX):
            error = record.exc_info[1] if record.exc_info else None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = (
                "stopped without telling Telegram which updates were fetched (%s): any it "
                "sends again are recognised and not answered twice"
            )
            record.args = (error or "Telegram unreachable",)
            record.exc_info, record.exc_text = None, None
        return True


def _quiet_duplicate_parse_errors() -> None:
    logger = logging.getLogger("telegram.request.BaseRequest")
    if not any(isinstance(f, _DropUnparsableResponseTraceback) for f in logger.filters):
        logger.addFilter(_DropUnparsableResponseTraceback())
    updater = logging.getLogger("telegram.ext.Updater")
    if not any(isinstance(f, _OneLineStopWithoutTelegram) for f in updater.filters):
        updater.addFilter(_OneLineStopWithoutTelegram())


def install_redactor(secrets: Iterable[str | None] = ()) -> SecretRedactor:
    """Put one SecretRedactor on each root handler (again: update it, never stack them)."""
    secrets = tuple(secrets)
    root = logging.getLogger()
    redactor: SecretRedactor | None = None
    for handler in root.handlers:
        found = next((f for f in handler.filters if isinstance(f, SecretRedactor)), None)
        if found is None:
            found = redactor or SecretRedactor(secrets)
            handler.addFilter(found)
        else:
            found.set_secrets(secrets)
        redactor = redactor or found
    return redactor or SecretRedactor(secrets)
