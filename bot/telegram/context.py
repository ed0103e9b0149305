"""What every handler and job reaches through its context: typed bot data, not string keys.

python-telegram-bot makes `context.bot_data` from `CONTEXT_TYPES` when the Application is
built (PTB `examples/contexttypesbot.py`), with no arguments. `build_application` then gives
it the settings and the knowledge, and `post_init` opens the rest (`BotData.start`), before
the first update or job is handled: handlers and jobs always find every service present.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.conversation import Conversation
from bot.live_knowledge import LiveKnowledge
from bot.pseudonym import user_key
from bot.ratelimit import RateLimiter
from bot.settings import Settings
from bot.storage import Storage
from intents import Language, Problem


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class UserData:
    """`context.user_data`: what the bot keeps in memory about one user (never persisted)."""

    chosen_language: str | None = None
    """The user's stored /language choice ("" for none), read from storage once; None
    until then."""
    last_language: Language | None = None
    """The language of the user's last question."""


@dataclass(slots=True)
class ChatData:
    """`context.chat_data`: what the bot keeps in memory about one chat."""

    answered: dict[int, str] = field(default_factory=dict)
    """{message id: the text answered}, so an edited message is answered once per text."""


class BotData:
    """`context.bot_data`: the services, and the little state the bot keeps in memory."""

    settings: Settings
    knowledge: LiveKnowledge
    # Opened by `start`, in post_init, before any handler or job runs.
    storage: Storage
    conversation: Conversation
    limiter: RateLimiter
    secret: str

    def __init__(self) -> None:
        self.started = False
        self.clock: Callable[[], datetime] = utc_now
        """What time it is for reports (stats, digest): tests replace it to age the content."""
        self.watcher: asyncio.Task[None] | None = None
        """The knowledge watcher, cancelled when the bot stops."""
        self.last_reload_failure: tuple[Problem, ...] | None = None
        """The problems admins were last told of, so a broken edit is reported once."""
        self.delivering: set[int] = set()
        """Enquiries being sent to the staff chat now (by a job or a button press)."""
        self.staff_forum: bool | None = None
        """The staff chat has topics (True), is a plain group (False), or is to be detected."""
        self.staff_forum_notice_sent = False
        """Admins were told that the bot may not manage topics (once per run)."""

    def configure(self, settings: Settings, knowledge: LiveKnowledge) -> None:
        self.settings = settings
        self.knowledge = knowledge

    def start(self, storage: Storage) -> None:
        """The services that need the open database, once it is open."""
        self.storage = storage
        self.conversation = Conversation(self.knowledge, storage, channel="telegram")
        self.limiter = RateLimiter(self.settings.rate_limit_per_minute)
        self.secret = self.settings.pseudonym_secret()
        self.started = True

    def user_key(self, user_id: int) -> str:
        return user_key(self.secret, "telegram", user_id)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids

    @property
    def handoff_enabled(self) -> bool:
        return self.settings.staff_chat_id is not None


Context = CallbackContext[ExtBot[None], UserData, ChatData, BotData]
"""The `context` of every handler and job."""
KtApplication = Application[Any, Any, UserData, ChatData, BotData, Any]
"""The Application, as far as the bot's code needs its type: what its bot_data holds."""
CONTEXT_TYPES = ContextTypes(bot_data=BotData, user_data=UserData, chat_data=ChatData)
