"""The inbox: Telegram updates written down before they are confirmed to Telegram, so that a
crash cannot lose them, replayed after a restart, and their ids kept a while after they are
handled to recognise Telegram redelivering them. (Not to be confused with the write backlog,
`backlog.py`, which keeps exchanges in memory while the database refuses writes.)"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from bot.storage.records import InboxEntry
from bot.storage.rows import from_row
from bot.storage.sqlite import Database

INBOX_KEEP = timedelta(days=2)
"""How long the ids of handled updates are kept to recognise Telegram redelivering them."""

_INBOX_COLUMNS = {"update_id": int, "payload": str, "replays": int}


class InboxStore:
    """The `inbox` table."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def add(self, update_id: int, payload: str, user_key: str | None = None) -> bool:
        """Keep a Telegram update until it is handled; False if this update is known
        already (handled, or being handled): a redelivery not to handle again.

        Written before the update is confirmed to Telegram, so a crash cannot lose it.
        `user_key` is the sender's pseudonym, for `forget_user` to clear the payload.
        """
        async with self._database.write() as db:
            cursor = await db.execute(
                """
                INSERT INTO inbox (update_id, received_at, payload, user_key) VALUES (?, ?, ?, ?)
                ON CONFLICT (update_id) DO NOTHING
                """,
                (update_id, self._database.now(), payload, user_key),
            )
            return cursor.rowcount == 1

    async def mark_handled(self, update_ids: Iterable[int]) -> None:
        """The updates were handled (answered, or failed and logged): forget their content."""
        moment = self._database.now()
        async with self._database.write() as db:
            await db.executemany(
                "UPDATE inbox SET handled_at = ?, payload = '{}', user_key = NULL "
                "WHERE update_id = ?",
                [(moment, update_id) for update_id in update_ids],
            )

    async def take_unhandled(self) -> list[InboxEntry]:
        """Updates kept by a process that stopped before handling them, oldest first; each
        call counts as one more replay of each."""
        async with self._database.write() as db:
            rows = await db.execute_fetchall(
                """
                UPDATE inbox SET replays = replays + 1 WHERE handled_at IS NULL
                RETURNING update_id, payload, replays
                """
            )
        return sorted(
            (from_row(InboxEntry, row, _INBOX_COLUMNS) for row in rows),
            key=lambda entry: entry.update_id,
        )
