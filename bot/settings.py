"""Configuration: one immutable object built from the environment, validated up front."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.atomic_write import write_atomically
from bot.errors import KtbotError

REPO_KNOWLEDGE_DIR = Path(__file__).resolve().parents[1] / "knowledge"
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_\-]+$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

log = logging.getLogger(__name__)


class SettingsError(KtbotError):
    """A setting is missing or malformed; the message names the variable."""

    exit_code = 2


@dataclass(frozen=True)
class Settings:
    knowledge_dir: Path = REPO_KNOWLEDGE_DIR
    db_path: Path = Path("data/ktbot.sqlite3")
    telegram_token: str | None = field(default=None, repr=False)
    telegram_api_url: str | None = None
    admin_ids: frozenset[int] = frozenset()
    staff_chat_id: int | None = None
    log_level: str = "INFO"
    secret: str | None = field(default=None, repr=False)
    retention_days: int = 180
    rate_limit_per_minute: int = 20
    send_rate_per_second: int = 30
    """Telegram allows about 30 messages a second per bot; 0 turns throttling off."""
    webhook_secret: str | None = field(default=None, repr=False)
    enquiry_reminder_hours: int = 48
    """Staff are reminded of an enquiry still unanswered this long after it arrived; 0: never."""
    reply_days: int | None = None
    """Working days within which staff usually answer an enquiry, told to the user after a
    hand-off; unset: no reply time is promised."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        token = get("TELEGRAM_BOT_TOKEN")
        if token is not None and not _TOKEN.match(token):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is malformed: expected '<digits>:<letters>' as given by "
                "@BotFather"
            )
        level = (get("KTBOT_LOG_LEVEL") or "INFO").upper()
        if level not in _LOG_LEVELS:
            raise SettingsError(f"KTBOT_LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}")
        api_url = get("KTBOT_TELEGRAM_API_URL")
        if api_url is not None and not re.match(r"^https?://", api_url):
            raise SettingsError("KTBOT_TELEGRAM_API_URL must start with http:// or https://")
        return cls(
            knowledge_dir=Path(get("KTBOT_KNOWLEDGE_DIR") or REPO_KNOWLEDGE_DIR),
            db_path=Path(get("KTBOT_DB") or "data/ktbot.sqlite3"),
            telegram_token=token,
            telegram_api_url=api_url.rstrip("/") if api_url else None,
            admin_ids=_int_set("KTBOT_ADMIN_IDS", get("KTBOT_ADMIN_IDS")),
            staff_chat_id=_int("KTBOT_STAFF_CHAT_ID", get("KTBOT_STAFF_CHAT_ID")),
            log_level=level,
            secret=get("KTBOT_SECRET"),
            retention_days=_positive("KTBOT_RETENTION_DAYS", get("KTBOT_RETENTION_DAYS"), 180),
            rate_limit_per_minute=_positive(
                "KTBOT_RATE_LIMIT_PER_MINUTE", get("KTBOT_RATE_LIMIT_PER_MINUTE"), 20
            ),
            send_rate_per_second=_non_negative(
                "KTBOT_SEND_RATE_PER_SECOND", get("KTBOT_SEND_RATE_PER_SECOND"), 30
            ),
            webhook_secret=get("KTBOT_WEBHOOK_SECRET"),
            enquiry_reminder_hours=_non_negative(
                "KTBOT_ENQUIRY_REMINDER_HOURS", get("KTBOT_ENQUIRY_REMINDER_HOURS"), 48
            ),
            reply_days=_optional_positive("KTBOT_REPLY_DAYS", get("KTBOT_REPLY_DAYS")),
        )

    def require_token(self) -> str:
        if not self.telegram_token:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and export its token"
            )
        return self.telegram_token

    def pseudonym_secret(self) -> str:
        """KTBOT_SECRET, or a random secret kept beside the database so keys stay stable.

        The file appears complete or not at all (written aside, then linked into place), so
        a crash never leaves a half-written secret, and when two processes start at once
        the second adopts the first one's secret. An empty file, left by older versions
        that crashed between creating and writing it, is replaced: an empty secret would
        make every pseudonym guessable.
        """
        if self.secret:
            return self.secret
        path = self.db_path.parent / ".ktbot-secret"
        for _ in range(3):
            stored = _read_secret(path)
            if stored:
                return stored
            try:
                created = _create_secret(path, replace_empty=stored is not None)
            except OSError as exc:
                raise SettingsError(
                    f"KTBOT_SECRET is not set and {path} cannot be created: {exc}"
                ) from exc
            if created:
                log.warning(
                    "KTBOT_SECRET is not set; generated one in %s (set KTBOT_SECRET in production)",
                    path,
                )
                return created
            # Another process created it first: the next round reads its secret.
        raise SettingsError(f"KTBOT_SECRET is not set and {path} stays empty; delete it")


def _create_secret(path: Path, *, replace_empty: bool) -> str | None:
    """A new secret stored at `path`, or None if another process stored one first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if replace_empty:
        log.warning("%s is empty (an interrupted first start?); replacing it", path)
        # Removed only while still empty, so a secret another process has just put in its
        # place survives (but for the instant between this check and the unlink).
        with contextlib.suppress(FileNotFoundError):
            if not _read_secret(path):
                path.unlink()
    value = secrets.token_hex(32)
    # Written aside and linked into place: unlike create-then-write, no reader can ever see
    # the file empty or partial, and it is readable by its owner only.
    created = write_atomically(path, value, create=True, prefix=f"{path.name}.", encoding="ascii")
    return value if created else None


def _read_secret(path: Path) -> str | None:
    """The stripped content of `path` ("" when blank), or None when it does not exist."""
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"KTBOT_SECRET is not set and {path} is unreadable: {exc}") from exc


def _int(name: str, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {value!r}") from None


def _positive(name: str, value: str | None, default: int) -> int:
    number = _int(name, value)
    if number is None:
        return default
    if number <= 0:
        raise SettingsError(f"{name} must be a positive integer, got {value!r}")
    return number


def _optional_positive(name: str, value: str | None) -> int | None:
    return None if value is None else _positive(name, value, 0)


def _non_negative(name: str, value: str | None, default: int) -> int:
    number = _int(name, value)
    if number is None:
        return default
    if number < 0:
        raise SettingsError(f"{name} must be zero or a positive integer, got {value!r}")
    return number


def _int_set(name: str, value: str | None) -> frozenset[int]:
    if value is None:
        return frozenset()
    parts = [p for p in re.split(r"[,\s]+", value) if p]
    try:
        return frozenset(int(p) for p in parts)
    except ValueError:
        raise SettingsError(
            f"{name} must be a comma-separated list of numeric Telegram user ids, got {value!r}"
        ) from None
