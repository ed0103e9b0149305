"""Fixtures and builders shared by the storage tests: a real SQLite file under tmp_path and a
fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.storage import NewExchange, Storage
from intents.matching.result import Candidate, MatchResult, Outcome

NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)  # a Wednesday


class FakeClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "ktbot.sqlite3"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def storage(db_path: Path, clock: FakeClock) -> AsyncIterator[Storage]:
    async with await Storage.open(db_path, clock=clock) as opened:
        yield opened


def answer(intent: str = "project.medicis", score: float = 0.9) -> MatchResult:
    return MatchResult("q", Outcome.ANSWER, intent, score, (Candidate("route.licensing", 0.4),))


def clarify(*intents: str) -> MatchResult:
    first, *rest = intents or ("project.gantry-magnets", "project.gantry-collaboration")
    alternatives = tuple(Candidate(i, 0.45) for i in rest)
    return MatchResult("q", Outcome.CLARIFY, first, 0.5, alternatives)


def fallback(*nearest: tuple[str, float]) -> MatchResult:
    alternatives = tuple(Candidate(i, s) for i, s in nearest)
    return MatchResult("q", Outcome.FALLBACK, None, nearest[0][1] if nearest else 0.0, alternatives)


def new(
    question: str,
    result: MatchResult | None = None,
    *,
    user: str | None = "user-a",
    update_id: int | None = None,
    at: datetime | None = None,
    channel: str = "telegram",
) -> NewExchange:
    return NewExchange(
        channel=channel,
        user_key=user,
        question=question,
        result=result or answer(),
        kb_version="kb-1",
        update_id=update_id,
        at=at,
    )


def db_bytes(path: Path) -> bytes:
    """The database file and its WAL, as they sit on disk."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


async def legacy_handoff(
    storage: Storage,
    staff_message_id: int,
    *,
    exchange_id: int | None = None,
    user_key: str = "user-a",
    user_chat_id: int = 42,
    display_name: str = "Ada",
    question: str = "q",
    staff_chat_id: int = -100,
) -> None:
    """A row of the `handoffs` table as bots before migration 7 wrote it: nothing writes
    that table any more, but retention and /forget still clear such rows."""
    async with storage.database.write() as db:
        await db.execute(
            """
            INSERT INTO handoffs (created_at, exchange_id, user_key, user_chat_id,
                                  display_name, question, staff_chat_id, staff_message_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            (
                storage.database.now(),
                exchange_id,
                user_key,
                user_chat_id,
                display_name,
                question,
                staff_chat_id,
                staff_message_id,
            ),
        )


async def legacy_handoffs(storage: Storage) -> dict[int, int | None]:
    """The `handoffs` rows left: staff message id -> exchange id."""
    async with storage.database.read() as db:
        rows = await db.execute_fetchall("SELECT staff_message_id, exchange_id FROM handoffs")
    return {int(row["staff_message_id"]): row["exchange_id"] for row in rows}
