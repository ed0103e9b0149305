"""The bot's database for the commands that read or update it (`unanswered`, `stats`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from bot.settings import Settings
from bot.storage import Storage

T = TypeVar("T")


def with_storage(settings: Settings, work: Callable[[Storage], Awaitable[T]]) -> T:
    """Run `work` on the bot's database; never create one (a wrong KTBOT_DB must say so)."""

    async def main() -> T:
        async with await Storage.open(settings.db_path, create=False) as storage:
            return await work(storage)

    return asyncio.run(main())


def since_moment(age: timedelta | None, now: datetime | None = None) -> datetime | None:
    """`now` (default: the clock) less `age`; None for no limit."""
    return None if age is None else (now or datetime.now(UTC)) - age
