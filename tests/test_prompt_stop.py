"""A stop signal ends polling at once, including the getUpdates call polling waits for, and
the poll it cuts short is not reported as an error."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

import pytest
from telegram.error import NetworkError

from bot.telegram import prompt_stop


@pytest.mark.asyncio
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


def test_only_the_failed_last_poll_is_kept_quiet_when_a_stop_cancels_it() -> None:
    async def polling_action_cb() -> None:  # named as python-telegram-bot names it
        raise NetworkError("Bad Gateway")

    async def something_else() -> None:
        raise NetworkError("Bad Gateway")

    reported: list[dict[str, Any]] = []

    class RecordingLoop(asyncio.SelectorEventLoop):
        def default_exception_handler(self, context: dict[str, Any]) -> None:
            reported.append(context)

    loop = RecordingLoop()
    try:
        for coroutine in (polling_action_cb(), something_else()):
            task = loop.create_task(coroutine)
            loop.run_until_complete(asyncio.wait([task]))
            context = {"message": "Task exception was never retrieved", "future": task}
            prompt_stop._quiet_cancelled_poll(loop, {**context, "exception": task.exception()})
    finally:
        loop.close()

    assert [c["future"].get_coro().__qualname__ for c in reported] == [
        "test_only_the_failed_last_poll_is_kept_quiet_when_a_stop_cancels_it.<locals>.something_else"
    ]
