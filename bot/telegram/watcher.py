"""Hot reload: watch the knowledge directory and re-index in the background."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import watchfiles

from bot.live_knowledge import LiveKnowledge, ReloadReport
from intents.loader import YAML_SUFFIXES

log = logging.getLogger(__name__)

RETRY_SECONDS = 10.0


def _is_knowledge_file(change: watchfiles.Change, path: str) -> bool:
    return path.endswith(YAML_SUFFIXES)


async def watch_knowledge(
    knowledge: LiveKnowledge,
    on_reload: Callable[[ReloadReport], Awaitable[None]],
    *,
    debounce_ms: int = 400,
) -> None:
    """Reload on every change until cancelled; survives the directory vanishing."""
    while True:
        try:
            async for _changes in watchfiles.awatch(
                knowledge.root,
                watch_filter=_is_knowledge_file,
                debounce=debounce_ms,
                recursive=True,
            ):
                report = await knowledge.reload_async()
                await on_reload(report)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a deleted or unreadable directory: keep serving, retry
            log.error(
                "cannot watch knowledge directory %s (%s); retrying in %.0fs",
                knowledge.root,
                exc,
                RETRY_SECONDS,
            )
        await asyncio.sleep(RETRY_SECONDS)
        if knowledge.root.is_dir():
            report = await knowledge.reload_async()
            await on_reload(report)
