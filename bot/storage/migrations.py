"""The database schema as numbered migrations; `PRAGMA user_version` is the number applied.

Migrations are append-only: once released, a migration is never edited, because databases
in the field already ran it. A change is a new migration that upgrades rows in place (new
columns get defaults, new tables are backfilled) so that no recorded exchange is lost.
`upgrade` applies them, each in its own transaction, when `sqlite.Database` opens a file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiosqlite

from bot.storage.records import StorageError

if TYPE_CHECKING:
    from bot.storage.sqlite import Database


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "exchanges with feedback and clarification choices",
        (
            """
            CREATE TABLE exchanges (
                id INTEGER PRIMARY KEY,
                asked_at TEXT NOT NULL,
                channel TEXT NOT NULL CHECK (channel IN ('telegram', 'cli')),
                user_key TEXT,
                question TEXT NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('answer', 'clarify', 'fallback')),
                intent TEXT,
                score REAL NOT NULL,
                alternatives TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(alternatives)),
                kb_version TEXT NOT NULL
            )
            """,
            # Retention deletes by time, /forget by user: both must not scan the table.
            "CREATE INDEX exchanges_asked_at ON exchanges (asked_at)",
            "CREATE INDEX exchanges_user_key ON exchanges (user_key)",
            """
            CREATE TABLE feedback (
                exchange_id INTEGER PRIMARY KEY
                    REFERENCES exchanges (id) ON DELETE CASCADE,
                helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
                given_at TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE choices (
                exchange_id INTEGER PRIMARY KEY
                    REFERENCES exchanges (id) ON DELETE CASCADE,
                intent TEXT NOT NULL,
                chosen_at TEXT NOT NULL
            )
            """,
        ),
    ),
    Migration(
        2,
        "Telegram update ids, review of unanswered questions, consented hand-offs",
        (
            # SQLite cannot add a UNIQUE column; a unique index does the same (NULLs, the
            # terminal chat's exchanges, never collide).
            "ALTER TABLE exchanges ADD COLUMN update_id INTEGER",
            "CREATE UNIQUE INDEX exchanges_update_id ON exchanges (update_id)",
            """
            CREATE TABLE unanswered (
                exchange_id INTEGER PRIMARY KEY
                    REFERENCES exchanges (id) ON DELETE CASCADE,
                state TEXT NOT NULL DEFAULT 'open'
                    CHECK (state IN ('open', 'resolved', 'ignored')),
                topic TEXT,
                reason TEXT,
                reviewed_at TEXT,
                CHECK ((state = 'resolved') = (topic IS NOT NULL)),
                CHECK ((state = 'ignored') = (reason IS NOT NULL))
            )
            """,
            "CREATE INDEX unanswered_state ON unanswered (state)",
            # Fallbacks recorded before this version become open questions for review.
            """
            INSERT INTO unanswered (exchange_id, state)
            SELECT id, 'open' FROM exchanges WHERE outcome = 'fallback'
            """,
            # Personal data given with consent lives here only. The hand-off outlives a
            # purged exchange (SET NULL) and is purged by its own age.
            """
            CREATE TABLE handoffs (
                id INTEGER PRIMARY KEY,
                created_at TEXT NOT NULL,
                exchange_id INTEGER REFERENCES exchanges (id) ON DELETE SET NULL,
                user_key TEXT NOT NULL,
                user_chat_id INTEGER NOT NULL,
                display_name TEXT NOT NULL,
                question TEXT NOT NULL,
                staff_chat_id INTEGER NOT NULL,
                staff_message_id INTEGER NOT NULL,
                UNIQUE (staff_chat_id, staff_message_id)
            )
            """,
            "CREATE INDEX handoffs_created_at ON handoffs (created_at)",
            "CREATE INDEX handoffs_user_key ON handoffs (user_key)",
            "CREATE INDEX handoffs_exchange_id ON handoffs (exchange_id)",
        ),
    ),
    Migration(
        3,
        "inbox of Telegram updates: replayed after a crash, redeliveries handled once",
        (
            # The raw update (with the sender's Telegram id) is kept only until it is
            # handled; then only its id and times remain, to recognise a redelivery.
            """
            CREATE TABLE inbox (
                update_id INTEGER PRIMARY KEY,
                received_at TEXT NOT NULL,
                payload TEXT NOT NULL CHECK (json_valid(payload)),
                replays INTEGER NOT NULL DEFAULT 0,
                handled_at TEXT
            )
            """,
            "CREATE INDEX inbox_received_at ON inbox (received_at)",
        ),
    ),
    Migration(
        4,
        "indexed comparable form of unanswered questions",
        (
            # The comparable form of an unanswered question (intents.knowledge.loader.question_key),
            # so that "was this already ignored?" is an index lookup, not a scan of every
            # ignored question on each fallback. A change of that normalisation needs a
            # migration recomputing the column.
            "ALTER TABLE unanswered ADD COLUMN question_key TEXT",
            """
            UPDATE unanswered SET question_key = ktbot_question_key(
                (SELECT question FROM exchanges WHERE id = unanswered.exchange_id)
            )
            """,
            "CREATE INDEX unanswered_ignored_key ON unanswered (question_key) "
            "WHERE state = 'ignored'",
        ),
    ),
    Migration(
        5,
        "inbox rows know their sender's pseudonym, so /forget reaches updates in flight",
        (
            # Set while an update is in the inbox (its payload holds the sender's Telegram id),
            # cleared with the payload once it is handled. Older rows have none: handled
            # ones hold nothing personal, and unhandled ones are replayed at the next start.
            "ALTER TABLE inbox ADD COLUMN user_key TEXT",
            "CREATE INDEX inbox_user_key ON inbox (user_key) WHERE user_key IS NOT NULL",
        ),
    ),
    Migration(
        6,
        "languages: of each question, of each hand-off, and each user's chosen one",
        (
            # The language the question was written in (intents.text.language), for staff to see
            # what people write in. Rows recorded before this version have none (shown blank).
            "ALTER TABLE exchanges ADD COLUMN language TEXT",
            # The language staff replies are relayed in, chosen when the user asked.
            "ALTER TABLE handoffs ADD COLUMN language TEXT",
            # /language: keyed by pseudonym like everything else, deleted by /forget.
            """
            CREATE TABLE user_languages (
                user_key TEXT PRIMARY KEY,
                language TEXT NOT NULL CHECK (language IN ('en', 'fr', 'de', 'it', 'es')),
                chosen_at TEXT NOT NULL
            )
            """,
        ),
    ),
    Migration(
        7,
        "durable enquiries to KT staff: a row before anything is sent, retried until delivered",
        (
            # One row per "Talk to a person": a draft until the user consents (no name yet),
            # then open → answered → closed. Delivery is tracked apart from the state, so a
            # forward that fails is retried (attempts, next_attempt_at, last_error) and never
            # lost. /forget keeps a tombstone (user columns NULL) so that a staff reply to it
            # can be told why it cannot be delivered.
            """
            CREATE TABLE enquiries (
                id INTEGER PRIMARY KEY,
                created_at TEXT NOT NULL,
                state TEXT NOT NULL DEFAULT 'draft'
                    CHECK (state IN ('draft', 'open', 'answered', 'closed')),
                exchange_id INTEGER REFERENCES exchanges (id) ON DELETE SET NULL,
                user_key TEXT,
                user_chat_id INTEGER,
                display_name TEXT,
                question TEXT NOT NULL,
                language TEXT,
                prompt_chat_id INTEGER,
                prompt_message_id INTEGER,
                consented_at TEXT,
                user_told_at TEXT,
                delivered_at TEXT,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TEXT,
                last_error TEXT,
                reminded_at TEXT,
                answered_at TEXT,
                closed_at TEXT,
                close_reason TEXT,
                CHECK ((state = 'closed') = (closed_at IS NOT NULL))
            )
            """,
            "CREATE INDEX enquiries_user_key ON enquiries (user_key) WHERE user_key IS NOT NULL",
            "CREATE INDEX enquiries_exchange_id ON enquiries (exchange_id)",
            "CREATE INDEX enquiries_due ON enquiries (next_attempt_at) "
            "WHERE delivered_at IS NULL AND state IN ('open', 'answered')",
            # Every staff-chat message that belongs to an enquiry: the parts of the enquiry
            # itself (part 0, 1, … of a long question, recorded one by one, so that a retry
            # sends only the parts still missing) and later ones (follow-ups, notes: part
            # NULL). A staff reply to any of them reaches the user.
            """
            CREATE TABLE enquiry_messages (
                staff_chat_id INTEGER NOT NULL,
                staff_message_id INTEGER NOT NULL,
                enquiry_id INTEGER NOT NULL REFERENCES enquiries (id) ON DELETE CASCADE,
                part INTEGER,
                sent_at TEXT NOT NULL,
                PRIMARY KEY (staff_chat_id, staff_message_id),
                UNIQUE (enquiry_id, part)
            )
            """,
            "CREATE INDEX enquiry_messages_enquiry ON enquiry_messages (enquiry_id)",
            # Hand-offs made before this version become delivered open enquiries, so that
            # staff replies to them still reach their users.
            """
            INSERT INTO enquiries (id, created_at, state, exchange_id, user_key, user_chat_id,
                                   display_name, question, language, consented_at,
                                   user_told_at, delivered_at)
            SELECT id, created_at, 'open', exchange_id, user_key, user_chat_id, display_name,
                   question, language, created_at, created_at, created_at
            FROM handoffs
            """,
            """
            INSERT INTO enquiry_messages (staff_chat_id, staff_message_id, enquiry_id, part,
                                          sent_at)
            SELECT staff_chat_id, staff_message_id, id, 0, created_at FROM handoffs
            """,
        ),
    ),
    Migration(
        8,
        "enquiries in a forum staff chat: each has its own topic",
        (
            # The forum topic (message_thread_id) of the enquiry in the staff chat, once
            # createForumTopic made it; NULL in a plain staff group (replies, as before).
            "ALTER TABLE enquiries ADD COLUMN staff_thread_id INTEGER",
            "CREATE INDEX enquiries_staff_thread ON enquiries (staff_thread_id) "
            "WHERE staff_thread_id IS NOT NULL",
        ),
    ),
    Migration(
        9,
        "topics opened from a deep link, the browser or a related button, with their votes",
        (
            """
            CREATE TABLE visits (
                id INTEGER PRIMARY KEY,
                visited_at TEXT NOT NULL,
                user_key TEXT,
                topic TEXT NOT NULL,
                source TEXT NOT NULL CHECK (source IN ('deep_link', 'browse', 'related')),
                helpful INTEGER CHECK (helpful IN (0, 1))
            )
            """,
            # Retention deletes by time, /forget by user: both must not scan the table.
            "CREATE INDEX visits_visited_at ON visits (visited_at)",
            "CREATE INDEX visits_user_key ON visits (user_key)",
        ),
    ),
)

SCHEMA_VERSION = MIGRATIONS[-1].version


def pending(current: int) -> tuple[Migration, ...]:
    """The migrations a database at version `current` still needs, in order."""
    return tuple(m for m in MIGRATIONS if m.version > current)


async def schema_version(db: aiosqlite.Connection) -> int:
    """The number of the last migration applied (`PRAGMA user_version`)."""
    rows = await db.execute_fetchall("PRAGMA user_version")
    return int(next(iter(rows))[0])


async def check_version(database: Database) -> int:
    """The database's schema version; StorageError if it is newer than this ktbot's."""
    async with database.read() as db:
        found = await schema_version(db)
    if found > SCHEMA_VERSION:
        raise StorageError(
            f"the database {database.path} has schema version {found}, newer than this "
            f"ktbot understands ({SCHEMA_VERSION}): upgrade ktbot, or point KTBOT_DB at "
            "another file"
        )
    return found


async def upgrade(database: Database) -> AsyncIterator[Migration]:
    """Apply the pending migrations, each in its own transaction; yield each one applied."""
    async with database.read() as db:
        found = await schema_version(db)
    for migration in pending(found):
        async with database.write() as db:
            # Another process may have migrated since we looked; the write lock we now
            # hold makes this check and the upgrade one step.
            if await schema_version(db) >= migration.version:
                continue
            for statement in migration.statements:
                await db.execute(statement)
            await db.execute(f"PRAGMA user_version = {migration.version}")
        yield migration


def _check_numbering() -> None:
    # A gap or a duplicate would make user_version lie about what was applied.
    numbers = [m.version for m in MIGRATIONS]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, got {numbers}")


_check_numbering()
