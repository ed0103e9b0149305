"""The heartbeat behind `ktbot health` (Docker HEALTHCHECK) says whether the bot serves users.

A bot that runs but cannot reach Telegram serves nobody: its heartbeat must age, so the
container turns unhealthy during an outage (finding S22).
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from telegram.error import NetworkError

from bot.telegram import app


class FakeBot:
    def __init__(self, reachable: bool) -> None:
        self.reachable = reachable
        self.calls = 0

    async def get_me(self) -> None:
        self.calls += 1
        if not self.reachable:
            raise NetworkError("httpx.ConnectError: All connection attempts failed")


def context(tmp_path: Path, bot: FakeBot) -> Any:
    settings = SimpleNamespace(db_path=tmp_path / "ktbot.sqlite3")
    return SimpleNamespace(
        application=SimpleNamespace(bot_data=SimpleNamespace(settings=settings)), bot=bot
    )


def test_the_heartbeat_is_written_while_telegram_answers(tmp_path: Path) -> None:
    bot = FakeBot(reachable=True)
    asyncio.run(app._heartbeat(context(tmp_path, bot)))

    assert (tmp_path / "heartbeat").exists()
    assert bot.calls == 1


def test_the_heartbeat_ages_while_telegram_is_unreachable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    beat = tmp_path / "heartbeat"
    beat.write_text("old", encoding="ascii")
    long_ago = time.time() - 600
    os.utime(beat, (long_ago, long_ago))

    asyncio.run(app._heartbeat(context(tmp_path, FakeBot(reachable=False))))

    assert beat.stat().st_mtime == pytest.approx(long_ago)  # `ktbot health` now fails
    assert "Telegram is unreachable" in caplog.text
