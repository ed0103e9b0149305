"""Privacy: retention (`purge_older_than`, run daily) and /forget (`forget_user`).

Deleted rows are overwritten (`PRAGMA secure_delete`), and the -wal file, which still holds
old page images, is truncated after each deletion so that it is final at once.
"""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.storage.inbox import INBOX_KEEP
from bot.storage.sqlite import Database, fetch_count, to_db_time

_COUNT_USER_RECORDS = """
    SELECT (SELECT COUNT(*) FROM exchanges WHERE user_key = :key)
         + (SELECT COUNT(*) FROM feedback f JOIN exchanges e ON e.id = f.exchange_id
            WHERE e.user_key = :key)
         + (SELECT COUNT(*) FROM choices c JOIN exchanges e ON e.id = c.exchange_id
            WHERE e.user_key = :key)
         + (SELECT COUNT(*) FROM handoffs WHERE user_key = :key)
         + (SELECT COUNT(*) FROM user_languages WHERE user_key = :key)
         + (SELECT COUNT(*) FROM enquiries WHERE user_key = :key)
         + (SELECT COUNT(*) FROM visits WHERE user_key = :key)
"""


class Privacy:
    """Deletions across every table: by age, and by user."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def purge_older_than(self, cutoff: datetime) -> int:
        """Delete exchanges (with their feedback, choices and review) and hand-offs older
        than `cutoff`; return how many exchanges and hand-offs were deleted.

        Nothing writes `handoffs` since migration 7 moved them to enquiries, but rows a
        bot wrote before then are still personal data, so retention and /forget clear them.
        """
        moment = to_db_time(cutoff)
        async with self._database.write() as db:
            exchanges = await db.execute("DELETE FROM exchanges WHERE asked_at < ?", (moment,))
            handoffs = await db.execute("DELETE FROM handoffs WHERE created_at < ?", (moment,))
            await db.execute("DELETE FROM visits WHERE visited_at < ?", (moment,))
            # Enquiries still being talked about are kept; finished and abandoned ones go.
            await db.execute(
                "DELETE FROM enquiries WHERE created_at < ? AND state IN ('draft', 'closed')",
                (moment,),
            )
            # Telegram redelivers an update for 24 hours at most: older ids are not needed.
            inbox_cutoff = to_db_time(max(cutoff, self._database.clock() - INBOX_KEEP))
            await db.execute("DELETE FROM inbox WHERE received_at < ?", (inbox_cutoff,))
            removed = exchanges.rowcount + handoffs.rowcount
        await self._database.checkpoint()
        return removed

    async def forget_user(self, user_key: str) -> int:
        """Delete everything recorded about one user; return the number of records."""
        now = self._database.now()
        async with self._database.write() as db:
            count = await fetch_count(db, _COUNT_USER_RECORDS, {"key": user_key})
            await _forget_enquiries(db, user_key, now)
            await db.execute("DELETE FROM handoffs WHERE user_key = ?", (user_key,))
            await db.execute("DELETE FROM user_languages WHERE user_key = ?", (user_key,))
            await db.execute("DELETE FROM visits WHERE user_key = ?", (user_key,))
            # Feedback, choices and review rows go with their exchange (ON DELETE CASCADE).
            await db.execute("DELETE FROM exchanges WHERE user_key = ?", (user_key,))
            # The user's updates still in the inbox, the /forget confirmation itself
            # included: their payloads carry the Telegram id and must be gone before the
            # checkpoint below copies the pages into the database file. They count as
            # handled: a crash now does not replay them.
            await db.execute(
                """
                UPDATE inbox SET payload = '{}', user_key = NULL,
                                 handled_at = COALESCE(handled_at, ?)
                WHERE user_key = ?
                """,
                (now, user_key),
            )
        await self._database.checkpoint()
        return count


async def _forget_enquiries(db: aiosqlite.Connection, user_key: str, now: str) -> None:
    """Drafts go; the others stay as closed tombstones with nothing about the user left, so
    a staff reply to one is told why it cannot be delivered."""
    await db.execute("DELETE FROM enquiries WHERE user_key = ? AND state = 'draft'", (user_key,))
    await db.execute(
        """
        UPDATE enquiries
        SET close_reason = CASE WHEN state = 'closed' THEN close_reason ELSE 'forgotten' END,
            state = 'closed', closed_at = COALESCE(closed_at, ?), user_key = NULL,
            user_chat_id = NULL, display_name = NULL, question = '',
            exchange_id = NULL, prompt_chat_id = NULL, prompt_message_id = NULL
        WHERE user_key = ?
        """,
        (now, user_key),
    )
