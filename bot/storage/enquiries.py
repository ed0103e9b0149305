"""Storage of enquiries to KT staff ("Talk to a person"): the table of migration 7.

An enquiry is a row before anything is sent anywhere: a *draft* while the user is asked for
consent (no name yet), *open* once they agree, *answered* after the first staff reply,
*closed* by staff or by /forget. Delivery to the staff chat is tracked apart from the
state (`delivered_at`, `attempts`, `next_attempt_at`, `last_error`), so a forward that
fails is retried until it lands and is never lost silently. The records and their row
mapping are in `enquiry_rows.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from bot.storage.enquiry_rows import (
    ACTIVE,
    ACTIVE_SQL,
    COLUMNS,
    Enquiry,
    EnquiryState,
    StaffMessage,
    enquiry_from_row,
)
from bot.storage.exchanges import existing_exchange_id
from bot.storage.records import StorageError
from bot.storage.sqlite import Database, fetch_count, fetch_one, to_db_time

__all__ = ["ACTIVE", "Enquiry", "EnquiryState", "EnquiryStore", "StaffMessage"]


class EnquiryStore:
    """Enquiry rows; every method is one transaction of the storage's database."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def _now(self) -> str:
        return self._database.now()

    async def _one(self, where: str, params: Iterable[Any]) -> Enquiry | None:
        async with self._database.read() as db:
            row = await fetch_one(db, f"SELECT {COLUMNS} FROM enquiries WHERE {where}", params)
        return None if row is None else enquiry_from_row(row)

    async def _many(self, where: str, params: Iterable[Any] = ()) -> list[Enquiry]:
        async with self._database.read() as db:
            rows = await db.execute_fetchall(
                f"SELECT {COLUMNS} FROM enquiries WHERE {where}", tuple(params)
            )
        return [enquiry_from_row(row) for row in rows]

    # --- the user's side ------------------------------------------------------------------

    async def create_draft(
        self,
        *,
        user_key: str,
        user_chat_id: int,
        question: str,
        exchange_id: int | None = None,
        language: str | None = None,
    ) -> int:
        """A new draft (consent not given yet); `question` "" while it is still to be typed."""
        async with self._database.write() as db:
            exchange_id = await existing_exchange_id(db, exchange_id)
            row = await fetch_one(
                db,
                """
                INSERT INTO enquiries (created_at, state, exchange_id, user_key, user_chat_id,
                                       question, language)
                VALUES (?, 'draft', ?, ?, ?, ?, ?) RETURNING id
                """,
                (self._now(), exchange_id, user_key, user_chat_id, question, language),
            )
        if row is None:  # cannot happen: RETURNING always gives the new row
            raise StorageError("the new enquiry was not recorded")
        return int(row["id"])

    async def set_prompt(self, enquiry_id: int, chat_id: int, message_id: int) -> None:
        async with self._database.write() as db:
            await db.execute(
                "UPDATE enquiries SET prompt_chat_id = ?, prompt_message_id = ? WHERE id = ?",
                (chat_id, message_id, enquiry_id),
            )

    async def set_question(self, enquiry_id: int, question: str) -> None:
        async with self._database.write() as db:
            await db.execute(
                "UPDATE enquiries SET question = ? WHERE id = ? AND state = 'draft'",
                (question, enquiry_id),
            )

    async def get(self, enquiry_id: int) -> Enquiry | None:
        return await self._one("id = ?", (enquiry_id,))

    async def awaiting_question(
        self, prompt_chat_id: int, prompt_message_id: int
    ) -> Enquiry | None:
        """The draft whose "type your question" prompt this message replies to."""
        return await self._one(
            "state = 'draft' AND question = '' AND prompt_chat_id = ? AND prompt_message_id = ?",
            (prompt_chat_id, prompt_message_id),
        )

    async def active_for_exchange(self, exchange_id: int) -> Enquiry | None:
        return await self._one(
            f"exchange_id = ? AND state IN {ACTIVE_SQL} ORDER BY id LIMIT 1", (exchange_id,)
        )

    async def active_for_user(self, user_key: str) -> Enquiry | None:
        """The user's most recent open or answered enquiry: where their messages go."""
        return await self._one(
            f"user_key = ? AND state IN {ACTIVE_SQL} ORDER BY id DESC LIMIT 1", (user_key,)
        )

    async def of_user(self, user_key: str) -> list[Enquiry]:
        return await self._many("user_key = ? ORDER BY id", (user_key,))

    async def consent(self, enquiry_id: int, display_name: str) -> bool:
        """Draft → open, due for delivery now; False if it was not a draft any more."""
        now = self._now()
        async with self._database.write() as db:
            cursor = await db.execute(
                """
                UPDATE enquiries SET state = 'open', display_name = ?, consented_at = ?,
                                     next_attempt_at = ?
                WHERE id = ? AND state = 'draft' AND question != ''
                """,
                (display_name, now, now, enquiry_id),
            )
            return cursor.rowcount == 1

    async def delete_draft(self, enquiry_id: int) -> bool:
        async with self._database.write() as db:
            cursor = await db.execute(
                "DELETE FROM enquiries WHERE id = ? AND state = 'draft'", (enquiry_id,)
            )
            return cursor.rowcount == 1

    async def append_before_delivery(self, enquiry_id: int, text: str) -> bool:
        """Add a follow-up to a question no part of which has reached staff yet."""
        async with self._database.write() as db:
            cursor = await db.execute(
                f"""
                UPDATE enquiries SET question = question || char(10) || char(10) || ?
                WHERE id = ? AND delivered_at IS NULL AND state IN {ACTIVE_SQL}
                  AND NOT EXISTS (SELECT 1 FROM enquiry_messages WHERE enquiry_id = ?)
                """,
                (text, enquiry_id, enquiry_id),
            )
            return cursor.rowcount == 1

    # --- delivery -------------------------------------------------------------------------

    async def due(self, now: datetime) -> list[Enquiry]:
        """Consented enquiries not yet delivered whose next attempt is due, oldest first."""
        return await self._many(
            f"delivered_at IS NULL AND state IN {ACTIVE_SQL} AND next_attempt_at <= ? ORDER BY id",
            (to_db_time(now),),
        )

    async def undelivered_count(self) -> int:
        async with self._database.read() as db:
            return await fetch_count(
                db,
                f"SELECT COUNT(*) FROM enquiries WHERE delivered_at IS NULL "
                f"AND state IN {ACTIVE_SQL}",
            )

    async def consented_since(self, since: datetime) -> int:
        """Enquiries the user agreed to send to staff (the leads) since then, in any state."""
        async with self._database.read() as db:
            return await fetch_count(
                db,
                "SELECT COUNT(*) FROM enquiries WHERE consented_at IS NOT NULL "
                "AND consented_at >= ?",
                (to_db_time(since),),
            )

    async def staff_messages(self, enquiry_id: int) -> list[StaffMessage]:
        async with self._database.read() as db:
            rows = await db.execute_fetchall(
                "SELECT staff_chat_id, staff_message_id, part FROM enquiry_messages "
                "WHERE enquiry_id = ? ORDER BY sent_at, staff_message_id",
                (enquiry_id,),
            )
        return [
            StaffMessage(int(r["staff_chat_id"]), int(r["staff_message_id"]), r["part"])
            for r in rows
        ]

    async def head(self, enquiry_id: int) -> StaffMessage | None:
        """The first part of the enquiry in the staff chat: what follow-ups reply to."""
        parts = [m for m in await self.staff_messages(enquiry_id) if m.part is not None]
        return min(parts, key=lambda m: m.part or 0) if parts else None

    async def record_message(
        self, enquiry_id: int, chat_id: int, message_id: int, part: int | None = None
    ) -> None:
        """A staff-chat message of this enquiry, committed as soon as Telegram took it."""
        async with self._database.write() as db:
            await db.execute(
                """
                INSERT INTO enquiry_messages (staff_chat_id, staff_message_id, enquiry_id,
                                              part, sent_at)
                VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """,
                (chat_id, message_id, enquiry_id, part, self._now()),
            )

    async def set_thread(self, enquiry_id: int, thread_id: int | None) -> None:
        """The enquiry's forum topic in the staff chat, committed as soon as it exists."""
        async with self._database.write() as db:
            await db.execute(
                "UPDATE enquiries SET staff_thread_id = ? WHERE id = ?", (thread_id, enquiry_id)
            )

    async def for_thread(self, thread_id: int) -> Enquiry | None:
        """The enquiry whose forum topic in the staff chat this is."""
        return await self._one("staff_thread_id = ? ORDER BY id DESC LIMIT 1", (thread_id,))

    async def mark_user_told(self, enquiry_id: int) -> None:
        async with self._database.write() as db:
            await db.execute(
                "UPDATE enquiries SET user_told_at = COALESCE(user_told_at, ?) WHERE id = ?",
                (self._now(), enquiry_id),
            )

    async def untold(self) -> list[Enquiry]:
        """Consented enquiries whose user was not told yet (a crash came in between)."""
        return await self._many(f"user_told_at IS NULL AND state IN {ACTIVE_SQL} ORDER BY id")

    async def mark_delivered(self, enquiry_id: int) -> None:
        async with self._database.write() as db:
            await db.execute(
                "UPDATE enquiries SET delivered_at = ?, next_attempt_at = NULL, "
                "last_error = NULL WHERE id = ?",
                (self._now(), enquiry_id),
            )

    async def record_failure(self, enquiry_id: int, error: str, retry_at: datetime) -> int:
        """Count a failed attempt; return how many attempts have failed so far."""
        async with self._database.write() as db:
            row = await fetch_one(
                db,
                """
                UPDATE enquiries SET attempts = attempts + 1, last_error = ?,
                                     next_attempt_at = ?
                WHERE id = ? RETURNING attempts
                """,
                (error, to_db_time(retry_at), enquiry_id),
            )
        return 0 if row is None else int(row["attempts"])

    # --- the staff side -------------------------------------------------------------------

    async def for_staff_message(self, chat_id: int, message_id: int) -> Enquiry | None:
        return await self._one(
            "id = (SELECT enquiry_id FROM enquiry_messages "
            "WHERE staff_chat_id = ? AND staff_message_id = ?)",
            (chat_id, message_id),
        )

    async def mark_answered(self, enquiry_id: int) -> None:
        async with self._database.write() as db:
            await db.execute(
                "UPDATE enquiries SET state = 'answered', answered_at = COALESCE(answered_at, ?) "
                "WHERE id = ? AND state = 'open'",
                (self._now(), enquiry_id),
            )

    async def reopen(self, enquiry_id: int) -> bool:
        """A staff reply to a closed enquiry (not a forgotten one) opens it again."""
        async with self._database.write() as db:
            cursor = await db.execute(
                """
                UPDATE enquiries SET state = 'answered', closed_at = NULL, close_reason = NULL
                WHERE id = ? AND state = 'closed' AND user_chat_id IS NOT NULL
                """,
                (enquiry_id,),
            )
            return cursor.rowcount == 1

    async def close(self, enquiry_id: int, reason: str) -> bool:
        """Close an open or answered enquiry; False if it was not active."""
        async with self._database.write() as db:
            cursor = await db.execute(
                f"""
                UPDATE enquiries SET state = 'closed', closed_at = ?, close_reason = ?
                WHERE id = ? AND state IN {ACTIVE_SQL}
                """,
                (self._now(), reason, enquiry_id),
            )
            return cursor.rowcount == 1

    async def active(self) -> list[Enquiry]:
        """Open and answered enquiries, oldest first (staff's /enquiries)."""
        return await self._many(f"state IN {ACTIVE_SQL} ORDER BY created_at, id")

    async def due_reminders(self, opened_before: datetime) -> list[Enquiry]:
        """Delivered, still unanswered, consented before `opened_before`, not yet reminded."""
        return await self._many(
            "state = 'open' AND delivered_at IS NOT NULL AND reminded_at IS NULL "
            "AND consented_at < ? ORDER BY id",
            (to_db_time(opened_before),),
        )

    async def mark_reminded(self, enquiry_id: int) -> None:
        async with self._database.write() as db:
            await db.execute(
                "UPDATE enquiries SET reminded_at = ? WHERE id = ?", (self._now(), enquiry_id)
            )
