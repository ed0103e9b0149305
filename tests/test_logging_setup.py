"""Log redaction: the bot token and other secrets never reach a log line."""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import NetworkError

from bot.logging_setup import REDACTED, SecretRedactor, configure_logging, install_redactor

# --- secrets in logs ----------------------------------------------------------------------

TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def redactor_record(msg: str, *args: Any, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("telegram.ext", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_redactor_scrubs_tokens_from_messages_arguments_and_tracebacks() -> None:
    redactor = SecretRedactor([TOKEN, "webhook-secret-value", "short"])
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError as error:
        record = redactor_record(
            "POST https://api.telegram.org/bot%s/getMe failed; hook %s; %s",
            TOKEN,
            "webhook-secret-value",
            "short",
            exc=error,
        )
    assert redactor.filter(record)
    formatted = logging.Formatter("%(message)s").format(record)
    assert TOKEN not in formatted and "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in formatted
    assert "webhook-secret-value" not in formatted
    assert f"bot987654321:{REDACTED}/getMe" in formatted  # the bot id is public: kept
    assert "short" in formatted  # too short to redact everywhere it appears
    assert "was rejected by the server" in formatted  # the traceback is kept, scrubbed


def test_redactor_scrubs_any_token_shaped_value_not_only_the_configured_one() -> None:
    redactor = SecretRedactor()
    other = "1234567890:ZZZdqTcvCH1vGWJxfSeofSAs0K5PALDxyz"
    record = redactor_record("url /bot12345:abcDEF-_x/sendMessage, bare %s", other)
    redactor.filter(record)
    message = record.getMessage()
    assert "abcDEF-_x" not in message and "ZZZdqTcv" not in message
    # Times, ratios and ids are left alone.
    record = redactor_record("at 12:30, 3:1 odds, update 123456789:0")
    redactor.filter(record)
    assert record.getMessage() == "at 12:30, 3:1 odds, update 123456789:0"


def test_installing_the_redactor_twice_does_not_stack_filters() -> None:
    handler = logging.NullHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        install_redactor([TOKEN])
        install_redactor(["another-secret-value"])
        redactors = [f for f in handler.filters if isinstance(f, SecretRedactor)]
        assert len(redactors) == 1
        assert redactors[0].redact("another-secret-value") == REDACTED
    finally:
        root.removeHandler(handler)


# --- expected events in one line ------------------------------------------------------------


def test_a_stop_without_telegram_is_one_warning_line_without_traceback() -> None:
    configure_logging("INFO")  # as `ktbot run` does
    logging.captureWarnings(False)  # which other tests need as pytest left it
    updater = logging.getLogger("telegram.ext.Updater")
    error = NetworkError("httpx.ConnectError: All connection attempts failed")
    record = updater.makeRecord(
        updater.name,
        logging.ERROR,
        __file__,
        1,
        "Error while calling `get_updates` one more time to mark all fetched updates. "
        "Suppressing error to ensure graceful shutdown.",
        (),
        (type(error), error, None),
    )

    assert updater.filter(record)

    assert record.levelno == logging.WARNING and record.exc_info is None
    assert record.getMessage().startswith(
        "stopped without telling Telegram which updates were fetched (httpx.ConnectError"
    )
