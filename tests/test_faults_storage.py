"""Database faults (locked, read-only, full, failing): the bot keeps answering, holds the
exchanges, logs one clear line and catches up. In-process, over the fake Bot API."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.conversation import clean_question
from bot.storage import DatabaseUnavailable, NewExchange, Storage, StorageError
from bot.storage.sqlite import from_db_time, storage_error
from bot.telegram import callback_data as cd
from intents.matching.result import MatchResult, Outcome
from tests import telegram_updates as tg
from tests.bot_harness import running_bot
from tests.fault_helpers import ANSWER, LONG_QUESTION, QUESTION, wait_until

# --- the database -------------------------------------------------------------------------


@pytest.fixture
def quick_storage(monkeypatch: pytest.MonkeyPatch) -> None:
    """Storage.open with a short busy timeout and fast backlog retries (seconds in prod)."""
    original = Storage.open.__func__  # type: ignore[attr-defined]

    async def open_quickly(cls: type[Storage], path: Path, **kwargs: Any) -> Storage:
        kwargs.setdefault("busy_timeout", 0.2)
        kwargs.setdefault("retry_delay", 0.05)
        return await original(cls, path, **kwargs)

    monkeypatch.setattr(Storage, "open", classmethod(open_quickly))


class DbFault:
    """One way for the database to refuse writes, switched on and off by a test."""

    advice: str

    async def start(self, storage: Storage) -> None:
        raise NotImplementedError

    async def stop(self, storage: Storage) -> None:
        raise NotImplementedError


class Locked(DbFault):
    """Another process holds the write lock longer than the busy timeout (a real lock)."""

    advice = "is locked by another process"

    async def start(self, storage: Storage) -> None:
        self.other = sqlite3.connect(storage.path, timeout=0, isolation_level=None)
        self.other.execute("BEGIN EXCLUSIVE")

    async def stop(self, storage: Storage) -> None:
        self.other.execute("ROLLBACK")
        self.other.close()


class DiskFull(DbFault):
    """SQLite's size cap fails exactly like a full disk (SQLITE_FULL, a real error)."""

    advice = "is full: free space on that volume"

    async def start(self, storage: Storage) -> None:
        pages = await storage._db.execute_fetchall("PRAGMA page_count")
        await storage._db.execute(f"PRAGMA max_page_count = {next(iter(pages))[0]}")

    async def stop(self, storage: Storage) -> None:
        await storage._db.execute("PRAGMA max_page_count = 1073741823")


class ReadOnly(DbFault):
    """The volume was remounted read-only: every write transaction is refused.

    Simulated (as root, or with the file already open, mode bits change nothing): the
    connection raises the error SQLite gives, "attempt to write a readonly database".
    """

    advice = "is read-only: make the file and its directory writable"

    async def start(self, storage: Storage) -> None:
        connection = storage._db
        self.original = connection.execute

        def execute(sql: str, *args: Any, **kwargs: Any) -> Any:
            if sql.startswith("BEGIN"):
                raise sqlite3.OperationalError("attempt to write a readonly database")
            return self.original(sql, *args, **kwargs)

        connection.execute = execute  # type: ignore[method-assign]

    async def stop(self, storage: Storage) -> None:
        storage._db.execute = self.original  # type: ignore[method-assign]


async def recorded_questions(storage: Storage) -> list[str]:
    async with storage._read() as db:
        rows = await db.execute_fetchall("SELECT question FROM exchanges ORDER BY id")
    return [row[0] for row in rows]


@pytest.mark.parametrize("fault", [Locked, DiskFull, ReadOnly], ids=lambda f: f.__name__)
async def test_database_refusing_writes_still_answers_logs_the_fix_and_catches_up(
    tmp_path: Path,
    quick_storage: None,
    caplog: pytest.LogCaptureFixture,
    fault: type[DbFault],
) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.send(tg.message("what is medicis"))  # recorded before the fault
        injected = fault()
        await injected.start(bot.storage)
        try:
            with caplog.at_level(logging.INFO):
                await bot.send(tg.message(LONG_QUESTION))
                # The reply matters more than the record: the user is answered anyway.
                assert ANSWER in bot.api.last_text()
                await bot.send(tg.message("licensing"))
                assert "Licensing" in bot.api.last_text()
            # One line for the fault, not one per question: once the database has refused,
            # new exchanges join the backlog without waiting on it again.
            errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
            assert len(errors) == 1, [r.getMessage() for r in errors]
            line = errors[0].getMessage()
            assert injected.advice in line and "exchange not recorded yet" in line
            assert bot.storage.backlog == 2
        finally:
            await injected.stop(bot.storage)

        # Once the fault clears, what was held is written, oldest first, and nothing is lost.
        await wait_until(lambda: bot.storage.backlog == 0, what="the backlog to be written")
        assert "takes writes again: recorded 2 exchange(s)" in caplog.text
        await bot.send(tg.message("what is medicis?"))
        questions = await recorded_questions(bot.storage)
        assert questions == [
            "what is medicis",
            clean_question(LONG_QUESTION)[0],
            "licensing",
            "what is medicis?",
        ]


async def test_held_exchanges_keep_their_time_and_the_feedback_buttons_come_back(
    tmp_path: Path, quick_storage: None
) -> None:
    async with running_bot(tmp_path) as bot:
        fault = Locked()
        await fault.start(bot.storage)
        asked = time.time()
        try:
            await bot.send(tg.message(QUESTION))
            # No exchange id yet, so no feedback button to vote with.
            assert not any(d.startswith(cd.FEEDBACK) for _, d in bot.api.buttons())
            await asyncio.sleep(0.5)
        finally:
            await fault.stop(bot.storage)
        await wait_until(lambda: bot.storage.backlog == 0, what="the backlog to be written")
        async with bot.storage._read() as db:
            rows = await db.execute_fetchall("SELECT asked_at FROM exchanges")
        recorded = from_db_time(next(iter(rows))[0]).timestamp()
        # When asked, not when finally written (0.7s later at least).
        assert asked - 0.1 < recorded < asked + 0.4
        await bot.send(tg.message(QUESTION))
        assert any(d.startswith(cd.FEEDBACK) for _, d in bot.api.buttons())


def new(question: str) -> NewExchange:
    result = MatchResult(question, Outcome.FALLBACK, None, 0.1, ())
    return NewExchange("telegram", "user-key", question, result, "v1")


@contextlib.contextmanager
def write_locked(path: Path) -> Iterator[None]:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_the_backlog_is_bounded_and_says_how_many_it_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "ktbot.sqlite3"
    storage = await Storage.open(path, busy_timeout=0.1, backlog_limit=3, retry_delay=0.05)
    async with storage:
        with caplog.at_level(logging.INFO), write_locked(path):
            for n in range(5):
                assert await storage.record_exchange_or_defer(new(f"q{n}")) is None
            assert storage.backlog == 3
        assert "3 exchanges are waiting for the database" in caplog.text
        assert "dropping the oldest" in caplog.text
        await wait_until(lambda: storage.backlog == 0, what="the backlog to be written")
        assert await recorded_questions(storage) == ["q2", "q3", "q4"]
        assert "recorded 3 exchange(s) held in memory, 2 dropped" in caplog.text


async def test_a_clean_shutdown_writes_what_is_held(tmp_path: Path) -> None:
    path = tmp_path / "ktbot.sqlite3"
    # Retries far apart: only close() gets a chance to write the backlog.
    storage = await Storage.open(path, busy_timeout=0.1, retry_delay=60)
    with write_locked(path):
        await storage.record_exchange_or_defer(new("held while locked"))
    assert storage.backlog == 1
    await asyncio.wait_for(storage.close(), 5)
    async with await Storage.open(path) as reopened:
        assert await recorded_questions(reopened) == ["held while locked"]


async def test_shutdown_while_the_database_still_refuses_says_what_is_lost(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "ktbot.sqlite3"
    storage = await Storage.open(path, busy_timeout=0.1, retry_delay=60)
    with write_locked(path):
        await storage.record_exchange_or_defer(new("one"))
        await storage.record_exchange_or_defer(new("two"))
        with caplog.at_level(logging.ERROR):
            await asyncio.wait_for(storage.close(), 5)
    assert "2 exchange(s) held in memory are lost" in caplog.text


def test_only_conditions_that_pass_are_worth_holding_for() -> None:
    def kind(message: str) -> type[StorageError]:
        return type(storage_error(sqlite3.OperationalError(message), Path("x.sqlite3"), 1))

    for passing in (
        "database is locked",
        "attempt to write a readonly database",
        "database or disk is full",
        "disk I/O error",
    ):
        assert kind(passing) is DatabaseUnavailable
    for lasting in ("file is not a database", "no such table: exchanges"):
        assert kind(lasting) is StorageError


async def test_an_unexpected_database_error_is_logged_and_the_user_still_answered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(tmp_path) as bot:

        async def broken(new: NewExchange) -> int | None:
            raise StorageError(f"{bot.storage.path} is not a readable ktbot database")

        monkeypatch.setattr(bot.storage, "record_exchange", broken)
        with caplog.at_level(logging.ERROR):
            await bot.send(tg.message(QUESTION))
        assert ANSWER in bot.api.last_text()
        assert "could not record exchange (telegram outcome=answer" in caplog.text
        assert "exchange not recorded" in caplog.text
        assert bot.storage.backlog == 0  # nothing to retry: a corrupt file does not heal
