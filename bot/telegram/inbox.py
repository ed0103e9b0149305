"""No question lost in a crash: updates are written down before Telegram forgets them.

python-telegram-bot confirms a batch of updates to Telegram (the next getUpdates offset, or
the webhook's 200) as soon as it has queued them, before they are handled; a process killed
then would lose every question it was still answering. So the Application's update queue
writes each update to the database's inbox before accepting it (without the sender's
names: only what a replay needs), the update processor marks it handled (keeping only its
id), and the next start replays what is left. An update
Telegram delivers again is recognised and not handled twice. Only a crash between sending a
reply and marking its update handled makes a replay answer twice (at-least-once); the
exchange is still recorded once (its `update_id` is unique).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, Update
from telegram.ext import SimpleUpdateProcessor

from bot.storage import Storage, StorageError

log = logging.getLogger(__name__)

MAX_REPLAYS = 3
"""An update still unhandled after this many starts is dropped: it may be what crashes."""
MAX_UNMARKED = 100_000
"""Handled update ids kept in memory while the database refuses writes."""


_NAMES = frozenset({"first_name", "last_name", "username", "language_code"})


def without_names(value: Any) -> Any:
    """An update as JSON with only what replaying it needs: no names or @usernames.

    Ids stay (replies go to the chat id); a user's first name is required to read the
    update back, so it is kept empty. A replayed hand-off consent has expired anyway (the
    pending question lived in memory), so no handler needs a name from a replayed update.
    """
    if isinstance(value, dict):
        kept = {key: without_names(item) for key, item in value.items() if key not in _NAMES}
        if "is_bot" in value:  # a User
            kept["first_name"] = ""
        return kept
    if isinstance(value, list):
        return [without_names(item) for item in value]
    return value


class DurableUpdateQueue(asyncio.Queue[object]):
    """The Application's update queue; adds each Telegram update to the inbox first.

    Without storage (not opened yet, or refusing writes) it is a plain queue: answering
    matters more than the crash guarantee.
    """

    def __init__(self) -> None:
        super().__init__()
        self.storage: Storage | None = None
        self.user_key: Callable[[int], str] | None = None
        """The sender's pseudonym, stored with its inbox entry so /forget can clear it."""
        self._handled: list[int] = []
        self._stopping = False

    async def put(self, item: object) -> None:
        if not isinstance(item, Update):
            # python-telegram-bot's stop signal, the only other item this queue gets.
            self._stopping = True
        elif not await self._add_to_inbox(item):
            log.info("update %s delivered again by Telegram: already handled", item.update_id)
            return
        elif self._stopping:
            # The Application has stopped taking updates and waits for the queue to empty:
            # queued now, this one would make it wait forever. It stays in the inbox for the
            # next start (and Telegram, not told it was taken, delivers it again).
            log.info("update %s arrived while stopping: left for the next start", item.update_id)
            return
        await super().put(item)

    async def _add_to_inbox(self, update: Update) -> bool:
        """Whether to handle the update: False for one the inbox knows already."""
        storage = self.storage
        if storage is None or storage.backlog:  # a refusing database would stall fetching
            return True
        user = update.effective_user
        key = self.user_key(user.id) if user is not None and self.user_key else None
        payload = json.dumps(without_names(update.to_dict()))
        try:
            return await storage.inbox_add(update.update_id, payload, key)
        except StorageError as exc:
            log.warning("update %s not added to the inbox (%s)", update.update_id, exc)
            return True

    async def release(self, update: object) -> None:
        """Mark an update handled; while the database refuses writes, remember it and mark it
        with the next one that can be written (never make every answer wait out a lock)."""
        if not isinstance(update, Update) or self.storage is None:
            return
        self._handled.append(update.update_id)
        if not self.storage.backlog:
            await self.flush()

    async def flush(self) -> None:
        """Write the handled marks still in memory (also called at shutdown)."""
        if not self._handled or self.storage is None:
            return
        handled, self._handled = self._handled, []
        try:
            await self.storage.inbox_mark_handled(handled)
        except StorageError as exc:
            # Kept for the next attempt; if it never comes, the next start replays them
            # (answered twice at worst, never lost).
            self._handled = (handled + self._handled)[-MAX_UNMARKED:]
            log.warning("%d handled update(s) not marked so yet (%s)", len(handled), exc)

    async def replay_held(self, bot: Bot) -> int:
        """Queue the updates a previous process took but did not handle; return how many."""
        storage = self.storage
        if storage is None:
            return 0
        try:
            unhandled = await storage.inbox_take_unhandled()
        except StorageError as exc:
            log.error("cannot read the inbox, nothing replayed this time: %s", exc)
            return 0
        replayed = 0
        for item in unhandled:
            if item.replays > MAX_REPLAYS:
                log.error(
                    "dropping update %s: still unhandled after %d starts (it may be what "
                    "stops the bot)",
                    item.update_id,
                    item.replays - 1,
                )
                await storage.inbox_mark_handled([item.update_id])
                continue
            try:
                update = Update.de_json(json.loads(item.payload), bot)
            except (ValueError, TypeError, KeyError) as exc:
                log.error("dropping unreadable inbox entry %s: %s", item.update_id, exc)
                await storage.inbox_mark_handled([item.update_id])
                continue
            self.put_nowait(update)
            replayed += 1
        if replayed:
            log.warning(
                "replaying %d update(s) taken from Telegram before the last stop but never "
                "answered",
                replayed,
            )
        return replayed


class InboxUpdateProcessor(SimpleUpdateProcessor):
    """Handles updates concurrently, then marks each handled in the inbox, even when its
    handler failed (the error handler has logged it; a replay would only fail again)."""

    def __init__(self, max_concurrent_updates: int, queue: DurableUpdateQueue) -> None:
        super().__init__(max_concurrent_updates)
        self._queue = queue

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        # Application.process_update hands handler errors to the error handler and returns;
        # a cancelled update raises past the release and stays in the inbox for next start.
        await coroutine
        await self._queue.release(update)
