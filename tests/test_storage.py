"""Storage: opening, recording exchanges, reviewing unanswered questions and statistics.

Real SQLite files under tmp_path; the only fake is the clock.
"""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import (
    SCHEMA_VERSION,
    ExchangeGone,
    ReviewState,
    Storage,
    StorageError,
    TopicCount,
    TopicFeedback,
    WeekCount,
)
from intents.matching.result import Candidate, Outcome
from tests.storage_fixtures import NOW, FakeClock, answer, clarify, fallback, new
from tests.storage_fixtures import clock as clock  # the fixture
from tests.storage_fixtures import db_path as db_path  # the fixture
from tests.storage_fixtures import storage as storage  # the fixture

# --- opening ------------------------------------------------------------------------------


async def test_open_creates_the_directory_and_a_current_wal_database(db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        assert await storage.schema_version() == SCHEMA_VERSION
    with sqlite3.connect(db_path) as raw:  # a new, empty file would be in "delete" mode
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


async def test_an_existing_world_readable_database_is_made_private_when_opened(
    db_path: Path,
) -> None:
    # Files made by an older ktbot, or copied from a backup with the usual umask (S20).
    async with await Storage.open(db_path):
        pass
    for file in db_path.parent.glob(db_path.name + "*"):
        file.chmod(0o644)

    async with await Storage.open(db_path):
        modes = {f.name: f.stat().st_mode & 0o777 for f in db_path.parent.glob(db_path.name + "*")}

    assert db_path.name in modes and set(modes.values()) == {0o600}


def test_open_without_create_refuses_a_missing_database(db_path: Path) -> None:
    with pytest.raises(StorageError, match=r"no database at .*KTBOT_DB"):
        asyncio.run(Storage.open(db_path, create=False))
    assert not db_path.exists()


async def test_closed_storage_says_so(db_path: Path) -> None:
    storage = await Storage.open(db_path)
    await storage.close()
    await storage.close()  # closing twice is harmless
    with pytest.raises(StorageError, match="closed"):
        await storage.record_exchange(new("what is medicis?"))


# --- exchanges ----------------------------------------------------------------------------


async def test_exchange_is_recorded_with_what_review_needs(storage: Storage) -> None:
    result = clarify("project.gantry-magnets", "project.gantry-collaboration")
    exchange_id = await storage.record_exchange(
        new("superconducting gantry", result, update_id=77, at=NOW)
    )
    assert exchange_id is not None

    exchange = await storage.exchange(exchange_id)

    assert exchange is not None
    assert exchange.asked_at == NOW and exchange.asked_at.tzinfo is not None
    assert (exchange.channel, exchange.user_key, exchange.question) == (
        "telegram",
        "user-a",
        "superconducting gantry",
    )
    assert exchange.outcome is Outcome.CLARIFY
    assert (exchange.intent, exchange.score) == ("project.gantry-magnets", 0.5)
    assert exchange.alternatives == (Candidate("project.gantry-collaboration", 0.45),)
    assert (exchange.kb_version, exchange.update_id) == ("kb-1", 77)
    assert (exchange.helpful, exchange.choice, exchange.review_state) == (None, None, None)


async def test_exchange_time_defaults_to_the_clock_in_utc(
    storage: Storage, clock: FakeClock
) -> None:
    clock.now = datetime(2024, 5, 15, 14, 0, tzinfo=UTC)
    exchange_id = await storage.record_exchange(new("what is medicis?"))
    assert exchange_id is not None
    exchange = await storage.exchange(exchange_id)
    assert exchange is not None and exchange.asked_at == clock.now


async def test_redelivered_update_is_recorded_once(storage: Storage) -> None:
    first = await storage.record_exchange(new("what is medicis?", update_id=555))
    again = await storage.record_exchange(new("what is medicis?", update_id=555))

    assert again == first
    assert (await storage.stats()).total == 1


async def test_exchanges_without_update_id_are_each_recorded(storage: Storage) -> None:
    ids = {await storage.record_exchange(new("hi", channel="cli")) for _ in range(3)}
    assert len(ids) == 3


async def test_unknown_channel_and_naive_times_are_programming_errors() -> None:
    with pytest.raises(ValueError, match="channel"):
        new("hi", channel="whatsapp")
    with pytest.raises(ValueError, match="timezone-aware"):
        new("hi", at=datetime(2024, 5, 1, 12, 0))


async def test_concurrent_handlers_each_get_their_own_exchange(storage: Storage) -> None:
    ids = await asyncio.gather(
        *(storage.record_exchange(new(f"question {n}", update_id=n)) for n in range(40))
    )
    assert len(set(ids)) == 40
    assert (await storage.stats()).total == 40


async def test_a_second_vote_on_the_same_exchange_replaces_the_first(storage: Storage) -> None:
    exchange_id = await storage.record_exchange(new("what is medicis?"))
    assert exchange_id is not None

    await storage.record_feedback(exchange_id, True)
    await storage.record_feedback(exchange_id, False)

    exchange = await storage.exchange(exchange_id)
    assert exchange is not None and exchange.helpful is False
    assert (await storage.stats()).feedback == (TopicFeedback("project.medicis", 0, 1),)


async def test_clarification_choice_is_linked_to_its_exchange(storage: Storage) -> None:
    exchange_id = await storage.record_exchange(new("gantry", clarify()))
    assert exchange_id is not None

    await storage.record_choice(exchange_id, "project.gantry-collaboration")

    exchange = await storage.exchange(exchange_id)
    assert exchange is not None and exchange.choice == "project.gantry-collaboration"


async def test_feedback_or_choice_for_an_unknown_exchange_names_it(storage: Storage) -> None:
    with pytest.raises(StorageError, match="no exchange #404"):
        await storage.record_feedback(404, True)
    with pytest.raises(StorageError, match="no exchange #404"):
        await storage.record_choice(404, "project.medicis")
    assert await storage.exchange(404) is None
    # ExchangeGone, not any StorageError: callers treat an old button as expected.
    with pytest.raises(ExchangeGone, match="no exchange #404"):
        await storage.record_feedback(404, True)
    with pytest.raises(ExchangeGone, match="no exchange #404"):
        await storage.mark_unanswered(404)


# --- unanswered questions -----------------------------------------------------------------


async def test_fallback_is_listed_as_open_unanswered(storage: Storage) -> None:
    await storage.record_exchange(new("what is medicis?", answer()))
    await storage.record_exchange(new("gantry", clarify()))
    fallback_id = await storage.record_exchange(
        new("how much does a cyclotron cost", fallback(("project.medicis", 0.31)), at=NOW)
    )

    [item] = await storage.unanswered()

    assert item.id == fallback_id
    assert (item.question, item.state, item.asked_at) == (
        "how much does a cyclotron cost",
        ReviewState.OPEN,
        NOW,
    )
    assert item.nearest == Candidate("project.medicis", 0.31)
    assert await storage.count_unanswered() == 1
    exchange = await storage.exchange(fallback_id or 0)
    assert exchange is not None and exchange.review_state is ReviewState.OPEN


async def test_unanswered_are_newest_first_and_can_be_paged_and_limited_by_age(
    storage: Storage,
) -> None:
    for day in range(1, 8):
        await storage.record_exchange(new(f"question {day}", fallback(), at=NOW.replace(day=day)))

    page = await storage.unanswered(limit=3, offset=3)
    recent = await storage.unanswered(since=NOW.replace(day=6))

    assert [i.question for i in page] == ["question 4", "question 3", "question 2"]
    assert [i.question for i in recent] == ["question 7", "question 6"]
    assert await storage.count_unanswered(since=NOW.replace(day=6)) == 2


async def test_resolving_records_the_topic_that_now_covers_it(storage: Storage) -> None:
    exchange_id = await storage.record_exchange(new("isotope prices", fallback()))
    assert exchange_id is not None

    await storage.resolve(exchange_id, "project.medicis")

    assert await storage.unanswered() == []
    [item] = await storage.unanswered(state=ReviewState.RESOLVED)
    assert (item.topic, item.reviewed_at) == ("project.medicis", NOW)
    await storage.resolve(exchange_id, "route.licensing")  # correcting a mistake is fine
    assert (await storage.unanswered_question(exchange_id)).topic == "route.licensing"  # type: ignore[union-attr]


async def test_ignored_question_stays_ignored(storage: Storage) -> None:
    exchange_id = await storage.record_exchange(new("buy cheap watches", fallback()))
    assert exchange_id is not None
    await storage.ignore(exchange_id, "spam")

    with pytest.raises(StorageError, match=r"#\d+ was ignored \(spam\) and stays ignored"):
        await storage.resolve(exchange_id, "project.medicis")

    [item] = await storage.unanswered(state=None)
    assert (item.state, item.reason, item.topic) == (ReviewState.IGNORED, "spam", None)


async def test_a_resolved_question_cannot_be_ignored(storage: Storage) -> None:
    exchange_id = await storage.record_exchange(new("isotope prices", fallback()))
    assert exchange_id is not None
    await storage.resolve(exchange_id, "project.medicis")
    with pytest.raises(StorageError, match=r"already resolved by topic 'project\.medicis'"):
        await storage.ignore(exchange_id, "out of scope")


async def test_only_fallbacks_can_be_reviewed(storage: Storage) -> None:
    answered = await storage.record_exchange(new("what is medicis?"))
    with pytest.raises(StorageError, match="not a fallback"):
        await storage.resolve(answered or 0, "project.medicis")
    with pytest.raises(StorageError, match="no unanswered question #999"):
        await storage.ignore(999, "spam")
    with pytest.raises(StorageError, match="needs a reason"):
        await storage.ignore(answered or 0, "  ")


# --- statistics ---------------------------------------------------------------------------


async def test_stats_count_outcomes_topics_feedback_and_weeks(storage: Storage) -> None:
    monday = datetime(2024, 5, 6, 9, tzinfo=UTC)
    medicis = [await storage.record_exchange(new("medicis", at=monday)) for _ in range(3)]
    await storage.record_exchange(new("licence", answer("route.licensing"), at=monday))
    chosen = await storage.record_exchange(new("gantry", clarify(), at=monday + timedelta(days=7)))
    await storage.record_exchange(new("gantry", clarify(), at=monday + timedelta(days=7)))
    await storage.record_exchange(new("weather", fallback(), at=monday + timedelta(days=13)))
    await storage.record_exchange(new("later", at=monday + timedelta(days=21)))
    await storage.record_choice(chosen or 0, "project.medicis")
    await storage.record_feedback(medicis[0] or 0, True)
    await storage.record_feedback(medicis[1] or 0, False)
    await storage.record_feedback(chosen or 0, True)

    stats = await storage.stats()

    assert (stats.total, stats.answered, stats.clarified, stats.fallback) == (8, 5, 2, 1)
    assert stats.rate(Outcome.ANSWER) == pytest.approx(5 / 8)
    # A topic picked after "did you mean…" counts for that topic.
    assert stats.top_topics == (TopicCount("project.medicis", 5), TopicCount("route.licensing", 1))
    assert stats.feedback == (TopicFeedback("project.medicis", 2, 1),)
    assert stats.weekly == (
        WeekCount(date(2024, 5, 6), 4, 4, 0, 0),
        WeekCount(date(2024, 5, 13), 3, 0, 2, 1),  # Sunday the 19th is still that week
        WeekCount(date(2024, 5, 20), 0, 0, 0, 0),  # a quiet week is a zero, not a gap
        WeekCount(date(2024, 5, 27), 1, 1, 0, 0),
    )
    assert stats.open_unanswered == 1


async def test_stats_since_leaves_out_older_exchanges(storage: Storage) -> None:
    await storage.record_exchange(new("old", at=NOW - timedelta(days=40)))
    await storage.record_exchange(new("new", fallback(), at=NOW - timedelta(days=2)))

    stats = await storage.stats(NOW - timedelta(days=30))

    assert (stats.total, stats.fallback, stats.open_unanswered) == (1, 1, 1)
    assert stats.top_topics == ()


async def test_stats_of_an_empty_database_are_zero(storage: Storage) -> None:
    stats = await storage.stats(NOW)
    assert (stats.total, stats.rate(Outcome.ANSWER), stats.weekly) == (0, 0.0, ())


async def test_served_counts_cover_every_topic_answered_or_chosen_since_a_moment(
    storage: Storage,
) -> None:
    for n in range(12):  # more topics than `stats` lists as top topics
        await storage.record_exchange(new(f"topic {n}", answer(f"project.t{n}"), at=NOW))
    await storage.record_exchange(new("medicis", at=NOW))
    chosen = await storage.record_exchange(new("gantry", clarify(), at=NOW))
    await storage.record_choice(chosen or 0, "project.medicis")
    await storage.record_exchange(new("gantry", clarify(), at=NOW))  # nothing chosen
    await storage.record_exchange(new("weather", fallback(("project.medicis", 0.2)), at=NOW))
    await storage.record_exchange(new("old", at=NOW - timedelta(days=40)))

    counts = await storage.served_counts(NOW - timedelta(days=30))

    assert counts == {"project.medicis": 2, **{f"project.t{n}": 1 for n in range(12)}}
    assert (await storage.served_counts())["project.medicis"] == 3


async def test_a_renamed_topic_is_merged_before_the_top_topics_are_chosen(
    storage: Storage,
) -> None:
    for n in range(10):  # ten topics served three times: each alone outranks either id
        for _ in range(3):
            await storage.record_exchange(new(f"topic {n}", answer(f"project.t{n}"), at=NOW))
    for topic in ("project.medicis", "project.cern-medicis") * 2:
        await storage.record_exchange(new("medicis", answer(topic), at=NOW))
    renamed = {"project.medicis": "project.cern-medicis"}

    # Like `KnowledgeBase.current_id`, None for an id it does not map: kept as logged.
    stats = await storage.stats(current_id=renamed.get)
    served = await storage.served_counts(current_id=renamed.get)

    assert stats.top_topics[0] == TopicCount("project.cern-medicis", 4)
    assert len(stats.top_topics) == 10
    assert served["project.cern-medicis"] == 4 and "project.medicis" not in served
