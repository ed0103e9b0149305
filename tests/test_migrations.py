"""Migrations upgrade a database in place: every recorded row survives an upgrade.

The version-1 schema is written out here by hand, as it was released, rather than taken
from `migrations.py`: a database in the field has exactly this, whatever the code says now.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage import SCHEMA_VERSION, NewExchange, ReviewState, Storage, StorageError
from bot.storage.migrations import MIGRATIONS, pending
from intents.matching.result import Candidate, MatchResult, Outcome

V1_DDL = """
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
);
CREATE INDEX exchanges_asked_at ON exchanges (asked_at);
CREATE INDEX exchanges_user_key ON exchanges (user_key);
CREATE TABLE feedback (
    exchange_id INTEGER PRIMARY KEY
        REFERENCES exchanges (id) ON DELETE CASCADE,
    helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    given_at TEXT NOT NULL
);
CREATE TABLE choices (
    exchange_id INTEGER PRIMARY KEY
        REFERENCES exchanges (id) ON DELETE CASCADE,
    intent TEXT NOT NULL,
    chosen_at TEXT NOT NULL
);
PRAGMA user_version = 1;
"""

V1_ROWS = """
INSERT INTO exchanges VALUES
    (1, '2024-03-01T10:00:00.000000Z', 'telegram', 'k-ada', 'what is medicis?', 'answer',
     'project.medicis', 0.91, '[{"intent": "route.licensing", "score": 0.4}]', 'v1kb'),
    (2, '2024-03-02T11:00:00.000000Z', 'cli', NULL, 'superconducting gantry', 'clarify',
     'project.gantry-magnets', 0.5,
     '[{"intent": "project.gantry-collaboration", "score": 0.48}]', 'v1kb'),
    (3, '2024-03-03T12:00:00.000000Z', 'telegram', 'k-grace', 'price of isotopes',
     'fallback', NULL, 0.31, '[{"intent": "project.medicis", "score": 0.31}]', 'v1kb');
INSERT INTO feedback VALUES (1, 1, '2024-03-01T10:01:00.000000Z');
INSERT INTO choices VALUES (2, 'project.gantry-collaboration', '2024-03-02T11:01:00.000000Z');
"""


def make_v1_database(path: Path, extra_sql: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as raw:
        raw.executescript(V1_DDL + V1_ROWS + extra_sql)
    return path


def columns(path: Path, table: str) -> list[str]:
    with sqlite3.connect(path) as raw:
        return [row[1] for row in raw.execute(f"PRAGMA table_info({table})")]


def schema(path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(path) as raw:
        rows = raw.execute("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        return [(kind, name, " ".join((sql or "").split())) for kind, name, sql in rows]


async def test_migration_from_v1_keeps_rows(tmp_path: Path) -> None:
    path = make_v1_database(tmp_path / "ktbot.sqlite3")

    async with await Storage.open(path) as storage:
        assert await storage.schema_version() == SCHEMA_VERSION
        answered = await storage.exchange(1)
        clarified = await storage.exchange(2)
        unanswered = await storage.unanswered()
        stats = await storage.stats()

    assert answered is not None and clarified is not None
    assert (answered.question, answered.intent, answered.helpful) == (
        "what is medicis?",
        "project.medicis",
        True,
    )
    assert answered.alternatives == (Candidate("route.licensing", 0.4),)
    assert answered.update_id is None  # the new column, empty for old rows
    assert (clarified.channel, clarified.choice) == ("cli", "project.gantry-collaboration")
    # Fallbacks recorded before review existed are open for review now.
    assert [(q.id, q.question, q.state) for q in unanswered] == [
        (3, "price of isotopes", ReviewState.OPEN)
    ]
    assert stats.total == 3
    assert "update_id" in columns(path, "exchanges")
    assert {"exchange_id", "state", "topic", "reason"} <= set(columns(path, "unanswered"))
    assert "staff_message_id" in columns(path, "handoffs")


async def test_an_upgraded_database_is_fully_usable(tmp_path: Path) -> None:
    path = make_v1_database(tmp_path / "ktbot.sqlite3")
    result = MatchResult("q", Outcome.FALLBACK, None, 0.2)

    async with await Storage.open(path) as storage:
        new_id = await storage.record_exchange(
            NewExchange("telegram", "k-ada", "cyclotron cost", result, "v2kb", update_id=9)
        )
        await storage.resolve(3, "project.medicis")
        forgotten = await storage.forget_user("k-ada")

    assert new_id == 4  # ids continue after the old rows
    assert forgotten == 3  # exchange 1, its vote, and the new exchange


async def test_upgraded_and_fresh_databases_have_the_same_schema(tmp_path: Path) -> None:
    upgraded = make_v1_database(tmp_path / "old.sqlite3")
    fresh = tmp_path / "new.sqlite3"
    async with await Storage.open(upgraded), await Storage.open(fresh):
        pass
    # Also guards migration 1 against edits after release: it must still match V1_DDL.
    assert schema(upgraded) == schema(fresh)


async def test_reopening_a_current_database_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ktbot.sqlite3"
    result = MatchResult("q", Outcome.ANSWER, "project.medicis", 0.9)
    async with await Storage.open(path) as storage:
        await storage.record_exchange(NewExchange("cli", None, "q", result, "kb"))
    before = schema(path)

    async with await Storage.open(path) as storage:
        assert (await storage.stats()).total == 1

    assert schema(path) == before


async def test_a_failed_migration_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    # A table in the way makes migration 2 fail halfway through its statements.
    path = make_v1_database(
        tmp_path / "ktbot.sqlite3", "CREATE TABLE handoffs (something_else TEXT);"
    )

    with pytest.raises(StorageError, match="handoffs already exists"):
        await Storage.open(path)

    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
        assert raw.execute("SELECT COUNT(*) FROM exchanges").fetchone()[0] == 3
    assert "update_id" not in columns(path, "exchanges")  # the ALTER was rolled back too


def test_migrations_are_numbered_without_gaps() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))
    assert pending(0) == MIGRATIONS
    assert pending(SCHEMA_VERSION) == ()


async def test_a_question_ignored_before_the_upgrade_stays_ignored_when_asked_again(
    tmp_path: Path,
) -> None:
    path = make_v1_database(tmp_path / "ktbot.sqlite3")
    async with await Storage.open(path) as storage:
        await storage.ignore(3, "prices are not public")
    # Back to version 2, as a bot released before versions 3 to 9 would have left it.
    with sqlite3.connect(path) as raw:
        raw.execute("DROP TABLE visits")
        raw.execute("DROP TABLE enquiry_messages")
        raw.execute("DROP TABLE enquiries")
        raw.execute("DROP TABLE user_languages")
        raw.execute("ALTER TABLE handoffs DROP COLUMN language")
        raw.execute("ALTER TABLE exchanges DROP COLUMN language")
        raw.execute("DROP INDEX unanswered_ignored_key")
        raw.execute("ALTER TABLE unanswered DROP COLUMN question_key")
        raw.execute("DROP TABLE inbox")
        raw.execute("PRAGMA user_version = 2")

    async with await Storage.open(path) as storage:
        fallback = MatchResult("q", Outcome.FALLBACK, None, 0.2)
        again = await storage.record_exchange(
            NewExchange("telegram", "k-lin", "Price of isotopes!", fallback, "v3kb")
        )
        assert again is not None
        item = await storage.unanswered_question(again)

    assert item is not None
    assert (item.state, item.reason) == (ReviewState.IGNORED, "prices are not public")


async def test_a_new_database_is_announced_once_and_an_upgrade_step_by_step(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="bot.storage.sqlite"):
        async with await Storage.open(tmp_path / "new.sqlite3"):
            pass
        created = caplog.text
        caplog.clear()
        async with await Storage.open(make_v1_database(tmp_path / "old.sqlite3")):
            pass

    assert created.count("created the database") == 1 and "migrated" not in created
    assert caplog.text.count("migrated") == SCHEMA_VERSION - 1
