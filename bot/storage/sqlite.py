"""The SQLite database: one connection, its transactions, its errors and its time format.

One aiosqlite connection per process, in WAL mode so that `ktbot unanswered …` can read
while the bot writes. Every read and every write transaction runs under an asyncio lock, so
concurrent handlers never interleave statements, and an error rolls back only the change
that failed: nothing already recorded is lost. Rows are read by column name
(`aiosqlite.Row`); times and candidate lists are stored as text (`to_db_time`,
`encode_candidates`). Opening a database brings it to the current schema (`migrations.py`).

The data areas (`exchanges.py`, `unanswered.py`, `inbox.py`, …) use only the public part
of `Database`: `read()`, `write()`, `now()`, `checkpoint()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage import migrations
from bot.storage.records import DatabaseUnavailable, StorageError
from intents import Candidate, question_key

log = logging.getLogger(__name__)

DEFAULT_BUSY_TIMEOUT = 5.0
"""Seconds to wait for another process (a review command, a backup) to release a lock."""

Clock = Callable[[], datetime]
Row = aiosqlite.Row

# Fixed-width UTC text: readable in the sqlite3 shell, understood by SQLite's date
# functions, and ordered correctly by plain string comparison (retention, --since).
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def utc_now() -> datetime:
    return datetime.now(UTC)


def to_db_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("storage needs timezone-aware datetimes (e.g. datetime.now(UTC))")
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def from_db_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def optional_time(text: str | None) -> datetime | None:
    return None if text is None else from_db_time(text)


def encode_candidates(candidates: Iterable[Candidate]) -> str:
    """The JSON of the `alternatives` column."""
    return json.dumps(
        [{"intent": c.intent, "score": round(float(c.score), 4)} for c in candidates],
        ensure_ascii=False,
    )


def decode_candidates(text: str | None) -> tuple[Candidate, ...]:
    try:
        items = json.loads(text or "[]")
    except json.JSONDecodeError:
        return ()
    if not isinstance(items, list):
        return ()
    return tuple(
        Candidate(str(item["intent"]), float(item.get("score", 0.0)))
        for item in items
        if isinstance(item, dict) and "intent" in item
    )


# --- errors -------------------------------------------------------------------------------

# Primary SQLite result codes (extended codes carry them in the low byte).
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_NOTADB = 26

# (result codes, words of the message, worth retrying, advice), tried in order. Retrying
# is worth it for conditions that pass once someone acts: the write may be kept.
_ADVICE: tuple[tuple[frozenset[int], tuple[str, ...], bool, str], ...] = (
    (
        frozenset({_SQLITE_BUSY, _SQLITE_LOCKED}),
        ("locked",),
        True,
        "the database {path} is locked by another process (waited {timeout:g}s): stop the "
        "other program holding it (a second bot, an open sqlite3 shell, a backup) and try "
        "again",
    ),
    (
        frozenset({_SQLITE_READONLY, _SQLITE_PERM}),
        ("readonly",),
        True,
        "the database {path} is read-only: make the file and its directory writable by this "
        "user (SQLite writes -wal and -shm files beside it), or mount the volume read-write",
    ),
    (
        frozenset({_SQLITE_FULL}),
        ("disk is full",),
        True,
        "the disk holding {path} is full: free space on that volume (lowering "
        "KTBOT_RETENTION_DAYS lets the daily purge remove more); nothing already recorded "
        "was lost",
    ),
    (
        frozenset({_SQLITE_CORRUPT, _SQLITE_NOTADB}),
        ("malformed", "not a database"),
        False,
        "{path} is not a readable ktbot database (corrupt, or another kind of file): restore "
        "it from a backup, or move it aside and a new one will be created",
    ),
    (
        frozenset({_SQLITE_CANTOPEN}),
        ("unable to open",),
        False,
        "cannot open the database {path}: check that KTBOT_DB points to a file in an "
        "existing, writable directory",
    ),
    (
        frozenset({_SQLITE_IOERR}),
        ("disk i/o",),
        True,
        "input/output error on {path}: check the disk or network volume it is on; nothing "
        "already recorded was lost",
    ),
)


def storage_error(exc: sqlite3.Error, path: Path, busy_timeout: float) -> StorageError:
    """Turn an sqlite3 error into a StorageError that says what to do about it."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    for codes, words, unavailable, advice in _ADVICE:
        if primary in codes or any(word in text for word in words):
            message = advice.format(path=path, timeout=busy_timeout)
            return DatabaseUnavailable(message) if unavailable else StorageError(message)
    return StorageError(f"database error on {path}: {exc}")


# --- rows ---------------------------------------------------------------------------------


async def fetch_one(
    db: aiosqlite.Connection, sql: str, params: Iterable[Any] | dict[str, Any] = ()
) -> Row | None:
    """The first row of a query, or None."""
    rows = await db.execute_fetchall(sql, params if isinstance(params, dict) else tuple(params))
    return next(iter(rows), None)


async def fetch_count(
    db: aiosqlite.Connection, sql: str, params: Iterable[Any] | dict[str, Any] = ()
) -> int:
    """The number a `SELECT COUNT(*) …` query returns."""
    row = await fetch_one(db, sql, params)
    return 0 if row is None else int(row[0])


# --- the connection -----------------------------------------------------------------------


class Database:
    """One connection and its transactions; `await Database.open(path)` to get one."""

    def __init__(
        self, connection: aiosqlite.Connection, path: Path, busy_timeout: float, clock: Clock
    ) -> None:
        self.connection = connection
        self.path = path
        self.busy_timeout = busy_timeout
        self.clock = clock
        self._lock = asyncio.Lock()
        self._closed = False

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        create: bool = True,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        clock: Clock = utc_now,
    ) -> Database:
        """Open (creating it and its directory unless `create` is False) and migrate."""
        path = Path(path)
        if not path.exists():
            if not create:
                raise StorageError(
                    f"no database at {path}: set KTBOT_DB to the bot's database file"
                )
            _create_private_file(path)
        else:
            _make_private(path)
        try:
            connection = await aiosqlite.connect(path, timeout=busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise storage_error(exc, path, busy_timeout) from exc
        database = cls(connection, path, busy_timeout, clock)
        try:
            await database._configure()
            await database._migrate()
        except BaseException:
            await connection.close()
            raise
        return database

    @property
    def closed(self) -> bool:
        return self._closed

    def now(self) -> str:
        """The clock's time, as stored."""
        return to_db_time(self.clock())

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        async with self._lock:
            try:
                # Cheap, and keeps query plans good as the tables grow.
                await self.connection.execute("PRAGMA optimize")
            except sqlite3.Error as exc:
                log.debug("PRAGMA optimize failed on close: %s", exc)
            await self.connection.close()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        """The connection, for statements outside a write transaction."""
        if self._closed:
            raise StorageError(f"the database {self.path} is closed")
        async with self._lock:
            try:
                yield self.connection
            except sqlite3.Error as exc:
                raise storage_error(exc, self.path, self.busy_timeout) from exc

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """One transaction; rolled back (and translated to StorageError) on any error."""
        if self._closed:
            raise StorageError(f"the database {self.path} is closed")
        async with self._lock:
            try:
                # IMMEDIATE takes the write lock up front, so waiting happens here under
                # busy_timeout instead of failing halfway through the transaction. Inside
                # the try: a caller cancelled during BEGIN (aiosqlite still runs it in its
                # thread) must roll back, or every later write finds a transaction open.
                await self.connection.execute("BEGIN IMMEDIATE")
                yield self.connection
                await self.connection.execute("COMMIT")
            except BaseException as exc:
                try:
                    await self.connection.execute("ROLLBACK")
                except sqlite3.Error as rollback_error:
                    # SQLite already rolled back on some errors (e.g. disk full).
                    log.debug("rollback after error: %s", rollback_error)
                if isinstance(exc, sqlite3.Error):
                    raise storage_error(exc, self.path, self.busy_timeout) from exc
                raise

    async def checkpoint(self) -> None:
        """Make deletions and emptied rows final: truncate the -wal file, which still holds
        the old pages.

        Best effort: a reader in another process can hold the checkpoint back, and the
        next one will finish it.
        """
        try:
            async with self.read() as db:
                await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except StorageError as exc:
            log.warning("could not checkpoint the database: %s", exc)

    async def _configure(self) -> None:
        db = self.connection
        try:
            db.row_factory = aiosqlite.Row
            row = await fetch_one(db, "PRAGMA journal_mode = WAL")
            mode = str(row["journal_mode"]).lower() if row is not None else ""
            if mode != "wal":
                # Network file systems refuse WAL; it still works, with coarser locking.
                log.warning("SQLite WAL mode unavailable for %s (journal mode %s)", self.path, mode)
            await db.execute("PRAGMA synchronous = NORMAL")  # durable enough under WAL
            await db.execute("PRAGMA foreign_keys = ON")
            await db.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            # Deleted rows (/forget, retention) are overwritten, not left in free pages.
            await db.execute("PRAGMA secure_delete = ON")
            # For queries only, never in the schema: the sqlite3 shell must still read it.
            await db.create_function("ktbot_question_key", 1, question_key, deterministic=True)
        except sqlite3.Error as exc:
            raise storage_error(exc, self.path, self.busy_timeout) from exc

    async def _migrate(self) -> None:
        found = await migrations.check_version(self)
        async for migration in migrations.upgrade(self):
            if found:  # an upgrade is news; each step of creating a new file is not
                log.info(
                    "migrated %s to schema version %d: %s",
                    self.path,
                    migration.version,
                    migration.description,
                )
        if not found:
            log.info(
                "created the database %s (schema version %d)",
                self.path,
                migrations.SCHEMA_VERSION,
            )


def _make_private(path: Path) -> None:
    """Make a database that others can read (created by an older ktbot, or copied with the
    usual umask) readable by its owner only, with its -wal and -shm files."""
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            found = file.stat()
            if found.st_mode & 0o077 and found.st_uid == os.getuid():
                file.chmod(found.st_mode & 0o700)
                log.info("made %s readable by its owner only (was %o)", file, found.st_mode & 0o777)
        except OSError:
            continue  # absent, or not ours to change: SQLite reports what matters


def _create_private_file(path: Path) -> None:
    """Create the (empty) database file, and its directory, readable by its owner only.

    SQLite gives the -wal and -shm files it creates later the mode of the database file, so
    this covers all three; an empty file is a valid empty database.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # another process created it just now
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise StorageError(
            f"cannot create the directory for the database {path}: "
            f"{exc.strerror or exc}; set KTBOT_DB to a writable location"
        ) from exc
