"""`Storage`: the one object the rest of ktbot talks to, in front of the data areas.

Each method hands over, unchanged, to the module of its data area, which holds the SQL:

    exchanges.py    exchanges, 👍/👎, 'did you mean…' choices
    unanswered.py   the review of unanswered questions
    backlog.py      the write backlog: exchanges kept in memory while writes are refused
    inbox.py        Telegram updates kept on disk until handled (crash safety)
    privacy.py      retention and /forget
    stats.py        usage statistics
    languages.py    each user's chosen language
    visits.py       topics opened from a deep link, the browser or a related button
    rows.py         records built from rows, column by field name
    sqlite.py       the connection, transactions, errors and column formats
    migrations.py   the schema, and the runner that applies it

Enquiries to KT staff (enquiries.py, enquiry_rows.py) are reached without a pass-through,
as `Storage.enquiries`.

Every method runs in its own transaction, so concurrent handlers never interleave
statements and an error rolls back only the change that failed.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self

import aiosqlite

from bot.storage import migrations
from bot.storage.backlog import BACKLOG_LIMIT, RETRY_DELAY, WriteBacklog
from bot.storage.enquiries import EnquiryStore
from bot.storage.exchanges import ExchangeStore
from bot.storage.inbox import InboxStore
from bot.storage.languages import LanguageStore
from bot.storage.privacy import Privacy
from bot.storage.records import (
    CurrentId,
    Exchange,
    InboxEntry,
    NewExchange,
    ReviewState,
    UnansweredQuestion,
    UsageStats,
)
from bot.storage.sqlite import DEFAULT_BUSY_TIMEOUT, Clock, Database, utc_now
from bot.storage.stats import Statistics
from bot.storage.unanswered import UnansweredStore
from bot.storage.visits import VisitCounts, VisitSource, VisitStore


class Storage:
    """Exchanges, feedback, review of unanswered questions, the inbox, enquiries,
    privacy, statistics and chosen languages; all async. `await Storage.open(path)`."""

    def __init__(
        self,
        database: Database,
        *,
        backlog_limit: int = BACKLOG_LIMIT,
        retry_delay: float = RETRY_DELAY,
    ) -> None:
        self.database = database
        """The connection (tests reach past the API with it)."""
        self.enquiries = EnquiryStore(database)
        """Enquiries to KT staff (enquiries.py): used directly, as only the Telegram hand-off
        uses them and their many small methods would gain nothing from a pass-through here."""
        self._exchanges = ExchangeStore(database)
        self._unanswered = UnansweredStore(database)
        self._inbox = InboxStore(database)
        self._privacy = Privacy(database)
        self._statistics = Statistics(database)
        self._languages = LanguageStore(database)
        self._visits = VisitStore(database)
        # Through this facade, so that the backlog writes with whatever `record_exchange`
        # is now (tests replace it to simulate a failing database).
        self._backlog = WriteBacklog(
            database,
            lambda new: self.record_exchange(new),
            limit=backlog_limit,
            retry_delay=retry_delay,
        )

    # --- lifecycle ------------------------------------------------------------------------

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        create: bool = True,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        clock: Clock = utc_now,
        backlog_limit: int = BACKLOG_LIMIT,
        retry_delay: float = RETRY_DELAY,
    ) -> Storage:
        """Open (creating it and its directory unless `create` is False) and migrate.

        `backlog_limit` and `retry_delay` bound what `record_exchange_or_defer` keeps in
        memory while the database refuses writes, and how soon it tries again.
        """
        database = await Database.open(path, create=create, busy_timeout=busy_timeout, clock=clock)
        return cls(database, backlog_limit=backlog_limit, retry_delay=retry_delay)

    async def close(self) -> None:
        """Close, after a last attempt to write the exchanges of the write backlog."""
        if self.database.closed or self._backlog.stopping:
            return
        await self._backlog.stop()
        await self.database.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def path(self) -> Path:
        return self.database.path

    async def schema_version(self) -> int:
        async with self.database.read() as db:
            return await migrations.schema_version(db)

    # For tests that reach past the API (fault injection, raw queries).
    @property
    def _db(self) -> aiosqlite.Connection:
        return self.database.connection

    def _read(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        return self.database.read()

    # --- exchanges, and the write backlog (exchanges.py, backlog.py) ------------------------

    async def record_exchange(self, new: NewExchange) -> int | None:
        """Record one exchange and return its id (that of the first recording, for a
        redelivered Telegram update)."""
        return await self._exchanges.record_exchange(new)

    async def record_exchange_or_defer(self, new: NewExchange) -> int | None:
        """`record_exchange`, or None when the database refuses writes for now: the exchange
        then waits in the write backlog, written by a background task once it can be."""
        return await self._backlog.record_or_defer(new)

    @property
    def backlog(self) -> int:
        """How many exchanges wait in memory for the database to take writes again."""
        return len(self._backlog)

    async def exchange(self, exchange_id: int) -> Exchange | None:
        return await self._exchanges.exchange(exchange_id)

    async def record_feedback(
        self, exchange_id: int, helpful: bool, voter: str | None = None
    ) -> None:
        """👍/👎 on an exchange; a second vote on the same exchange replaces the first.
        NotTheAsker when `voter` (a pseudonym) is not who asked."""
        await self._exchanges.record_feedback(exchange_id, helpful, voter)

    async def record_choice(self, exchange_id: int, intent: str) -> None:
        """The topic picked after a 'did you mean…'; a later pick replaces it."""
        await self._exchanges.record_choice(exchange_id, intent)

    # --- unanswered questions (unanswered.py) ---------------------------------------------

    async def mark_unanswered(self, exchange_id: int) -> bool:
        """Put a 'did you mean…' answered with "None of these" up for review; False if it
        already was under review."""
        return await self._unanswered.mark_unanswered(exchange_id)

    async def unanswered(
        self,
        *,
        state: ReviewState | None = ReviewState.OPEN,
        since: datetime | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[UnansweredQuestion]:
        """Unanswered questions, newest first; `state=None` lists every state."""
        return await self._unanswered.unanswered(
            state=state, since=since, limit=limit, offset=offset
        )

    async def unanswered_question(self, exchange_id: int) -> UnansweredQuestion | None:
        """One unanswered question by its exchange id (None if it is not one)."""
        return await self._unanswered.unanswered_question(exchange_id)

    async def count_unanswered(
        self, *, state: ReviewState | None = ReviewState.OPEN, since: datetime | None = None
    ) -> int:
        return await self._unanswered.count_unanswered(state=state, since=since)

    async def resolve(self, exchange_id: int, topic_id: str) -> None:
        """Mark an unanswered question as covered by `topic_id` now."""
        await self._unanswered.resolve(exchange_id, topic_id)

    async def resolve_open(self, exchange_ids: Iterable[int], topic_id: str) -> list[int]:
        """Resolve those of `exchange_ids` still open by `topic_id`; return the ids resolved."""
        return await self._unanswered.resolve_open(exchange_ids, topic_id)

    async def reopen_unanswered(self, exchange_id: int) -> bool:
        """Undo a resolve or an ignore; False if the question was open already."""
        return await self._unanswered.reopen(exchange_id)

    async def ignore(self, exchange_id: int, reason: str) -> None:
        """Set an unanswered question aside for good (spam, out of scope, a test)."""
        await self._unanswered.ignore(exchange_id, reason)

    # --- the inbox of Telegram updates (inbox.py) -----------------------------------------

    async def inbox_add(self, update_id: int, payload: str, user_key: str | None = None) -> bool:
        """Put a Telegram update in the inbox until it is handled; False if it is known
        already (a redelivery not to handle again)."""
        return await self._inbox.add(update_id, payload, user_key)

    async def inbox_mark_handled(self, update_ids: Iterable[int]) -> None:
        """The updates were handled (answered, or failed and logged): forget their content."""
        await self._inbox.mark_handled(update_ids)

    async def inbox_take_unhandled(self) -> list[InboxEntry]:
        """Updates in the inbox that a stopped process did not handle, oldest first."""
        return await self._inbox.take_unhandled()

    # --- privacy (privacy.py) -------------------------------------------------------------

    async def checkpoint(self) -> None:
        """Copy the -wal file into the database and truncate it: the earlier versions of
        rows since changed (emptied inbox payloads) go with it. Best effort."""
        await self.database.checkpoint()

    async def purge_older_than(self, cutoff: datetime) -> int:
        """Delete what is older than `cutoff`; return how many exchanges and hand-offs."""
        return await self._privacy.purge_older_than(cutoff)

    async def forget_user(self, user_key: str) -> int:
        """Delete everything recorded about one user; return the number of records."""
        return await self._privacy.forget_user(user_key)

    # --- chosen languages (languages.py) --------------------------------------------------

    async def user_language(self, user_key: str) -> str | None:
        """The language a user chose with /language, if any."""
        return await self._languages.user_language(user_key)

    async def set_user_language(self, user_key: str, language: str | None) -> None:
        """Remember a user's language; None forgets it."""
        await self._languages.set_user_language(user_key, language)

    # --- topic visits (visits.py) ---------------------------------------------------------

    async def record_visit(self, user_key: str | None, topic: str, source: VisitSource) -> int:
        """A topic opened without a question; the visit's id, for the 👍/👎 under it."""
        return await self._visits.record(user_key, topic, source)

    async def record_visit_feedback(
        self, visit_id: int, helpful: bool, voter: str | None = None
    ) -> None:
        """👍/👎 under a visited topic; ExchangeGone once the visit was deleted, NotTheAsker
        when `voter` is not who opened it."""
        await self._visits.record_feedback(visit_id, helpful, voter)

    async def visit_counts(self, since: datetime) -> VisitCounts:
        """Topic visits since `since`, by source, with their votes."""
        return await self._visits.counts(since)

    # --- statistics (stats.py) ------------------------------------------------------------

    async def stats(
        self,
        since: datetime | None = None,
        *,
        top: int = 10,
        current_id: CurrentId | None = None,
    ) -> UsageStats:
        """Totals per outcome, top topics, feedback per topic and the weekly trend; with
        `current_id` (`KnowledgeBase.current_id`), renamed topics under their current ids."""
        return await self._statistics.stats(since, top=top, current_id=current_id)

    async def served_counts(
        self,
        since: datetime | None = None,
        current_id: CurrentId | None = None,
    ) -> dict[str, int]:
        """How often each topic was served since `since`, for every topic served; with
        `current_id`, renamed topics under their current ids."""
        return await self._statistics.served_counts(since, current_id)
