"""The inbox of Telegram updates: added before Telegram forgets them, marked once handled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from telegram import Bot, Update

from bot.storage import Storage
from bot.telegram.inbox import MAX_REPLAYS, DurableUpdateQueue
from tests import telegram_updates as tg

pytestmark = pytest.mark.asyncio

TOKEN = "123456:TEST-token"


@pytest.fixture
async def storage(tmp_path: Path):
    async with await Storage.open(tmp_path / "db.sqlite3") as opened:
        yield opened


def update(update_id: int, text: str = "what is medicis?") -> Update:
    return Update.de_json(tg.message(text, update_id=update_id), Bot(TOKEN))


def next_update(queue: DurableUpdateQueue) -> Update:
    """The next queued item, which must be a Telegram update."""
    item = queue.get_nowait()
    assert isinstance(item, Update), item
    return item


async def test_each_update_is_added_to_the_inbox_before_it_is_queued_and_a_redelivery_is_dropped(
    storage: Storage,
) -> None:
    queue = DurableUpdateQueue()
    queue.storage = storage

    await queue.put(update(1))
    await queue.put(update(1))  # Telegram delivering it again

    assert queue.qsize() == 1
    assert [entry.update_id for entry in await storage.inbox_take_unhandled()] == [1]


async def test_a_handled_update_is_not_replayed(storage: Storage) -> None:
    queue = DurableUpdateQueue()
    queue.storage = storage
    await queue.put(update(1))
    await queue.put(update(2))

    await queue.release(queue.get_nowait())

    assert [entry.update_id for entry in await storage.inbox_take_unhandled()] == [2]


async def test_updates_left_by_a_crash_are_replayed_in_order(storage: Storage) -> None:
    for update_id in (5, 4):
        await storage.inbox_add(update_id, json.dumps(tg.message("q", update_id=update_id)))
    queue = DurableUpdateQueue()
    queue.storage = storage

    replayed = await queue.replay_held(Bot(TOKEN))

    assert replayed == 2
    assert [next_update(queue).update_id for _ in range(2)] == [4, 5]


async def test_an_update_that_keeps_failing_to_finish_is_dropped_after_a_few_starts(
    storage: Storage,
) -> None:
    await storage.inbox_add(9, json.dumps(tg.message("q", update_id=9)))

    def restarted() -> DurableUpdateQueue:
        queue = DurableUpdateQueue()
        queue.storage = storage
        return queue

    for _ in range(MAX_REPLAYS):
        assert await restarted().replay_held(Bot(TOKEN)) == 1

    assert await restarted().replay_held(Bot(TOKEN)) == 0
    assert await storage.inbox_take_unhandled() == []


async def test_while_the_database_refuses_writes_handled_marks_wait_in_memory(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = DurableUpdateQueue()
    queue.storage = storage
    await queue.put(update(1))
    await queue.put(update(2))
    marked: list[list[int]] = []
    real_mark = storage.inbox_mark_handled

    async def mark(update_ids: list[int]) -> None:
        marked.append(list(update_ids))
        await real_mark(update_ids)

    monkeypatch.setattr(storage, "inbox_mark_handled", mark)
    monkeypatch.setattr(type(storage), "backlog", property(lambda self: 1))
    await queue.release(queue.get_nowait())  # no write: it would wait out the busy timeout
    monkeypatch.setattr(type(storage), "backlog", property(lambda self: 0))
    await queue.release(queue.get_nowait())

    assert marked == [[1, 2]]
    assert await storage.inbox_take_unhandled() == []


async def test_an_update_fetched_after_the_stop_signal_waits_in_the_inbox_for_the_next_start(
    storage: Storage,
) -> None:
    # python-telegram-bot stops by queueing a sentinel and waiting for the queue to empty; an
    # update a late getUpdates queued after it would never be taken, and the bot never stop.
    queue = DurableUpdateQueue()
    queue.storage = storage
    stop_signal = object()
    await queue.put(update(1))
    await queue.put(stop_signal)

    await queue.put(update(2))

    assert queue.qsize() == 2
    assert next_update(queue).update_id == 1
    assert queue.get_nowait() is stop_signal
    assert [entry.update_id for entry in await storage.inbox_take_unhandled()] == [1, 2]
