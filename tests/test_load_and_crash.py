"""Load and crash safety of `ktbot run` (a subprocess) against the Bot API emulator.

Simulated users (bench/load.py's closed-loop `Load`) keep asking while the bot runs, is
killed, or is stopped. Replies are tied to questions by the exchange id every reply carries in
its buttons, and exchanges to questions by their Telegram `update_id`, so each check names
the updates it is about.

Delivery semantics under SIGKILL, as these tests pin them down:
- an exchange is committed before its reply is sent, so every reply sent is recorded;
- an update the killed process fetched but whose offset it had not confirmed is redelivered
  after the restart and answered again (replies are at-least-once), but recorded once;
- an update the killed process had already confirmed (python-telegram-bot confirms a batch
  with the next getUpdates, before processing it) but not yet answered is not lost: it was
  written to the database's inbox before being confirmed, and the restarted bot replays it.
So after a SIGKILL every question is answered, and recorded exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bench.load import (
    LOAD_ENV,
    Exchange,
    Load,
    SyntheticKb,
    ktbot_outcome,
    polls,
    read_exchanges,
    write_synthetic_kb,
)
from tests.bot_process import BotProcess
from tests.emulator import ApiError, BotApiEmulator, Fault

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]

USERS = 12
REPLY_TIMEOUT = 2.0
"""A user whose question was lost with a killed process asks again after this long."""


@pytest.fixture
def kb(tmp_path: Path) -> SyntheticKb:
    return write_synthetic_kb(tmp_path / "knowledge", examples=300)


def start_bot(emulator: BotApiEmulator, tmp_path: Path, kb: SyntheticKb) -> BotProcess:
    return BotProcess(emulator, tmp_path / "bot", kb.root, dict(LOAD_ENV))


@contextlib.asynccontextmanager
async def bot_under_load(
    emulator: BotApiEmulator, tmp_path: Path, kb: SyntheticKb
) -> AsyncIterator[tuple[BotProcess, Load]]:
    """`ktbot run` with the simulated users asking; afterwards stopped, its log printed
    (pytest shows it when the test fails). The emulator is the test's own, so every poll it
    saw is this bot's."""
    bot = start_bot(emulator, tmp_path, kb)
    await bot.start()
    load = Load(emulator, kb.queries, users=USERS, reply_timeout=REPLY_TIMEOUT)
    load.start()
    try:
        yield bot, load
    finally:
        await bot.stop()
        load.close()
        print(bot.log_text()[-6000:])


async def eventually(condition: Callable[[], bool], what: str, within: float = 10) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {what}")
        await asyncio.sleep(0.02)


def answered_updates(load: Load, exchanges: list[Exchange]) -> set[int]:
    update_of = {exchange.id: exchange.update_id for exchange in exchanges}
    return {update_of[a.exchange_id] for a in load.answers if a.exchange_id in update_of}


def duplicate_update_ids(db_path: Path) -> list[int]:
    counts: dict[int, int] = {}
    for exchange in read_exchanges(db_path):
        counts[exchange.update_id] = counts.get(exchange.update_id, 0) + 1
    return sorted(update for update, count in counts.items() if count > 1)


async def test_under_load_every_update_is_answered_once_and_recorded_once(
    bot_api: BotApiEmulator, tmp_path: Path, kb: SyntheticKb
) -> None:
    bot = start_bot(bot_api, tmp_path, kb)
    await bot.start()
    load = Load(bot_api, kb.queries, users=USERS)
    try:
        await load.run(3)
        await load.settle()
    finally:
        code = await bot.stop()
        load.close()
        print(bot.log_text()[-6000:])  # shown if the test fails

    outcome = ktbot_outcome(load, read_exchanges(bot.db_path), warmup=0)
    assert code == 0
    assert outcome.asked >= 3 * USERS, "the load barely ran"
    assert outcome.unanswered == []
    assert outcome.answered_twice == []
    assert outcome.unattributed == [], "replies without the exchange they answer"
    assert outcome.unrecorded == []
    assert outcome.recorded_twice == []
    assert outcome.foreign_records == 0
    assert sum(outcome.records.values()) == outcome.asked


async def test_sigkill_after_processing_unconfirmed_updates_redelivers_them_recorded_once(
    bot_api: BotApiEmulator, tmp_path: Path, kb: SyntheticKb
) -> None:
    async with bot_under_load(bot_api, tmp_path, kb) as (bot, load):
        await eventually(lambda: len(load.answers) >= 2 * USERS, "the load got going")
        # Telegram stops answering getUpdates: the batch the bot is given next is processed,
        # but the poll that would confirm it hangs, so the batch stays unconfirmed.
        injected = time.time()
        stall = bot_api.inject(Fault("getUpdates", ApiError.bad_gateway(), delay=120, times=None))
        hung = await bot_api.wait_for_call(
            "getUpdates", lambda call: call.at >= injected, answered=False, timeout=10
        )
        offset = int(hung.params.get("offset") or 0)
        unconfirmed = {
            int(update["update_id"])
            for update in bot_api.pending_updates()
            if int(update["update_id"]) < offset
        }
        assert unconfirmed, "the bot was given no batch before its polls hung"

        # Wait until everything fetched, the earlier (confirmed) batches included, has been
        # answered: then only the unconfirmed batch is at stake when the process dies.
        fetched = {update for update in load.asked if update < offset}

        def processed() -> bool:
            return fetched <= answered_updates(load, read_exchanges(bot.db_path))

        await eventually(processed, "every fetched update answered before the kill")
        await bot.kill()
        dead = time.time()  # polls before this are the killed process's
        bot_api.remove_fault(stall)
        await bot.start()
        await asyncio.sleep(1.5)  # the load carries on against the restarted process
        await load.stop()
        await load.settle(within=10)

    outcome = ktbot_outcome(load, read_exchanges(bot.db_path), warmup=0)
    redelivered = polls(bot_api, 0, dead).fetched & polls(bot_api, dead).fetched
    assert unconfirmed <= redelivered, "updates not confirmed before the kill are redelivered"
    # Every reply sent, before or after the kill, names an exchange that is in the database.
    assert outcome.replies_without_record == []
    assert outcome.unattributed == []
    # Redelivered updates are answered again by the restarted process (at-least-once
    # replies: a second reply is allowed, not required) but recorded once.
    assert all(outcome.replies[update] >= 1 for update in unconfirmed)
    assert {update: outcome.records[update] for update in unconfirmed} == dict.fromkeys(
        unconfirmed, 1
    )
    assert outcome.recorded_twice == []
    assert duplicate_update_ids(bot.db_path) == []
    # Nothing was in flight but the processed batch: no question is lost.
    assert outcome.unanswered == []
    assert outcome.unrecorded == []


async def test_sigkill_mid_load_then_restart_keeps_every_sent_reply_recorded_once(
    bot_api: BotApiEmulator, tmp_path: Path, kb: SyntheticKb
) -> None:
    async with bot_under_load(bot_api, tmp_path, kb) as (bot, load):
        await eventually(lambda: len(load.answers) >= 4 * USERS, "the load got going")
        await bot.kill()
        dead = time.time()  # polls before this are the killed process's
        await bot.start()
        await asyncio.sleep(1.5)
        await load.stop()
        await load.settle(within=10)

    outcome = ktbot_outcome(load, read_exchanges(bot.db_path), warmup=0)
    before = polls(bot_api, 0, dead)
    assert outcome.replies_without_record == [], "a reply was sent for an unrecorded exchange"
    assert outcome.unattributed == []
    assert outcome.recorded_twice == []
    assert duplicate_update_ids(bot.db_path) == []
    assert all(outcome.records[update] == 1 for update in outcome.replies)
    # Even the updates the killed process had taken and confirmed to Telegram are answered:
    # the restarted bot replays them from its inbox.
    assert before.confirmed_below > 0, "the killed process had confirmed nothing"
    assert outcome.unanswered == []
    assert outcome.unrecorded == []


async def test_sigterm_mid_load_finishes_in_flight_updates_and_exits_cleanly(
    bot_api: BotApiEmulator, tmp_path: Path, kb: SyntheticKb
) -> None:
    async with bot_under_load(bot_api, tmp_path, kb) as (bot, load):
        await eventually(lambda: len(load.answers) >= 4 * USERS, "the load got going")
        code = await bot.stop(signal.SIGTERM)
        taken = polls(bot_api, 0)
        exchanges = read_exchanges(bot.db_path)
        answered_before_exit = answered_updates(load, exchanges)
        recorded_before_exit = {exchange.update_id for exchange in exchanges}
        # The updates it had not taken wait at Telegram for the next start.
        await bot.start()
        await asyncio.sleep(1)
        await load.stop()
        await load.settle(within=10)

    assert code == 0
    assert "ktbot stopped" in bot.log_text()
    in_flight = {update for update in load.asked if update < taken.confirmed_below}
    assert in_flight, "the process had taken no update"
    assert in_flight - answered_before_exit == set(), "taken but not answered before the exit"
    assert in_flight - recorded_before_exit == set(), "taken but not recorded before the exit"
    # A graceful stop loses nothing and repeats nothing across the restart.
    outcome = ktbot_outcome(load, read_exchanges(bot.db_path), warmup=0)
    assert outcome.unanswered == []
    assert outcome.answered_twice == []
    assert outcome.unattributed == []
    assert outcome.unrecorded == []
    assert outcome.recorded_twice == []
