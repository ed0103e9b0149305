"""Unit tests of the storage modules behind the `Storage` facade: the write backlog on its
own (with a fake writer instead of a failing database), the migration runner, the column
formats and the enquiry store's interface."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.storage import DatabaseUnavailable, NewExchange, StorageError, WeekCount, migrations
from bot.storage.backlog import WriteBacklog
from bot.storage.enquiries import EnquiryStore
from bot.storage.sqlite import (
    Database,
    decode_candidates,
    encode_candidates,
    fetch_count,
    fetch_one,
    from_db_time,
    to_db_time,
)
from bot.storage.stats import _every_week
from intents.matching.result import Candidate, MatchResult, Outcome

NOW = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "db.sqlite3", clock=lambda: NOW)
    yield database
    await database.close()


def new(question: str) -> NewExchange:
    return NewExchange(
        "cli", None, question, MatchResult(question, Outcome.FALLBACK, None, 0.1), "v"
    )


class Writer:
    """Stands in for `record_exchange`: refuses while `refusing`, records otherwise."""

    def __init__(self) -> None:
        self.refusing = False
        self.unwritable: set[str] = set()
        self.written: list[str] = []

    async def __call__(self, exchange: NewExchange) -> int | None:
        if self.refusing:
            raise DatabaseUnavailable("locked")
        if exchange.question in self.unwritable:
            raise StorageError("cannot be written")
        self.written.append(exchange.question)
        return len(self.written)


async def test_the_backlog_records_at_once_while_the_database_takes_writes(
    database: Database,
) -> None:
    writer = Writer()
    backlog = WriteBacklog(database, writer, retry_delay=0.01)

    assert await backlog.record_or_defer(new("q1")) == 1
    assert len(backlog) == 0 and writer.written == ["q1"]


async def test_the_backlog_keeps_refused_exchanges_and_writes_them_in_order(
    database: Database,
) -> None:
    writer = Writer()
    backlog = WriteBacklog(database, writer, retry_delay=0.01)
    writer.refusing = True
    assert await backlog.record_or_defer(new("q1")) is None
    writer.refusing = False
    # While some wait, a new one joins them rather than overtaking them.
    assert await backlog.record_or_defer(new("q2")) is None
    assert len(backlog) == 2

    for _ in range(200):
        if not len(backlog):
            break
        await asyncio.sleep(0.01)
    assert writer.written == ["q1", "q2"]
    await backlog.stop()


async def test_the_backlog_drops_the_oldest_past_its_limit_and_skips_the_unwritable(
    database: Database,
) -> None:
    writer = Writer()
    backlog = WriteBacklog(database, writer, limit=2, retry_delay=60)
    writer.refusing = True
    for question in ("q1", "q2", "q3"):
        await backlog.record_or_defer(new(question))
    assert len(backlog) == 2
    writer.refusing = False
    writer.unwritable = {"q2"}

    await backlog.stop()  # the last attempt

    assert writer.written == ["q3"] and len(backlog) == 0
    with pytest.raises(StorageError, match="closed"):
        await backlog.record_or_defer(new("late"))


async def test_a_deferred_exchange_keeps_the_time_it_was_asked(database: Database) -> None:
    seen: list[datetime | None] = []

    async def record(exchange: NewExchange) -> int:
        seen.append(exchange.at)
        return 1

    await WriteBacklog(database, record).record_or_defer(new("q"))
    assert seen == [NOW]


async def test_the_migration_runner_applies_nothing_to_a_current_database(
    database: Database,
) -> None:
    assert await migrations.check_version(database) == migrations.SCHEMA_VERSION
    assert [m async for m in migrations.upgrade(database)] == []


async def test_the_migration_runner_refuses_a_newer_schema(database: Database) -> None:
    async with database.read() as db:
        await db.execute(f"PRAGMA user_version = {migrations.SCHEMA_VERSION + 1}")
    with pytest.raises(StorageError, match="newer than this ktbot understands"):
        await migrations.check_version(database)


async def test_rows_are_read_by_column_name(database: Database) -> None:
    async with database.read() as db:
        row = await fetch_one(db, "SELECT 7 AS seven, 'x' AS letter")
        empty = await fetch_one(db, "SELECT 1 FROM exchanges WHERE id = ?", (1,))
        count = await fetch_count(db, "SELECT COUNT(*) FROM exchanges")
    assert row is not None and (row["seven"], row["letter"]) == (7, "x")
    assert empty is None and count == 0


async def test_a_closed_database_refuses_reads_and_writes(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "db.sqlite3")
    await database.close()
    await database.close()  # twice is harmless
    with pytest.raises(StorageError, match="closed"):
        async with database.read():
            pass
    with pytest.raises(StorageError, match="closed"):
        async with database.write():
            pass


def test_times_and_candidates_round_trip_through_their_column_format() -> None:
    assert from_db_time(to_db_time(NOW)) == NOW
    with pytest.raises(ValueError, match="timezone-aware"):
        to_db_time(datetime(2025, 1, 1))
    candidates = (Candidate("a.b", 0.5), Candidate("é", 0.25))
    assert decode_candidates(encode_candidates(candidates)) == candidates
    assert decode_candidates("not json") == () and decode_candidates('{"a": 1}') == ()
    assert decode_candidates(None) == ()


def test_the_weekly_trend_has_no_holes() -> None:
    first, third = WeekCount(date(2025, 3, 3), 2, 1, 0, 1), WeekCount(date(2025, 3, 17), 1, 1, 0, 0)
    assert _every_week([third, first]) == (first, WeekCount(date(2025, 3, 10), 0, 0, 0, 0), third)
    assert _every_week([]) == ()


async def test_the_enquiry_store_works_on_the_database_alone(database: Database) -> None:
    store = EnquiryStore(database)
    enquiry_id = await store.create_draft(user_key="k", user_chat_id=1, question="hello")
    enquiry = await store.get(enquiry_id)
    assert enquiry is not None and (enquiry.question, enquiry.created_at) == ("hello", NOW)
    assert await store.undelivered_count() == 0
