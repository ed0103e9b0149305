"""Hand-offs: questions forwarded to the KT staff chat with the user's consent, remembered so
that a staff reply can be routed back. Since migration 7 the bot hands off through
enquiries (`enquiries.py`), which took over the hand-offs recorded before; the table and
these methods remain for the storage API and its tests."""

from __future__ import annotations

from bot.storage.exchanges import existing_exchange_id
from bot.storage.records import Handoff, StorageError
from bot.storage.sqlite import Database, fetch_one, from_db_time


class HandoffStore:
    """The `handoffs` table."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def record_handoff(
        self,
        *,
        exchange_id: int | None,
        user_key: str,
        user_chat_id: int,
        display_name: str,
        question: str,
        staff_chat_id: int,
        staff_message_id: int,
        language: str | None = None,
    ) -> int:
        """Remember a consented hand-off so a staff reply can be routed back; return its id.

        The link to the exchange is dropped if that exchange is gone (forgotten, purged):
        the staff message is already sent, and routing the reply matters more.
        """
        async with self._database.write() as db:
            inserted = await fetch_one(
                db,
                """
                INSERT INTO handoffs (created_at, exchange_id, user_key, user_chat_id,
                                      display_name, question, staff_chat_id, staff_message_id,
                                      language)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (staff_chat_id, staff_message_id) DO NOTHING
                RETURNING id
                """,
                (
                    self._database.now(),
                    await existing_exchange_id(db, exchange_id),
                    user_key,
                    user_chat_id,
                    display_name,
                    question,
                    staff_chat_id,
                    staff_message_id,
                    language,
                ),
            )
            if inserted is None:
                inserted = await fetch_one(
                    db,
                    "SELECT id FROM handoffs WHERE staff_chat_id = ? AND staff_message_id = ?",
                    (staff_chat_id, staff_message_id),
                )
            if inserted is None:  # cannot happen: the conflict says it is there
                raise StorageError(f"hand-off of staff message {staff_message_id} not found")
            return int(inserted["id"])

    async def handoff_for_staff_message(
        self, staff_chat_id: int, staff_message_id: int
    ) -> Handoff | None:
        """The hand-off a staff chat message belongs to (None if it is not one)."""
        async with self._database.read() as db:
            row = await fetch_one(
                db,
                """
                SELECT id, created_at, exchange_id, user_key, user_chat_id, display_name,
                       question, staff_chat_id, staff_message_id, language
                FROM handoffs WHERE staff_chat_id = ? AND staff_message_id = ?
                """,
                (staff_chat_id, staff_message_id),
            )
        if row is None:
            return None
        return Handoff(
            id=row["id"],
            created_at=from_db_time(row["created_at"]),
            exchange_id=row["exchange_id"],
            user_key=row["user_key"],
            user_chat_id=row["user_chat_id"],
            display_name=row["display_name"],
            question=row["question"],
            staff_chat_id=row["staff_chat_id"],
            staff_message_id=row["staff_message_id"],
            language=row["language"],
        )
