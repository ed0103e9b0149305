"""SQLite storage: the only module that queries the database (the DDL is in migrations.py).

One aiosqlite connection per process, in WAL mode so that `ktbot unanswered …` can read
while the bot writes. Every method runs in its own transaction under an asyncio lock, so
concurrent handlers never interleave statements, and an error rolls back only the change
that failed: nothing already recorded is lost.

While the database refuses writes (locked past the busy timeout, read-only, disk full),
`record_exchange_or_hold` keeps exchanges in a bounded in-memory backlog that a background
task writes, oldest first, as soon as the database takes writes again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sqlite3
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiosqlite

from bot.storage.migrations import SCHEMA_VERSION, pending
from bot.storage.records import (
    DatabaseUnavailable,
    Exchange,
    Handoff,
    HeldUpdate,
    NewExchange,
    ReviewState,
    StorageError,
    TopicCount,
    TopicFeedback,
    UnansweredQuestion,
    UsageStats,
    WeekCount,
)
from intents import Candidate, Outcome, question_key

log = logging.getLogger(__name__)

INBOX_KEEP = timedelta(days=2)
"""How long the ids of handled updates are kept to recognise Telegram redelivering them."""
DEFAULT_BUSY_TIMEOUT = 5.0
"""Seconds to wait for another process (a review command, a backup) to release a lock."""
BACKLOG_LIMIT = 1000
"""Exchanges held in memory while the database refuses writes; past it the oldest are lost."""
RETRY_DELAY = 2.0
MAX_RETRY_DELAY = 60.0
"""Seconds between attempts to write the backlog: doubling from the first to the second."""

# Fixed-width UTC text: readable in the sqlite3 shell, understood by SQLite's date
# functions, and ordered correctly by plain string comparison (retention, --since).
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

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

Clock = Callable[[], datetime]

# The topic a user ended up with: the answer, or the one picked from a clarification.
_SERVED_TOPIC = "COALESCE(c.intent, CASE WHEN e.outcome = 'answer' THEN e.intent END)"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def to_db_time(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("storage needs timezone-aware datetimes (e.g. datetime.now(UTC))")
    return moment.astimezone(UTC).strftime(_TIME_FORMAT)


def from_db_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def storage_error(exc: sqlite3.Error, path: Path, busy_timeout: float) -> StorageError:
    """Turn an sqlite3 error into a StorageError that says what to do about it."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    # Conditions that pass once someone acts: the write may be kept and retried.
    unavailable = True
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in text:
        message = (
            f"the database {path} is locked by another process (waited {busy_timeout:g}s): "
            "stop the other program holding it (a second bot, an open sqlite3 shell, a "
            "backup) and try again"
        )
    elif primary in (_SQLITE_READONLY, _SQLITE_PERM) or "readonly" in text:
        message = (
            f"the database {path} is read-only: make the file and its directory writable "
            "by this user (SQLite writes -wal and -shm files beside it), or mount the "
            "volume read-write"
        )
    elif primary == _SQLITE_FULL or "disk is full" in text:
        message = (
            f"the disk holding {path} is full: free space on that volume (lowering "
            "KTBOT_RETENTION_DAYS lets the daily purge remove more); nothing already "
            "recorded was lost"
        )
    elif (
        primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
        or "malformed" in text
        or ("not a database" in text)
    ):
        unavailable = False
        message = (
            f"{path} is not a readable ktbot database (corrupt, or another kind of file): "
            "restore it from a backup, or move it aside and a new one will be created"
        )
    elif primary == _SQLITE_CANTOPEN or "unable to open" in text:
        unavailable = False
        message = (
            f"cannot open the database {path}: check that KTBOT_DB points to a file in an "
            "existing, writable directory"
        )
    elif primary == _SQLITE_IOERR or "disk i/o" in text:
        message = (
            f"input/output error on {path}: check the disk or network volume it is on; "
            "nothing already recorded was lost"
        )
    else:
        unavailable = False
        message = f"database error on {path}: {exc}"
    return DatabaseUnavailable(message) if unavailable else StorageError(message)


class Storage:
    """Exchanges, feedback, review of unanswered questions, hand-offs; all async."""

    def __init__(
        self,
        db: aiosqlite.Connection,
        path: Path,
        busy_timeout: float,
        clock: Clock,
        *,
        backlog_limit: int = BACKLOG_LIMIT,
        retry_delay: float = RETRY_DELAY,
    ) -> None:
        # Use `await Storage.open(path)`: opening needs the event loop and a migration.
        self._db = db
        self.path = path
        self._busy_timeout = busy_timeout
        self._clock = clock
        self._lock = asyncio.Lock()
        self._closed = False
        self._backlog: deque[NewExchange] = deque()
        self._backlog_limit = backlog_limit
        self._retry_delay = retry_delay
        self._dropped = 0
        self._flusher: asyncio.Task[None] | None = None
        self._stop_flushing = asyncio.Event()
        # One recording attempt at a time: the others then see the backlog and join it.
        self._hold_gate = asyncio.Lock()

    # --- lifecycle ------------------------------------------------------------------------

    @classmethod
    async def open(
        cls,
        path: Path,
        *,
        create: bool = True,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        clock: Clock = _utc_now,
        backlog_limit: int = BACKLOG_LIMIT,
        retry_delay: float = RETRY_DELAY,
    ) -> Storage:
        """Open (creating it and its directory unless `create` is False) and migrate.

        `backlog_limit` and `retry_delay` bound what `record_exchange_or_hold` keeps in
        memory while the database refuses writes, and how soon it tries again.
        """
        path = Path(path)
        if not path.exists():
            if not create:
                raise StorageError(
                    f"no database at {path}: set KTBOT_DB to the bot's database file"
                )
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                _create_private_file(path)
            except OSError as exc:
                raise StorageError(
                    f"cannot create the directory for the database {path}: "
                    f"{exc.strerror or exc}; set KTBOT_DB to a writable location"
                ) from exc
        try:
            db = await aiosqlite.connect(path, timeout=busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise storage_error(exc, path, busy_timeout) from exc
        storage = cls(
            db, path, busy_timeout, clock, backlog_limit=backlog_limit, retry_delay=retry_delay
        )
        try:
            await storage._configure()
            await storage._migrate()
        except BaseException:
            await db.close()
            raise
        return storage

    async def close(self) -> None:
        """Close, after a last attempt to write exchanges held while the database failed."""
        if self._closed or self._stop_flushing.is_set():
            return
        # The flusher is not cancelled: it may be inside a transaction; it stops between
        # attempts. The event also tells new exchanges that the storage is closing.
        self._stop_flushing.set()
        if self._flusher is not None:
            await self._flusher
        if self._backlog:
            try:
                await self._write_backlog()
            except StorageError as exc:
                log.error(
                    "%d exchange(s) held in memory are lost: the database still refuses "
                    "writes at shutdown: %s",
                    len(self._backlog),
                    exc,
                )
        self._closed = True
        async with self._lock:
            try:
                # Cheap, and keeps query plans good as the tables grow.
                await self._db.execute("PRAGMA optimize")
            except sqlite3.Error as exc:
                log.debug("PRAGMA optimize failed on close: %s", exc)
            await self._db.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def schema_version(self) -> int:
        async with self._read() as db:
            return await _user_version(db)

    async def _configure(self) -> None:
        try:
            rows = await self._db.execute_fetchall("PRAGMA journal_mode = WAL")
            mode = str(next(iter(rows))[0]).lower() if rows else ""
            if mode != "wal":
                # Network file systems refuse WAL; it still works, with coarser locking.
                log.warning("SQLite WAL mode unavailable for %s (journal mode %s)", self.path, mode)
            await self._db.execute("PRAGMA synchronous = NORMAL")  # durable enough under WAL
            await self._db.execute("PRAGMA foreign_keys = ON")
            await self._db.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
            # Deleted rows (/forget, retention) are overwritten, not left in free pages.
            await self._db.execute("PRAGMA secure_delete = ON")
            # For queries only, never in the schema: the sqlite3 shell must still read it.
            await self._db.create_function(
                "ktbot_question_key", 1, question_key, deterministic=True
            )
        except sqlite3.Error as exc:
            raise storage_error(exc, self.path, self._busy_timeout) from exc

    async def _migrate(self) -> None:
        async with self._read() as db:
            found = await _user_version(db)
        if found > SCHEMA_VERSION:
            raise StorageError(
                f"the database {self.path} has schema version {found}, newer than this "
                f"ktbot understands ({SCHEMA_VERSION}): upgrade ktbot, or point KTBOT_DB at "
                "another file"
            )
        for migration in pending(found):
            async with self._write() as db:
                # Another process may have migrated since we looked; the write lock we now
                # hold makes this check and the upgrade one step.
                if await _user_version(db) >= migration.version:
                    continue
                for statement in migration.statements:
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {migration.version}")
            if found:  # an upgrade is news; each step of creating a new file is not
                log.info(
                    "migrated %s to schema version %d: %s",
                    self.path,
                    migration.version,
                    migration.description,
                )
        if not found:
            log.info("created the database %s (schema version %d)", self.path, SCHEMA_VERSION)

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[aiosqlite.Connection]:
        if self._closed:
            raise StorageError(f"the database {self.path} is closed")
        async with self._lock:
            try:
                yield self._db
            except sqlite3.Error as exc:
                raise storage_error(exc, self.path, self._busy_timeout) from exc

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[aiosqlite.Connection]:
        """One transaction; rolled back (and translated to StorageError) on any error."""
        if self._closed:
            raise StorageError(f"the database {self.path} is closed")
        async with self._lock:
            try:
                # IMMEDIATE takes the write lock up front, so waiting happens here under
                # busy_timeout instead of failing halfway through the transaction. Inside
                # the try: a caller cancelled during BEGIN (aiosqlite still runs it in its
                # thread) must roll back, or every later write finds a transaction open.
                await self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                await self._db.execute("COMMIT")
            except BaseException as exc:
                try:
                    await self._db.execute("ROLLBACK")
                except sqlite3.Error as rollback_error:
                    # SQLite already rolled back on some errors (e.g. disk full).
                    log.debug("rollback after error: %s", rollback_error)
                if isinstance(exc, sqlite3.Error):
                    raise storage_error(exc, self.path, self._busy_timeout) from exc
                raise

    # --- exchanges ------------------------------------------------------------------------

    async def record_exchange(self, new: NewExchange) -> int | None:
        """Record one exchange and return its id.

        A redelivered Telegram update (same `update_id`) is not recorded again: the id of
        the exchange recorded the first time is returned.
        """
        result = new.result
        asked_at = to_db_time(new.at or self._clock())
        async with self._write() as db:
            rows = await db.execute_fetchall(
                """
                INSERT INTO exchanges (asked_at, channel, user_key, question, outcome, intent,
                                       score, alternatives, kb_version, update_id, language)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (update_id) DO NOTHING
                RETURNING id
                """,
                (
                    asked_at,
                    new.channel,
                    new.user_key,
                    new.question,
                    str(result.outcome),
                    result.intent,
                    float(result.score),
                    _encode_candidates(result.alternatives),
                    new.kb_version,
                    new.update_id,
                    new.language,
                ),
            )
            inserted = next(iter(rows), None)
            if inserted is None:
                existing = await db.execute_fetchall(
                    "SELECT id FROM exchanges WHERE update_id = ?", (new.update_id,)
                )
                row = next(iter(existing), None)
                return int(row[0]) if row else None
            exchange_id = int(inserted[0])
            if result.outcome is Outcome.FALLBACK:
                await _open_review(db, exchange_id, new.question, asked_at)
            return exchange_id

    # --- the backlog: exchanges held while the database refuses writes ------------------

    @property
    def backlog(self) -> int:
        """How many exchanges wait in memory for the database to take writes again."""
        return len(self._backlog)

    async def record_exchange_or_hold(self, new: NewExchange) -> int | None:
        """`record_exchange`, or None when the database refuses writes for now.

        The refused exchange is kept in memory (with the time it was asked) and written by
        a background task, after those held before it, once the database takes writes
        again; while some are waiting, new ones join them at once instead of making the
        user wait out another busy timeout. Other errors raise StorageError.
        """
        if self._closed or self._stop_flushing.is_set():
            raise StorageError(f"the database {self.path} is closed")
        if new.at is None:  # recorded as asked now, however late it is written
            new = replace(new, at=self._clock())
        async with self._hold_gate:
            if self._backlog:
                self._hold(new)
                log.debug("exchange held in memory (%d waiting for the database)", self.backlog)
                return None
            try:
                return await self.record_exchange(new)
            except DatabaseUnavailable as exc:
                self._hold(new)
                log.error(
                    "%s; exchange not recorded yet: held in memory and written when the "
                    "database takes writes again (up to %d are kept)",
                    exc,
                    self._backlog_limit,
                )
                return None

    def _hold(self, new: NewExchange) -> None:
        if len(self._backlog) >= self._backlog_limit:
            self._backlog.popleft()
            self._dropped += 1
            if self._dropped == 1:
                log.error(
                    "%d exchanges are waiting for the database %s: dropping the oldest from "
                    "now on (they will not be recorded)",
                    self._backlog_limit,
                    self.path,
                )
        self._backlog.append(new)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_backlog(), name="ktbot-db-backlog")

    async def _flush_backlog(self) -> None:
        """Retry with a doubling delay until the backlog is written (or storage closes)."""
        delay = self._retry_delay
        while self._backlog:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop_flushing.wait(), delay)
            if self._stop_flushing.is_set():
                return  # close() makes the last attempt
            try:
                written = await self._write_backlog()
            except StorageError as exc:
                delay = min(delay * 2, max(MAX_RETRY_DELAY, self._retry_delay))
                log.warning(
                    "still cannot write to the database (%s); %d exchange(s) held in memory, "
                    "next attempt in %gs",
                    exc,
                    self.backlog,
                    delay,
                )
                continue
            lost = f", {self._dropped} dropped for lack of room" if self._dropped else ""
            log.warning(
                "the database %s takes writes again: recorded %d exchange(s) held in memory%s",
                self.path,
                written,
                lost,
            )
            self._dropped = 0

    async def _write_backlog(self) -> int:
        """Write held exchanges oldest first; stop at (and raise) the database refusing."""
        written = 0
        while self._backlog:
            new = self._backlog[0]
            try:
                await self.record_exchange(new)
            except DatabaseUnavailable:
                raise
            except StorageError as exc:  # this one cannot be written at all: do not block
                log.error("dropping an exchange held in memory that cannot be written: %s", exc)
            else:
                written += 1
            # Held exchanges only leave the backlog once written (or unwritable).
            if self._backlog and self._backlog[0] is new:
                self._backlog.popleft()
        return written

    async def exchange(self, exchange_id: int) -> Exchange | None:
        async with self._read() as db:
            rows = await db.execute_fetchall(
                """
                SELECT e.id, e.asked_at, e.channel, e.user_key, e.question, e.outcome,
                       e.intent, e.score, e.alternatives, e.kb_version, e.update_id,
                       f.helpful, c.intent, u.state, e.language
                FROM exchanges e
                LEFT JOIN feedback f ON f.exchange_id = e.id
                LEFT JOIN choices c ON c.exchange_id = e.id
                LEFT JOIN unanswered u ON u.exchange_id = e.id
                WHERE e.id = ?
                """,
                (exchange_id,),
            )
        row = next(iter(rows), None)
        if row is None:
            return None
        return Exchange(
            id=row[0],
            asked_at=from_db_time(row[1]),
            channel=row[2],
            user_key=row[3],
            question=row[4],
            outcome=Outcome(row[5]),
            intent=row[6],
            score=row[7],
            alternatives=_decode_candidates(row[8]),
            kb_version=row[9],
            update_id=row[10],
            helpful=None if row[11] is None else bool(row[11]),
            choice=row[12],
            review_state=None if row[13] is None else ReviewState(row[13]),
            language=row[14],
        )

    async def record_feedback(self, exchange_id: int, helpful: bool) -> None:
        """👍/👎 on an exchange; a second vote on the same exchange replaces the first."""
        async with self._write() as db:
            await _require_exchange(db, exchange_id)
            await db.execute(
                """
                INSERT INTO feedback (exchange_id, helpful, given_at) VALUES (?, ?, ?)
                ON CONFLICT (exchange_id)
                DO UPDATE SET helpful = excluded.helpful, given_at = excluded.given_at
                """,
                (exchange_id, int(helpful), to_db_time(self._clock())),
            )

    async def record_choice(self, exchange_id: int, intent: str) -> None:
        """The topic picked after a 'did you mean…'; a later pick replaces it."""
        async with self._write() as db:
            await _require_exchange(db, exchange_id)
            await db.execute(
                """
                INSERT INTO choices (exchange_id, intent, chosen_at) VALUES (?, ?, ?)
                ON CONFLICT (exchange_id)
                DO UPDATE SET intent = excluded.intent, chosen_at = excluded.chosen_at
                """,
                (exchange_id, intent, to_db_time(self._clock())),
            )

    async def mark_unanswered(self, exchange_id: int) -> bool:
        """Put a 'did you mean…' that the user answered with "None of these" up for review.

        The exchange keeps its outcome (the bot did clarify); it becomes an unanswered
        question like a fallback. Return True if it was opened now, False if it already was
        under review (pressed twice, or a fallback): a resolved or ignored question keeps
        its state. A confident answer is not an unanswered question and is refused.
        """
        async with self._write() as db:
            rows = await db.execute_fetchall(
                """
                SELECT e.outcome, e.question, u.state
                FROM exchanges e LEFT JOIN unanswered u ON u.exchange_id = e.id
                WHERE e.id = ?
                """,
                (exchange_id,),
            )
            row = next(iter(rows), None)
            if row is None:
                raise StorageError(
                    f"no exchange #{exchange_id} (it may have been purged or forgotten at the "
                    "user's request)"
                )
            if row[2] is not None:
                return False
            if row[0] == str(Outcome.ANSWER):
                raise StorageError(
                    f"exchange #{exchange_id} was answered, so it is not an unanswered question"
                )
            await _open_review(db, exchange_id, row[1], to_db_time(self._clock()))
            return True

    # --- unanswered questions -------------------------------------------------------------

    async def unanswered(
        self,
        *,
        state: ReviewState | None = ReviewState.OPEN,
        since: datetime | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[UnansweredQuestion]:
        """Fallback questions, newest first; `state=None` lists every state."""
        async with self._read() as db:
            rows = await db.execute_fetchall(
                _UNANSWERED_SELECT
                + """
                WHERE (:state IS NULL OR u.state = :state)
                  AND (:since IS NULL OR e.asked_at >= :since)
                ORDER BY e.asked_at DESC, e.id DESC
                LIMIT :limit OFFSET :offset
                """,
                {
                    "state": None if state is None else str(state),
                    "since": None if since is None else to_db_time(since),
                    "limit": -1 if limit is None else limit,
                    "offset": offset,
                },
            )
        return [_unanswered_from_row(row) for row in rows]

    async def unanswered_question(self, exchange_id: int) -> UnansweredQuestion | None:
        """One unanswered question by its exchange id (None if it is not one)."""
        async with self._read() as db:
            rows = await db.execute_fetchall(_UNANSWERED_SELECT + " WHERE e.id = ?", (exchange_id,))
        row = next(iter(rows), None)
        return None if row is None else _unanswered_from_row(row)

    async def count_unanswered(
        self, *, state: ReviewState | None = ReviewState.OPEN, since: datetime | None = None
    ) -> int:
        async with self._read() as db:
            rows = await db.execute_fetchall(
                """
                SELECT COUNT(*) FROM unanswered u JOIN exchanges e ON e.id = u.exchange_id
                WHERE (:state IS NULL OR u.state = :state)
                  AND (:since IS NULL OR e.asked_at >= :since)
                """,
                {
                    "state": None if state is None else str(state),
                    "since": None if since is None else to_db_time(since),
                },
            )
        return int(next(iter(rows))[0])

    async def resolve(self, exchange_id: int, topic_id: str) -> None:
        """Mark an unanswered question as covered by `topic_id` now.

        Re-resolving with another topic corrects a mistake; an ignored question is refused.
        """
        if not topic_id.strip():
            raise StorageError("resolving needs the id of the topic that now covers it")
        async with self._write() as db:
            current = await _review_state(db, exchange_id)
            if current.state is ReviewState.IGNORED:
                raise StorageError(
                    f"question #{exchange_id} was ignored ({current.reason}) and stays "
                    "ignored; it cannot be resolved"
                )
            await db.execute(
                """
                UPDATE unanswered SET state = 'resolved', topic = ?, reason = NULL,
                                      reviewed_at = ?
                WHERE exchange_id = ?
                """,
                (topic_id, to_db_time(self._clock()), exchange_id),
            )

    async def resolve_open(self, exchange_ids: Iterable[int], topic_id: str) -> list[int]:
        """Resolve those of `exchange_ids` still open by `topic_id`; return the ids resolved.

        For resolving a whole group at once: a question already resolved keeps its topic,
        and an ignored one stays ignored, whatever ids are passed.
        """
        if not topic_id.strip():
            raise StorageError("resolving needs the id of the topic that now covers it")
        ids = sorted(set(exchange_ids))
        if not ids:
            return []
        async with self._write() as db:
            rows = await db.execute_fetchall(
                f"""
                UPDATE unanswered SET state = 'resolved', topic = ?, reason = NULL,
                                      reviewed_at = ?
                WHERE state = 'open' AND exchange_id IN ({", ".join("?" * len(ids))})
                RETURNING exchange_id
                """,
                (topic_id, to_db_time(self._clock()), *ids),
            )
        return sorted(int(row[0]) for row in rows)

    async def ignore(self, exchange_id: int, reason: str) -> None:
        """Set an unanswered question aside for good (spam, out of scope, a test)."""
        if not reason.strip():
            raise StorageError("ignoring a question needs a reason (e.g. 'spam', 'out of scope')")
        async with self._write() as db:
            current = await _review_state(db, exchange_id)
            if current.state is ReviewState.RESOLVED:
                raise StorageError(
                    f"question #{exchange_id} is already resolved by topic {current.topic!r}; "
                    "it cannot be ignored"
                )
            await db.execute(
                """
                UPDATE unanswered SET state = 'ignored', reason = ?, topic = NULL,
                                      reviewed_at = ?
                WHERE exchange_id = ?
                """,
                (reason.strip(), to_db_time(self._clock()), exchange_id),
            )

    # --- the inbox: updates taken from Telegram, until handled and a while after ---------

    async def hold_update(self, update_id: int, payload: str, user_key: str | None = None) -> bool:
        """Keep a Telegram update until it is handled; False if this update is known
        already (handled, or being handled): a redelivery not to handle again.

        Written before the update is confirmed to Telegram, so a crash cannot lose it.
        `user_key` is the sender's pseudonym, for `forget_user` to clear the payload.
        """
        async with self._write() as db:
            cursor = await db.execute(
                """
                INSERT INTO inbox (update_id, received_at, payload, user_key) VALUES (?, ?, ?, ?)
                ON CONFLICT (update_id) DO NOTHING
                """,
                (update_id, to_db_time(self._clock()), payload, user_key),
            )
            return cursor.rowcount == 1

    async def mark_updates_handled(self, update_ids: Iterable[int]) -> None:
        """The updates were handled (answered, or failed and logged): forget their content."""
        moment = to_db_time(self._clock())
        async with self._write() as db:
            await db.executemany(
                "UPDATE inbox SET handled_at = ?, payload = '{}', user_key = NULL "
                "WHERE update_id = ?",
                [(moment, update_id) for update_id in update_ids],
            )

    async def take_held_updates(self) -> list[HeldUpdate]:
        """Updates held by a process that stopped before handling them, oldest first; each
        call counts as one more replay of each."""
        async with self._write() as db:
            rows = await db.execute_fetchall(
                """
                UPDATE inbox SET replays = replays + 1 WHERE handled_at IS NULL
                RETURNING update_id, payload, replays
                """
            )
        return sorted(
            (HeldUpdate(int(r[0]), str(r[1]), int(r[2])) for r in rows),
            key=lambda held: held.update_id,
        )

    # --- privacy --------------------------------------------------------------------------

    async def purge_older_than(self, cutoff: datetime) -> int:
        """Delete exchanges (with their feedback, choices and review) and hand-offs older
        than `cutoff`; return how many exchanges and hand-offs were deleted."""
        moment = to_db_time(cutoff)
        async with self._write() as db:
            exchanges = await db.execute("DELETE FROM exchanges WHERE asked_at < ?", (moment,))
            handoffs = await db.execute("DELETE FROM handoffs WHERE created_at < ?", (moment,))
            # Enquiries still being talked about are kept; finished and abandoned ones go.
            await db.execute(
                "DELETE FROM enquiries WHERE created_at < ? AND state IN ('draft', 'closed')",
                (moment,),
            )
            # Telegram redelivers an update for 24 hours at most: older ids are not needed.
            inbox_cutoff = to_db_time(max(cutoff, self._clock() - INBOX_KEEP))
            await db.execute("DELETE FROM inbox WHERE received_at < ?", (inbox_cutoff,))
            removed = exchanges.rowcount + handoffs.rowcount
        await self._checkpoint()
        return removed

    async def forget_user(self, user_key: str) -> int:
        """Delete everything recorded about one user; return the number of records."""
        async with self._write() as db:
            rows = await db.execute_fetchall(
                """
                SELECT (SELECT COUNT(*) FROM exchanges WHERE user_key = :key)
                     + (SELECT COUNT(*) FROM feedback f JOIN exchanges e ON e.id = f.exchange_id
                        WHERE e.user_key = :key)
                     + (SELECT COUNT(*) FROM choices c JOIN exchanges e ON e.id = c.exchange_id
                        WHERE e.user_key = :key)
                     + (SELECT COUNT(*) FROM handoffs WHERE user_key = :key)
                     + (SELECT COUNT(*) FROM user_languages WHERE user_key = :key)
                     + (SELECT COUNT(*) FROM enquiries WHERE user_key = :key)
                """,
                {"key": user_key},
            )
            count = int(next(iter(rows))[0])
            # Enquiries: drafts go; the others stay as closed tombstones with nothing about
            # the user left, so a staff reply to one is told why it cannot be delivered.
            await db.execute(
                "DELETE FROM enquiries WHERE user_key = ? AND state = 'draft'", (user_key,)
            )
            await db.execute(
                """
                UPDATE enquiries
                SET close_reason = CASE WHEN state = 'closed' THEN close_reason
                                        ELSE 'forgotten' END,
                    state = 'closed', closed_at = COALESCE(closed_at, ?), user_key = NULL,
                    user_chat_id = NULL, display_name = NULL, question = '',
                    exchange_id = NULL, prompt_chat_id = NULL, prompt_message_id = NULL
                WHERE user_key = ?
                """,
                (to_db_time(self._clock()), user_key),
            )
            await db.execute("DELETE FROM handoffs WHERE user_key = ?", (user_key,))
            await db.execute("DELETE FROM user_languages WHERE user_key = ?", (user_key,))
            # Feedback, choices and review rows go with their exchange (ON DELETE CASCADE).
            await db.execute("DELETE FROM exchanges WHERE user_key = ?", (user_key,))
            # The user's updates still held, the /forget confirmation itself included: their
            # payloads carry the Telegram id and must be gone before the checkpoint below
            # copies the pages into the database file. They count as handled: a crash now
            # does not replay them.
            await db.execute(
                """
                UPDATE inbox SET payload = '{}', user_key = NULL,
                                 handled_at = COALESCE(handled_at, ?)
                WHERE user_key = ?
                """,
                (to_db_time(self._clock()), user_key),
            )
        await self._checkpoint()
        return count

    async def _checkpoint(self) -> None:
        # Old page images in the -wal file would still hold deleted rows until the next
        # checkpoint; truncating it makes a deletion final now. Best effort: a reader in
        # another process can hold the checkpoint back, and the next one will finish it.
        try:
            async with self._read() as db:
                await db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except StorageError as exc:
            log.warning("could not checkpoint after deleting: %s", exc)

    # --- chosen languages (/language) -----------------------------------------------------

    async def user_language(self, user_key: str) -> str | None:
        """The language a user chose with /language, if any."""
        async with self._read() as db:
            rows = await db.execute_fetchall(
                "SELECT language FROM user_languages WHERE user_key = ?", (user_key,)
            )
        row = next(iter(rows), None)
        return None if row is None else str(row[0])

    async def set_user_language(self, user_key: str, language: str | None) -> None:
        """Remember a user's language; None forgets it (the language of each message then)."""
        async with self._write() as db:
            if language is None:
                await db.execute("DELETE FROM user_languages WHERE user_key = ?", (user_key,))
                return
            await db.execute(
                """
                INSERT INTO user_languages (user_key, language, chosen_at) VALUES (?, ?, ?)
                ON CONFLICT (user_key) DO UPDATE
                    SET language = excluded.language, chosen_at = excluded.chosen_at
                """,
                (user_key, language, to_db_time(self._clock())),
            )

    # --- hand-offs ------------------------------------------------------------------------

    async def record_handoff(
        self,
        *,
        exchange_id: int | None,
        user_key: str,
        user_chat_id: int,
        display_name: str,
        question: str,
        staff_chat_id: int,
        staff_message_id: int,
        language: str | None = None,
    ) -> int:
        """Remember a consented hand-off so a staff reply can be routed back; return its id.

        The link to the exchange is dropped if that exchange is gone (forgotten, purged):
        the staff message is already sent, and routing the reply matters more.
        """
        async with self._write() as db:
            if exchange_id is not None:
                found = await db.execute_fetchall(
                    "SELECT 1 FROM exchanges WHERE id = ?", (exchange_id,)
                )
                exchange_id = exchange_id if found else None
            rows = await db.execute_fetchall(
                """
                INSERT INTO handoffs (created_at, exchange_id, user_key, user_chat_id,
                                      display_name, question, staff_chat_id, staff_message_id,
                                      language)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (staff_chat_id, staff_message_id) DO NOTHING
                RETURNING id
                """,
                (
                    to_db_time(self._clock()),
                    exchange_id,
                    user_key,
                    user_chat_id,
                    display_name,
                    question,
                    staff_chat_id,
                    staff_message_id,
                    language,
                ),
            )
            inserted = next(iter(rows), None)
            if inserted is not None:
                return int(inserted[0])
            existing = await db.execute_fetchall(
                "SELECT id FROM handoffs WHERE staff_chat_id = ? AND staff_message_id = ?",
                (staff_chat_id, staff_message_id),
            )
            return int(next(iter(existing))[0])

    async def handoff_for_staff_message(
        self, staff_chat_id: int, staff_message_id: int
    ) -> Handoff | None:
        """The hand-off a staff chat message belongs to (None if it is not one)."""
        async with self._read() as db:
            rows = await db.execute_fetchall(
                """
                SELECT id, created_at, exchange_id, user_key, user_chat_id, display_name,
                       question, staff_chat_id, staff_message_id, language
                FROM handoffs WHERE staff_chat_id = ? AND staff_message_id = ?
                """,
                (staff_chat_id, staff_message_id),
            )
        row = next(iter(rows), None)
        if row is None:
            return None
        return Handoff(
            id=row[0],
            created_at=from_db_time(row[1]),
            exchange_id=row[2],
            user_key=row[3],
            user_chat_id=row[4],
            display_name=row[5],
            question=row[6],
            staff_chat_id=row[7],
            staff_message_id=row[8],
            language=row[9],
        )

    # --- statistics -----------------------------------------------------------------------

    async def stats(self, since: datetime | None = None, *, top: int = 10) -> UsageStats:
        """Totals per outcome, top topics, feedback per topic and the weekly trend."""
        params = {"since": None if since is None else to_db_time(since), "top": top}
        window = "(:since IS NULL OR e.asked_at >= :since)"
        topic = _SERVED_TOPIC
        async with self._read() as db:
            outcome_rows = await db.execute_fetchall(
                f"SELECT e.outcome, COUNT(*) FROM exchanges e WHERE {window} GROUP BY e.outcome",
                params,
            )
            topic_rows = await db.execute_fetchall(
                f"""
                SELECT {topic} AS topic, COUNT(*) AS n
                FROM exchanges e LEFT JOIN choices c ON c.exchange_id = e.id
                WHERE {window} AND {topic} IS NOT NULL
                GROUP BY topic ORDER BY n DESC, topic LIMIT :top
                """,
                params,
            )
            feedback_rows = await db.execute_fetchall(
                f"""
                SELECT COALESCE(c.intent, e.intent) AS topic,
                       SUM(f.helpful) AS up, SUM(1 - f.helpful) AS down
                FROM feedback f
                JOIN exchanges e ON e.id = f.exchange_id
                LEFT JOIN choices c ON c.exchange_id = e.id
                WHERE {window} AND COALESCE(c.intent, e.intent) IS NOT NULL
                GROUP BY topic ORDER BY up + down DESC, down DESC, topic LIMIT :top
                """,
                params,
            )
            # substr: the date alone, because SQLite rounds .999999 seconds up a day.
            week_rows = await db.execute_fetchall(
                f"""
                SELECT date(substr(e.asked_at, 1, 10), 'weekday 0', '-6 days') AS week,
                       COUNT(*),
                       SUM(e.outcome = 'answer'),
                       SUM(e.outcome = 'clarify'),
                       SUM(e.outcome = 'fallback')
                FROM exchanges e WHERE {window}
                GROUP BY week ORDER BY week
                """,
                params,
            )
            open_rows = await db.execute_fetchall(
                f"""
                SELECT COUNT(*) FROM unanswered u JOIN exchanges e ON e.id = u.exchange_id
                WHERE u.state = 'open' AND {window}
                """,
                params,
            )
            language_rows = await db.execute_fetchall(
                f"""
                SELECT COALESCE(e.language, '') AS language, COUNT(*) AS n
                FROM exchanges e WHERE {window}
                GROUP BY language ORDER BY n DESC, language
                """,
                params,
            )
        by_outcome = {Outcome(row[0]): int(row[1]) for row in outcome_rows}
        return UsageStats(
            since=since,
            total=sum(by_outcome.values()),
            by_outcome=by_outcome,
            top_topics=tuple(TopicCount(row[0], int(row[1])) for row in topic_rows),
            feedback=tuple(
                TopicFeedback(row[0], int(row[1]), int(row[2])) for row in feedback_rows
            ),
            weekly=_every_week(
                WeekCount(date.fromisoformat(row[0]), *(int(v) for v in row[1:]))
                for row in week_rows
            ),
            open_unanswered=int(next(iter(open_rows))[0]),
            by_language={row[0]: int(row[1]) for row in language_rows},
        )

    async def served_counts(self, since: datetime | None = None) -> dict[str, int]:
        """How often each topic was served since `since` (answers, and topics picked after a
        'did you mean…'), for every topic served at least once."""
        params = {"since": None if since is None else to_db_time(since)}
        async with self._read() as db:
            rows = await db.execute_fetchall(
                f"""
                SELECT {_SERVED_TOPIC} AS topic, COUNT(*)
                FROM exchanges e LEFT JOIN choices c ON c.exchange_id = e.id
                WHERE (:since IS NULL OR e.asked_at >= :since) AND {_SERVED_TOPIC} IS NOT NULL
                GROUP BY topic
                """,
                params,
            )
        return {row[0]: int(row[1]) for row in rows}


# --- helpers ------------------------------------------------------------------------------


def _create_private_file(path: Path) -> None:
    """Create the (empty) database file readable by its owner only.

    SQLite gives the -wal and -shm files it creates later the mode of the database file, so
    this covers all three; an empty file is a valid empty database.
    """
    with contextlib.suppress(FileExistsError):  # another process created it a moment ago
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


_UNANSWERED_SELECT = """
    SELECT e.id, e.asked_at, e.question, e.score, e.alternatives, u.state, e.channel,
           e.user_key, e.kb_version, u.topic, u.reason, u.reviewed_at, e.intent, e.language
    FROM unanswered u JOIN exchanges e ON e.id = u.exchange_id
"""


def _unanswered_from_row(row: Any) -> UnansweredQuestion:
    return UnansweredQuestion(
        id=row[0],
        asked_at=from_db_time(row[1]),
        question=row[2],
        score=row[3],
        # A fallback has no intent; a "None of these" clarification's best guess comes first.
        alternatives=(
            *(() if row[12] is None else (Candidate(row[12], float(row[3])),)),
            *_decode_candidates(row[4]),
        ),
        state=ReviewState(row[5]),
        channel=row[6],
        user_key=row[7],
        kb_version=row[8],
        topic=row[9],
        reason=row[10],
        reviewed_at=None if row[11] is None else from_db_time(row[11]),
        language=row[13],
    )


async def _open_review(
    db: aiosqlite.Connection, exchange_id: int, question: str, moment: str
) -> None:
    """Start the review of an unanswered question.

    Each time a question is asked it is its own exchange and its own review row. But when
    KT staff already ignored the same question (same words, ignoring case, accents and
    punctuation), the repeat is recorded ignored with the same reason: an ignored question
    stays ignored instead of coming back for review. It is still counted in the statistics
    and listed by `ktbot unanswered list --state ignored`.
    """
    key = question_key(question)
    twin = await db.execute_fetchall(
        """
        SELECT u.reason FROM unanswered u JOIN exchanges e ON e.id = u.exchange_id
        WHERE u.state = 'ignored' AND u.question_key = ?
        ORDER BY e.asked_at, e.id LIMIT 1
        """,
        (key,),
    )
    ignored = next(iter(twin), None)
    if ignored is None:
        await db.execute(
            "INSERT INTO unanswered (exchange_id, state, question_key) VALUES (?, 'open', ?)",
            (exchange_id, key),
        )
    else:
        await db.execute(
            """
            INSERT INTO unanswered (exchange_id, state, reason, reviewed_at, question_key)
            VALUES (?, 'ignored', ?, ?, ?)
            """,
            (exchange_id, ignored[0], moment, key),
        )


async def _user_version(db: aiosqlite.Connection) -> int:
    rows = await db.execute_fetchall("PRAGMA user_version")
    return int(next(iter(rows))[0])


async def _require_exchange(db: aiosqlite.Connection, exchange_id: int) -> None:
    # Checked explicitly: the foreign-key error alone would not say which id is missing.
    rows = await db.execute_fetchall("SELECT 1 FROM exchanges WHERE id = ?", (exchange_id,))
    if not rows:
        raise StorageError(
            f"no exchange #{exchange_id} (it may have been purged or forgotten at the "
            "user's request)"
        )


async def _review_state(db: aiosqlite.Connection, exchange_id: int) -> UnansweredQuestion:
    rows = await db.execute_fetchall(_UNANSWERED_SELECT + " WHERE e.id = ?", (exchange_id,))
    row = next(iter(rows), None)
    if row is not None:
        return _unanswered_from_row(row)
    outcome_rows = await db.execute_fetchall(
        "SELECT outcome FROM exchanges WHERE id = ?", (exchange_id,)
    )
    outcome = next(iter(outcome_rows), None)
    if outcome is None:
        raise StorageError(f"no unanswered question #{exchange_id}")
    raise StorageError(
        f"exchange #{exchange_id} was not a fallback (outcome {outcome[0]}), so it is not an "
        "unanswered question"
    )


def _every_week(weeks: Iterable[WeekCount]) -> tuple[WeekCount, ...]:
    """The weeks from first to last, quiet ones as zeros, so a trend has no holes."""
    found = {week.week: week for week in weeks}
    if not found:
        return ()
    first, last = min(found), max(found)
    count = (last - first).days // 7 + 1
    mondays = (first + timedelta(weeks=n) for n in range(count))
    return tuple(found.get(monday) or WeekCount(monday, 0, 0, 0, 0) for monday in mondays)


def _encode_candidates(candidates: Iterable[Candidate]) -> str:
    return json.dumps(
        [{"intent": c.intent, "score": round(float(c.score), 4)} for c in candidates],
        ensure_ascii=False,
    )


def _decode_candidates(text: str | None) -> tuple[Candidate, ...]:
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
