"""The write backlog: exchanges kept in memory while the database refuses writes.

When the database is locked past the busy timeout, read-only or on a full disk, an exchange
is not lost: it waits here, in a bounded queue that a background task writes, oldest first,
as soon as the database takes writes again. (Not to be confused with the inbox, `inbox.py`,
which keeps Telegram updates on disk so that a crash does not lose them.)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.storage.records import DatabaseUnavailable, NewExchange, StorageError
from bot.storage.sqlite import Database

log = logging.getLogger(__name__)

BACKLOG_LIMIT = 1000
"""Exchanges kept in memory while the database refuses writes; past it the oldest are lost."""
RETRY_DELAY = 2.0
MAX_RETRY_DELAY = 60.0
"""Seconds between attempts to write the backlog: doubling from the first to the second."""

Record = Callable[[NewExchange], Awaitable[int | None]]


class WriteBacklog:
    """Exchanges waiting in memory for the database, and the task that writes them."""

    def __init__(
        self,
        database: Database,
        record: Record,
        *,
        limit: int = BACKLOG_LIMIT,
        retry_delay: float = RETRY_DELAY,
    ) -> None:
        self._database = database
        self._record = record
        self._waiting: deque[NewExchange] = deque()
        self._limit = limit
        self._retry_delay = retry_delay
        self._dropped = 0
        self._writer: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        # One recording attempt at a time: the others then see the backlog and join it.
        self._gate = asyncio.Lock()

    def __len__(self) -> int:
        return len(self._waiting)

    @property
    def stopping(self) -> bool:
        """True once `stop` was called: the storage is closing."""
        return self._stopping.is_set()

    async def record_or_defer(self, new: NewExchange) -> int | None:
        """Record `new`, or keep it here and return None while the database refuses writes.

        While some exchanges are waiting, a new one joins them at once instead of making
        the user wait out another busy timeout. Other errors raise StorageError.
        """
        if self._database.closed or self.stopping:
            raise StorageError(f"the database {self._database.path} is closed")
        if new.at is None:  # recorded as asked now, however late it is written
            new = replace(new, at=self._database.clock())
        async with self._gate:
            if self._waiting:
                self._add(new)
                log.debug("exchange held in memory (%d waiting for the database)", len(self))
                return None
            try:
                return await self._record(new)
            except DatabaseUnavailable as exc:
                self._add(new)
                log.error(
                    "%s; exchange not recorded yet: held in memory and written when the "
                    "database takes writes again (up to %d are kept)",
                    exc,
                    self._limit,
                )
                return None

    async def stop(self) -> None:
        """Stop the background writer and make a last attempt to write what waits."""
        # The writer is not cancelled: it may be inside a transaction; it stops between
        # attempts. The event also tells new exchanges that the storage is closing.
        self._stopping.set()
        if self._writer is not None:
            await self._writer
        if not self._waiting:
            return
        try:
            await self.write_waiting()
        except StorageError as exc:
            log.error(
                "%d exchange(s) held in memory are lost: the database still refuses "
                "writes at shutdown: %s",
                len(self._waiting),
                exc,
            )

    async def write_waiting(self) -> int:
        """Write waiting exchanges oldest first; stop at (and raise) the database refusing."""
        written = 0
        while self._waiting:
            new = self._waiting[0]
            try:
                await self._record(new)
            except DatabaseUnavailable:
                raise
            except StorageError as exc:  # this one cannot be written at all: do not block
                log.error("dropping an exchange held in memory that cannot be written: %s", exc)
            else:
                written += 1
            # Exchanges only leave the backlog once written (or unwritable).
            if self._waiting and self._waiting[0] is new:
                self._waiting.popleft()
        return written

    def _add(self, new: NewExchange) -> None:
        if len(self._waiting) >= self._limit:
            self._waiting.popleft()
            self._dropped += 1
            if self._dropped == 1:
                log.error(
                    "%d exchanges are waiting for the database %s: dropping the oldest from "
                    "now on (they will not be recorded)",
                    self._limit,
                    self._database.path,
                )
        self._waiting.append(new)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_until_done(), name="ktbot-db-backlog")

    async def _write_until_done(self) -> None:
        """Retry with a doubling delay until the backlog is written (or storage closes)."""
        delay = self._retry_delay
        while self._waiting:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
            if self.stopping:
                return  # stop() makes the last attempt
            try:
                written = await self.write_waiting()
            except StorageError as exc:
                delay = min(delay * 2, max(MAX_RETRY_DELAY, self._retry_delay))
                log.warning(
                    "still cannot write to the database (%s); %d exchange(s) held in memory, "
                    "next attempt in %gs",
                    exc,
                    len(self),
                    delay,
                )
                continue
            lost = f", {self._dropped} dropped for lack of room" if self._dropped else ""
            log.warning(
                "the database %s takes writes again: recorded %d exchange(s) held in memory%s",
                self._database.path,
                written,
                lost,
            )
            self._dropped = 0
