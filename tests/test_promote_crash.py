"""`ktbot unanswered promote` killed at any moment, then run again, finishes the job.

A promote writes the YAML, then records the review in the database. Killed in between, the
example is in the file and the question still open; the rerun must see the example and
just mark the question, never refuse (as it did) or add the example twice.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from bot.storage import NewExchange, ReviewState, Storage
from intents.knowledge.loader import load_knowledge
from intents.matching.result import MatchResult, Outcome
from tests.bot_process import ktbot_command

pytestmark = pytest.mark.e2e

KILLS = int(os.environ.get("KTBOT_PROMOTE_KILLS", "20"))
"""Promotes killed at random moments of their run; each is then run again to completion.

20 keep the suite quick; the issue's target is 100 (0 open questions; 90 s on the
development machine, too slow for every run): `KTBOT_PROMOTE_KILLS=100 .venv/bin/python -m
pytest tests/test_promote_crash.py`.
"""
TOPIC = "project.medicis"


def record_fallbacks(db: Path, count: int) -> list[int]:
    async def write() -> list[int]:
        async with await Storage.open(db) as storage:
            result = MatchResult("q", Outcome.FALLBACK, None, 0.0, ())
            return [
                await storage.record_exchange(
                    NewExchange("cli", None, f"qwzx zorble isotope plover {n}", result, "kb")
                )
                or 0
                for n in range(count)
            ]

    return asyncio.run(write())


def open_questions(db: Path) -> list[int]:
    async def read() -> list[int]:
        async with await Storage.open(db, create=False) as storage:
            return [q.id for q in await storage.unanswered(state=ReviewState.OPEN)]

    return asyncio.run(read())


def promote(knowledge: Path, db: Path, exchange_id: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*ktbot_command(), "unanswered", "promote", str(exchange_id), "--topic", TOPIC],
        env={"KTBOT_DB": str(db), "KTBOT_KNOWLEDGE_DIR": str(knowledge), "KTBOT_SECRET": "s"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_a_promote_killed_at_any_moment_is_finished_by_running_it_again(
    tmp_path: Path, tiny_kb: Path
) -> None:
    db = tmp_path / "ktbot.sqlite3"
    ids = record_fallbacks(db, KILLS)
    started = time.monotonic()
    promote(tiny_kb, db, ids[0]).wait()  # one whole run: how long a promote takes here
    duration = time.monotonic() - started
    rng = random.Random(16)

    for exchange_id in ids[1:]:
        process = promote(tiny_kb, db, exchange_id)
        time.sleep(rng.uniform(0.3, 1.0) * duration)  # mostly late: YAML written, db not yet
        process.send_signal(signal.SIGKILL)
        process.wait()
        rerun = promote(tiny_kb, db, exchange_id)
        output = rerun.communicate()[0].decode()
        assert rerun.returncode == 0, output
        assert f"#{exchange_id} resolved by {TOPIC}" in output

    assert open_questions(db) == []
    examples = load_knowledge(tiny_kb).topics[TOPIC].questions  # and the YAML still loads
    for n in range(KILLS):
        assert examples.count(f"qwzx zorble isotope plover {n}") == 1
    assert not list(tiny_kb.rglob("*.tmp"))
