"""The language a user chose with /language (otherwise each message's own language)."""

from __future__ import annotations

from bot.storage.sqlite import Database, fetch_one


class LanguageStore:
    """The `user_languages` table."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def user_language(self, user_key: str) -> str | None:
        """The language a user chose with /language, if any."""
        async with self._database.read() as db:
            row = await fetch_one(
                db, "SELECT language FROM user_languages WHERE user_key = ?", (user_key,)
            )
        return None if row is None else str(row["language"])

    async def set_user_language(self, user_key: str, language: str | None) -> None:
        """Remember a user's language; None forgets it (the language of each message then)."""
        async with self._database.write() as db:
            if language is None:
                await db.execute("DELETE FROM user_languages WHERE user_key = ?", (user_key,))
                return
            await db.execute(
                """
                INSERT INTO user_languages (user_key, language, chosen_at) VALUES (?, ?, ?)
                ON CONFLICT (user_key) DO UPDATE
                    SET language = excluded.language, chosen_at = excluded.chosen_at
                """,
                (user_key, language, self._database.now()),
            )
