"""Hot reload: watch the knowledge directory and re-index in the background."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import watchfiles

from bot.live_knowledge import LiveKnowledge, ReloadReport
from intents import YAML_SUFFIXES, is_knowledge_path

log = logging.getLogger(__name__)

RETRY_SECONDS = 10.0
"""How often to look for a deleted knowledge directory coming back."""

WATCH_TICK_MS = 200
"""How long the watcher waits for changes before yielding an empty batch."""

OnReload = Callable[[ReloadReport], Awaitable[None]]


def knowledge_filter(root: Path) -> Callable[[watchfiles.Change, str], bool]:
    """YAML files, and the directory itself: its permissions changing, or it going away."""
    roots = {os.path.abspath(root), os.path.realpath(root)}

    def accept(change: watchfiles.Change, path: str) -> bool:
        if path in roots:
            return True
        if not path.endswith(YAML_SUFFIXES):
            return False
        # Editor swap and backup files (".#x.yaml", "x.yaml~") are not knowledge: no reload.
        for base in roots:
            if path.startswith(base + os.sep):
                return is_knowledge_path(Path(os.path.relpath(path, base)))
        return True

    return accept


async def watch_knowledge(
    knowledge: LiveKnowledge, on_reload: OnReload, *, debounce_ms: int = 400
) -> None:
    """Reload on every change until cancelled.

    Survives the directory being deleted, replaced or made unreadable: the last good
    knowledge base keeps being served (LiveKnowledge never swaps in a failed load), and
    watching starts again when the directory is back.
    """
    root = knowledge.root
    catch_up = False
    while True:
        if root.is_dir():
            watched = _identity(root)
            try:
                # yield_on_timeout: an empty batch marks the watch as in place, so the
                # catch-up reload below cannot miss an edit made while it was being set up.
                async for changes in watchfiles.awatch(
                    root,
                    watch_filter=knowledge_filter(root),
                    debounce=debounce_ms,
                    recursive=True,
                    rust_timeout=WATCH_TICK_MS,
                    yield_on_timeout=True,
                ):
                    if not changes and not catch_up:
                        continue
                    catch_up = False
                    await _reload(knowledge, on_reload)
                    if _identity(root) != watched:
                        # A watch on a deleted directory never reports anything again, even
                        # when a new directory appears at the same path (a deploy swapping
                        # directories): start over on whatever is there now.
                        catch_up = True
                        break
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # e.g. out of inotify watches: keep serving, retry
                log.error(
                    "cannot watch knowledge directory %s (%s); still serving version %s, "
                    "retrying in %gs",
                    root,
                    exc,
                    knowledge.kb.version,
                    RETRY_SECONDS,
                )
                await asyncio.sleep(RETRY_SECONDS)
                catch_up = True
                continue
        await _wait_for_directory(knowledge)
        catch_up = True


def _identity(root: Path) -> tuple[int, int] | None:
    """Which directory is at `root` now (device and inode), None if none is."""
    try:
        stat = root.stat()
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


async def _wait_for_directory(knowledge: LiveKnowledge) -> None:
    root = knowledge.root
    if not root.is_dir():
        log.error(
            "knowledge directory %s is gone; still serving version %s from memory; checking "
            "every %gs for it to come back",
            root,
            knowledge.kb.version,
            RETRY_SECONDS,
        )
        while True:  # polled: there is nothing to watch until the directory exists
            await asyncio.sleep(RETRY_SECONDS)
            if root.is_dir():
                break
        log.warning("knowledge directory %s is back; reloading and watching it again", root)


async def _reload(knowledge: LiveKnowledge, on_reload: OnReload) -> None:
    report = await knowledge.reload_async()
    try:
        await on_reload(report)
    except Exception:  # telling admins is a courtesy: never stop watching for it
        log.exception("could not report the knowledge reload")
