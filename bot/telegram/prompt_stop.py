"""Stop within Docker's 10 s, even while python-telegram-bot waits out a polling back-off.

After failed `getUpdates` calls python-telegram-bot sleeps before polling again: 1 s, then
1.5 times longer each time up to 30 s, or the `retry_after` of a 429. Its stop signal
handler ends the event loop, but stopping then awaits the polling task, which finishes its
sleep first: 20 s and more after a Telegram outage, so Docker (10 s) kills the bot
mid-shutdown. Our handler cancels that task first, and the getUpdates call it runs as a
task of its own: left running, that call could queue the updates it fetched after the
Application's stop signal, and the Application would wait for them forever. Nothing is lost:
an update taken from Telegram is in the inbox before the polling task lets go of it, and one
not yet confirmed is delivered again on the next start.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any, NoReturn

from telegram.error import TelegramError

log = logging.getLogger(__name__)

POLLING_TASK_NAME = "Updater:start_polling:polling_task"
"""The name python-telegram-bot (20–22) gives its polling task; the test of a stop during a
back-off (tests/test_e2e.py) fails if a new version renames it."""
POLLING_ACTION = "polling_action_cb"
"""The coroutine of each getUpdates call, a task the polling task starts and waits for
(python-telegram-bot 21–22); cancelling the polling task does not cancel it."""
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)  # as python-telegram-bot


def install(loop: asyncio.AbstractEventLoop) -> None:
    """Handle the stop signals on `loop`; run python-telegram-bot with `stop_signals=None`."""
    for sig in STOP_SIGNALS:
        try:
            loop.add_signal_handler(sig, _stop_now, sig)
        except (NotImplementedError, RuntimeError) as exc:  # not the main thread, Windows
            log.debug("keeping python-telegram-bot's handler for %s: %s", sig, exc)
    loop.set_exception_handler(_quiet_cancelled_poll)


def _quiet_cancelled_poll(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """The getUpdates call that failed just before a stop during a back-off: its error was
    logged when it happened, and cancelling the back-off leaves it "never retrieved", which
    asyncio would log as an ERROR with a traceback at exit."""
    task, error = context.get("future"), context.get("exception")
    coroutine = task.get_coro() if isinstance(task, asyncio.Task) else None
    name = getattr(coroutine, "__qualname__", "")
    if name.endswith(POLLING_ACTION) and isinstance(error, TelegramError):
        log.debug("last getUpdates before stopping had failed: %s", error)
        return
    loop.default_exception_handler(context)


def _is_polling(task: asyncio.Task[Any]) -> bool:
    name = getattr(task.get_coro(), "__qualname__", "")
    return task.get_name() == POLLING_TASK_NAME or name.endswith(POLLING_ACTION)


def _stop_now(sig: int) -> NoReturn:
    for task in asyncio.all_tasks():
        if _is_polling(task) and not task.done():
            task.cancel()
    log.info("stopping on %s", signal.Signals(sig).name)
    # What python-telegram-bot's own handler does: run_polling/run_webhook catch it, stop the
    # updater and the application, and run post_stop and post_shutdown.
    raise SystemExit(0)
