"""What handlers need, bundled once per application instead of module-level globals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from telegram.ext import ContextTypes

from bot.conversation import Conversation
from bot.live_knowledge import LiveKnowledge
from bot.pseudonym import user_key
from bot.ratelimit import RateLimiter
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.storage import Storage

SERVICES_KEY = "ktbot.services"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class BotServices:
    settings: Settings
    knowledge: LiveKnowledge
    conversation: Conversation
    storage: Storage | None
    limiter: RateLimiter
    secret: str
    clock: Callable[[], datetime] = utc_now
    """What time it is for reports (stats, digest): tests replace it to age the content."""

    def user_key(self, user_id: int) -> str:
        return user_key(self.secret, "telegram", user_id)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids

    @property
    def handoff_enabled(self) -> bool:
        return self.settings.staff_chat_id is not None and self.storage is not None


def services(context: ContextTypes.DEFAULT_TYPE) -> BotServices:
    return context.application.bot_data[SERVICES_KEY]
