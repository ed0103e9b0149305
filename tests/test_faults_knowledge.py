"""Knowledge-directory faults: the directory vanishing, swapped or unreadable, and a failing
reload notification. The last good knowledge base keeps serving."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from pathlib import Path
from typing import Any

import pytest

import bot.telegram.watcher as watcher
import intents.knowledge.loader
from bot.live_knowledge import LiveKnowledge
from tests import telegram_updates as tg
from tests.bot_harness import BotHarness, running_bot, write_knowledge
from tests.fault_helpers import ANSWER, QUESTION, permissions_are_enforced, wait_until

# --- the knowledge directory --------------------------------------------------------------


WATCH_SETUP = 0.5
"""Seconds for the watcher started with the bot to have its watch in place."""


@pytest.fixture
def quick_watcher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watcher, "RETRY_SECONDS", 0.1)


@pytest.fixture
def slow_watch_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    """A watch that takes a while to be in place, as on a busy machine: an edit made in
    that window must still be served."""
    awatch = watcher.watchfiles.awatch

    async def slow_awatch(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(0.3)
        async for changes in awatch(*args, **kwargs):
            yield changes

    monkeypatch.setattr(watcher.watchfiles, "awatch", slow_awatch)


async def a_later_edit_is_served(bot: BotHarness, where: str) -> None:
    """Edit "KT website" to "KT site" in the (already edited) routes topic: the watcher must
    reload it and the bot answer with it."""
    version = bot.services.knowledge.kb.version
    routes = bot.settings.knowledge_dir / "topics" / "routes.yaml"
    routes.write_text(routes.read_text().replace("KT website", "KT site"))
    await wait_until(
        lambda: bot.services.knowledge.kb.version != version,
        within=5,
        what=f"a reload after an edit in {where}",
    )
    await bot.send(tg.message("how do I reach the knowledge transfer team"))
    assert "KT site" in bot.api.last_text()


async def test_deleted_knowledge_directory_keeps_serving_and_is_watched_again_when_back(
    tmp_path: Path, quick_watcher: None, slow_watch_setup: None, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(tmp_path) as bot:
        root = bot.settings.knowledge_dir
        version = bot.services.knowledge.kb.version
        await asyncio.sleep(WATCH_SETUP + 0.3)
        with caplog.at_level(logging.INFO):
            shutil.rmtree(root)
            await wait_until(lambda: "is gone; still serving version" in caplog.text, within=5)
            await bot.send(tg.message(QUESTION))
            assert ANSWER in bot.api.last_text()
            assert bot.services.knowledge.kb.version == version

            # Back (e.g. a redeploy), with an edit: served, and later edits are seen too.
            write_knowledge(root)
            routes = root / "topics" / "routes.yaml"
            routes.write_text(
                routes.read_text().replace("KT web site", "KT website"), encoding="utf-8"
            )
            await wait_until(lambda: bot.services.knowledge.kb.version != version, within=5)
            assert "is back; reloading and watching it again" in caplog.text
            await a_later_edit_is_served(bot, "the directory that came back")


async def test_a_knowledge_directory_swapped_by_a_deploy_is_watched_from_then_on(
    tmp_path: Path, quick_watcher: None
) -> None:
    async with running_bot(tmp_path) as bot:
        root = bot.settings.knowledge_dir
        version = bot.services.knowledge.kb.version
        await asyncio.sleep(WATCH_SETUP)
        # `rm -rf knowledge && mv knowledge.new knowledge`, faster than the watcher debounces.
        staged = write_knowledge(tmp_path / "knowledge.new")
        routes = staged / "topics" / "routes.yaml"
        routes.write_text(routes.read_text().replace("KT web site", "KT website"))
        shutil.rmtree(root)
        staged.rename(root)
        await wait_until(lambda: bot.services.knowledge.kb.version != version, within=5)
        await asyncio.sleep(WATCH_SETUP)  # the new watch starts after that reload

        await a_later_edit_is_served(bot, "the swapped-in directory")


async def test_unreadable_knowledge_directory_keeps_serving_and_recovers(
    tmp_path: Path, quick_watcher: None, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(tmp_path) as bot:
        root = bot.settings.knowledge_dir
        version = bot.services.knowledge.kb.version
        simulate = not permissions_are_enforced(tmp_path)
        await asyncio.sleep(WATCH_SETUP)
        with caplog.at_level(logging.INFO):
            with pytest.MonkeyPatch.context() as patch:
                if simulate:  # root reads through mode bits: fail as for any other user

                    def unreadable(path: Path) -> list[Path]:
                        raise PermissionError(13, "Permission denied", str(path))

                    patch.setattr(intents.knowledge.loader, "knowledge_files", unreadable)
                root.chmod(0o000)  # the watcher sees the mode change either way
                try:
                    await wait_until(
                        lambda: "knowledge reload failed, keeping version" in caplog.text,
                        what="the failed reload",
                    )
                    await bot.send(tg.message(QUESTION))
                    assert ANSWER in bot.api.last_text()
                    assert bot.services.knowledge.kb.version == version
                finally:
                    root.chmod(0o755)
            await wait_until(lambda: "loads again" in caplog.text, what="the recovery")
        await bot.send(tg.message(QUESTION))
        assert ANSWER in bot.api.last_text()


async def test_watcher_survives_a_failing_reload_notification(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = write_knowledge(tmp_path / "knowledge")
    knowledge = LiveKnowledge.load(root)
    seen: list[bool] = []

    async def on_reload(report: Any) -> None:
        seen.append(report.ok)
        if len(seen) == 1:
            raise RuntimeError("admin notification broke")

    task = asyncio.create_task(watcher.watch_knowledge(knowledge, on_reload, debounce_ms=50))
    try:
        await asyncio.sleep(0.3)  # the watch is set up
        settings_file = root / "settings.yaml"
        with caplog.at_level(logging.ERROR):
            settings_file.write_text("settings: {}\n# one\n")
            await wait_until(lambda: len(seen) == 1, what="the first reload")
            await asyncio.sleep(0.2)
            settings_file.write_text("settings: {}\n# two\n")
            await wait_until(lambda: len(seen) == 2, what="a reload after the failure")
        assert "could not report the knowledge reload" in caplog.text
        assert not task.done()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
