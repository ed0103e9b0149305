"""A stop signal ends polling at once, including the getUpdates call polling waits for."""

from __future__ import annotations

import asyncio
import signal

import pytest

from bot.telegram import prompt_stop

pytestmark = pytest.mark.asyncio


async def test_a_stop_signal_cancels_the_polling_task_and_its_get_updates_call() -> None:
    async def polling_action_cb() -> None:  # named as python-telegram-bot names it
        await asyncio.sleep(60)

    async def network_retry_loop() -> None:
        await asyncio.sleep(60)

    async def answering_a_question() -> None:
        await asyncio.sleep(60)

    polling = asyncio.create_task(network_retry_loop(), name=prompt_stop.POLLING_TASK_NAME)
    # Cancelling the polling task leaves this one running: it would queue what it fetches
    # after the Application's stop signal.
    get_updates = asyncio.create_task(polling_action_cb())
    handler = asyncio.create_task(answering_a_question())
    await asyncio.sleep(0)

    with pytest.raises(SystemExit):
        prompt_stop._stop_now(signal.SIGTERM)
    await asyncio.sleep(0)

    assert polling.cancelled() and get_updates.cancelled()
    assert not handler.done(), "an update being answered finishes before the exit"
    handler.cancel()
