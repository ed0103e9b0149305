"""Which topic ids the bot's database names: answers, choices and resolved questions.

Read for `ktbot check`, which warns when a topic id still named here has vanished from the
knowledge base (see `intents.knowledge.id_usage`). The database is opened read-only and never
created: checking a knowledge base must not need, or touch, a bot's database.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from bot.errors import KtbotError
from intents import IdUse

_NAMED_TOPICS = """
    SELECT topic_id, count(*) FROM (
        SELECT intent AS topic_id FROM exchanges WHERE intent IS NOT NULL
        UNION ALL SELECT intent FROM choices
        UNION ALL SELECT topic FROM unanswered WHERE topic IS NOT NULL
    ) GROUP BY topic_id
"""


class UsageUnavailable(KtbotError):
    """The database exists but cannot be read; the message says why."""


def logged_id_uses(db_path: Path) -> dict[str, list[IdUse]]:
    """Topic id -> how many logged exchanges, choices and resolved questions name it.

    Empty when there is no database; `UsageUnavailable` when there is one that cannot be
    read (locked, corrupt, an older schema), so the check can say it was skipped.
    """
    if not db_path.is_file():
        return {}
    try:
        with closing(sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            rows = db.execute(_NAMED_TOPICS).fetchall()
    except sqlite3.Error as exc:
        raise UsageUnavailable(f"{db_path}: {exc}") from exc
    return {
        str(topic_id): [IdUse("logged question", db_path, 1, int(count))]
        for topic_id, count in rows
    }
