"""Storage errors: every SQLite failure becomes a `StorageError` with advice.

Real SQLite files under tmp_path; the only fake is the clock.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.storage import SCHEMA_VERSION, Storage, StorageError
from bot.storage.sqlite import storage_error
from tests.storage_fixtures import clock as clock  # the fixture
from tests.storage_fixtures import db_path as db_path  # the fixture
from tests.storage_fixtures import new
from tests.storage_fixtures import storage as storage  # the fixture

# --- errors -------------------------------------------------------------------------------


async def test_locked_database_raises_storage_error_with_advice(db_path: Path) -> None:
    async with await Storage.open(db_path, busy_timeout=0.2) as storage:
        kept = await storage.record_exchange(new("recorded before the lock"))
        other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            with pytest.raises(StorageError, match=r"locked by another process.*stop the other"):
                await storage.record_exchange(new("while locked"))
        finally:
            other.execute("ROLLBACK")
            other.close()

        # Nothing recorded is lost, and the storage works again once the lock is gone.
        assert await storage.exchange(kept or 0) is not None
        assert await storage.record_exchange(new("after the lock")) is not None
        assert (await storage.stats()).total == 2


async def test_full_disk_raises_storage_error_and_keeps_what_was_recorded(
    storage: Storage,
) -> None:
    kept = await storage.record_exchange(new("recorded before the disk filled up"))
    # SQLite's own size cap fails exactly like a full disk (SQLITE_FULL).
    pages = await storage._db.execute_fetchall("PRAGMA page_count")
    await storage._db.execute(f"PRAGMA max_page_count = {next(iter(pages))[0]}")

    with pytest.raises(StorageError, match=r"disk holding .* is full.*nothing already recorded"):
        await storage.record_exchange(new("x" * 200_000))

    assert await storage.exchange(kept or 0) is not None
    await storage._db.execute("PRAGMA max_page_count = 1073741823")
    assert await storage.record_exchange(new("after freeing space")) is not None


def test_corrupt_file_raises_storage_error_with_advice(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is a spreadsheet, not a database" * 200)
    with pytest.raises(StorageError, match=r"not a readable ktbot database.*backup"):
        asyncio.run(Storage.open(db_path))


async def test_database_written_by_a_newer_ktbot_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StorageError, match=r"newer than this ktbot understands.*upgrade"):
        await Storage.open(db_path)


def test_read_only_database_error_says_how_to_fix_it(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    sqlite3.connect(db_path).execute("CREATE TABLE t (x)").connection.close()
    raw = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as raised:
        raw.execute("INSERT INTO t VALUES (1)")
    raw.close()

    error = storage_error(raised.value, db_path, 5)

    assert "is read-only: make the file and its directory writable" in str(error)


def permissions_are_enforced(directory: Path) -> bool:
    """False for root (or CAP_DAC_OVERRIDE), who may write read-only files anyway."""
    probe = directory / "probe"
    probe.write_text("")
    probe.chmod(0o444)
    try:
        with probe.open("a"):
            return False
    except PermissionError:
        return True
    finally:
        probe.unlink()


def test_read_only_file_raises_storage_error_with_advice(db_path: Path, tmp_path: Path) -> None:
    if not permissions_are_enforced(tmp_path):
        pytest.skip("this user may write read-only files (root)")

    async def write() -> None:
        async with await Storage.open(db_path) as storage:
            await storage.record_exchange(new("hello"))

    asyncio.run(write())
    db_path.chmod(0o444)
    db_path.parent.chmod(0o555)
    try:
        with pytest.raises(StorageError, match="read-only"):
            asyncio.run(write())
    finally:
        db_path.parent.chmod(0o755)
        db_path.chmod(0o644)


def test_every_sqlite_failure_becomes_an_actionable_message(tmp_path: Path) -> None:
    path = tmp_path / "ktbot.sqlite3"
    cases = {
        "database is locked": "locked by another process",
        "attempt to write a readonly database": "read-only",
        "database or disk is full": "is full",
        "file is not a database": "not a readable ktbot database",
        "database disk image is malformed": "not a readable ktbot database",
        "unable to open database file": "cannot open the database",
        "disk I/O error": "input/output error",
    }
    for sqlite_message, advice in cases.items():
        message = str(storage_error(sqlite3.OperationalError(sqlite_message), path, 5))
        assert advice in message and str(path) in message, sqlite_message
