"""Storage: the inbox of Telegram updates, recorded once, replayed and purged.

Real SQLite files under tmp_path; the only fake is the clock.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.storage import Storage
from tests.storage_fixtures import NOW, FakeClock, db_bytes
from tests.storage_fixtures import clock as clock  # the fixture
from tests.storage_fixtures import db_path as db_path  # the fixture
from tests.storage_fixtures import storage as storage  # the fixture

# --- the inbox of Telegram updates ---------------------------------------------------------


async def test_an_update_enters_the_inbox_once_and_a_redelivery_is_recognised(
    storage: Storage,
) -> None:
    assert await storage.inbox_add(7, '{"update_id": 7}') is True
    assert await storage.inbox_add(7, '{"update_id": 7}') is False  # being handled

    await storage.inbox_mark_handled([7])

    assert await storage.inbox_add(7, '{"update_id": 7}') is False  # handled already


async def test_inbox_entries_not_handled_are_taken_for_replay_oldest_first(
    storage: Storage,
) -> None:
    for update_id in (12, 10, 11):
        await storage.inbox_add(update_id, f'{{"update_id": {update_id}}}')
    await storage.inbox_mark_handled([11])

    first = await storage.inbox_take_unhandled()
    second = await storage.inbox_take_unhandled()

    assert [(h.update_id, h.replays) for h in first] == [(10, 1), (12, 1)]
    assert [(h.update_id, h.replays) for h in second] == [(10, 2), (12, 2)]
    assert first[0].payload == '{"update_id": 10}'


async def test_a_handled_update_keeps_only_its_id_not_what_the_user_wrote(
    storage: Storage, db_path: Path
) -> None:
    await storage.inbox_add(5, '{"update_id": 5, "message": {"text": "my secret"}}')
    await storage.inbox_mark_handled([5])

    raw = sqlite3.connect(db_path)
    try:
        payloads = [row[0] for row in raw.execute("SELECT payload FROM inbox")]
    finally:
        raw.close()
    assert payloads == ["{}"]


async def test_the_daily_purge_forgets_update_ids_older_than_two_days(
    storage: Storage, clock: FakeClock
) -> None:
    await storage.inbox_add(1, "{}")
    await storage.inbox_mark_handled([1])
    clock.now = NOW + timedelta(days=1)
    await storage.inbox_add(2, "{}")

    clock.now = NOW + timedelta(days=2, hours=1)
    await storage.purge_older_than(clock.now - timedelta(days=180))

    assert await storage.inbox_add(1, "{}") is True  # forgotten: older than two days
    assert await storage.inbox_add(2, "{}") is False  # still known


async def test_a_write_cancelled_while_waiting_for_the_lock_leaves_no_transaction_open(
    db_path: Path,
) -> None:
    # E.g. the bot stopping while its update fetcher waits for a lock another process holds.
    async with await Storage.open(db_path, busy_timeout=1.0) as storage:
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        waiting = asyncio.ensure_future(storage.inbox_add(1, "{}"))
        await asyncio.sleep(0.2)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        other.execute("COMMIT")
        other.close()
        await asyncio.sleep(1.2)  # the abandoned BEGIN has long succeeded in aiosqlite's thread

        assert await storage.inbox_add(2, "{}") is True
        another = sqlite3.connect(db_path, timeout=0.5)
        try:
            another.execute(
                "INSERT INTO inbox (update_id, received_at, payload) VALUES (9, 'x', '{}')"
            )
            another.commit()
        finally:
            another.close()


async def test_a_checkpoint_leaves_no_earlier_version_of_a_handled_update_on_disk(
    storage: Storage, db_path: Path
) -> None:
    # Replay needs the sender's Telegram id; once handled, the payload is emptied, but the
    # -wal file keeps the page as it was until a checkpoint (the bot runs one every 10 min).
    await storage.inbox_add(5, '{"update_id": 5, "message": {"from": {"id": 4242424242}}}')
    await storage.inbox_mark_handled([5])
    assert b"4242424242" in db_bytes(db_path)

    await storage.checkpoint()

    assert b"4242424242" not in db_bytes(db_path)
    assert await storage.inbox_add(5, '{"update_id": 5}') is False  # still known as handled
