"""Scheduling jobs that must also run as soon as the bot is up."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import JobQueue

from bot.telegram.context import Context

AT_START: dict[str, Any] = {"misfire_grace_time": None}
"""Jobs are scheduled in post_init, before python-telegram-bot starts the job queue, which
may be many seconds later (bootstrap retries): a run due at start-up must not be counted
as missed (APScheduler's default grace is one second)."""


def run_now_and_every(
    jobs: JobQueue[Any],
    callback: Callable[[Context], Coroutine[Any, Any, None]],
    seconds: float,
    name: str,
) -> None:
    """Run `callback` once the job queue starts, then every `seconds`.

    Not `run_repeating(first=0)`: when the queue starts late, APScheduler places an interval
    job's first run at the next multiple of the interval after the start, so the run due at
    start-up never happens (the heartbeat stayed absent for 30 s, deliveries left by a crash
    waited for the next round).
    """
    jobs.run_once(callback, when=0, name=name, job_kwargs=AT_START)
    jobs.run_repeating(callback, interval=seconds, first=seconds, name=name)
