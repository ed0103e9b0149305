"""Storage: every exchange is recorded once, reviewable, and deletable on request or by age.

Real SQLite files under tmp_path; the only fake is the clock.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.pseudonym import user_key
from bot.storage import (
    SCHEMA_VERSION,
    NewExchange,
    ReviewState,
    Storage,
    StorageError,
    TopicCount,
    TopicFeedback,
    WeekCount,
)
from bot.storage.sqlite import storage_error
from intents.result import Candidate, MatchResult, Outcome

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


# --- opening ------------------------------------------------------------------------------


async def test_open_creates_the_directory_and_a_current_wal_database(db_path: Path) -> None:
    async with await Storage.open(db_path) as storage:
        assert await storage.schema_version() == SCHEMA_VERSION
    with sqlite3.connect(db_path) as raw:  # a new, empty file would be in "delete" mode
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


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


# --- privacy ------------------------------------------------------------------------------


async def test_retention_purge_deletes_only_old_exchanges(storage: Storage) -> None:
    old = await storage.record_exchange(new("old", fallback(), at=NOW - timedelta(days=200)))
    old_answer = await storage.record_exchange(new("old", at=NOW - timedelta(days=181)))
    recent = await storage.record_exchange(new("recent", fallback(), at=NOW - timedelta(days=3)))
    assert old is not None and old_answer is not None and recent is not None
    await storage.record_feedback(old_answer, True)
    await storage.record_feedback(recent, False)

    removed = await storage.purge_older_than(NOW - timedelta(days=180))

    assert removed == 2
    assert await storage.exchange(old) is None and await storage.exchange(old_answer) is None
    assert await storage.exchange(recent) is not None
    assert [i.id for i in await storage.unanswered(state=None)] == [recent]
    kept = await storage.exchange(recent)
    assert kept is not None and kept.helpful is False


async def test_retention_purge_deletes_old_handoffs_with_their_personal_data(
    storage: Storage, clock: FakeClock
) -> None:
    clock.now = NOW - timedelta(days=200)
    await storage.record_handoff(
        exchange_id=None,
        user_key="user-a",
        user_chat_id=42,
        display_name="Ada Lovelace (@ada)",
        question="old enquiry",
        staff_chat_id=-100,
        staff_message_id=1,
    )
    clock.now = NOW
    await storage.record_handoff(
        exchange_id=None,
        user_key="user-b",
        user_chat_id=43,
        display_name="Grace Hopper",
        question="new enquiry",
        staff_chat_id=-100,
        staff_message_id=2,
    )

    assert await storage.purge_older_than(NOW - timedelta(days=180)) == 1

    assert await storage.handoff_for_staff_message(-100, 1) is None
    assert await storage.handoff_for_staff_message(-100, 2) is not None


async def test_forget_user_deletes_everything_about_them(storage: Storage, db_path: Path) -> None:
    asked = await storage.record_exchange(new("MARKER-question-of-ada", fallback(), user="ada"))
    chose = await storage.record_exchange(new("gantry", clarify(), user="ada"))
    other = await storage.record_exchange(new("what is medicis?", user="grace"))
    assert asked is not None and chose is not None and other is not None
    await storage.record_feedback(asked, False)
    await storage.record_choice(chose, "project.gantry-magnets")
    await storage.record_feedback(other, True)
    await storage.record_handoff(
        exchange_id=asked,
        user_key="ada",
        user_chat_id=42,
        display_name="MARKER-name-of-ada",
        question="MARKER-question-of-ada",
        staff_chat_id=-100,
        staff_message_id=7,
    )
    await storage.set_user_language("ada", "fr")
    await storage.set_user_language("grace", "en")

    count = await storage.forget_user("ada")

    assert count == 6  # two exchanges, one vote, one choice, one hand-off, one language
    assert await storage.user_language("ada") is None
    assert await storage.user_language("grace") == "en"
    assert await storage.exchange(asked) is None and await storage.exchange(chose) is None
    assert await storage.handoff_for_staff_message(-100, 7) is None
    assert await storage.unanswered(state=None) == []
    assert (await storage.exchange(other)) is not None
    assert (await storage.stats()).total == 1
    # Deleted, not merely unlinked: the text is gone from the file and its WAL too.
    assert b"MARKER" not in db_bytes(db_path)


async def test_each_exchange_keeps_the_language_of_its_question(storage: Storage) -> None:
    french = await storage.record_exchange(
        replace(new("Quelle est la recette de la tarte aux pommes ?", fallback()), language="fr")
    )
    unknown = await storage.record_exchange(new("what is medicis?"))  # as before languages
    assert french is not None and unknown is not None

    assert (await storage.exchange(french)).language == "fr"  # type: ignore[union-attr]
    assert (await storage.exchange(unknown)).language is None  # type: ignore[union-attr]
    assert [item.language for item in await storage.unanswered()] == ["fr"]
    assert dict((await storage.stats()).by_language) == {"": 1, "fr": 1}


async def test_a_chosen_language_is_kept_changed_and_dropped(storage: Storage) -> None:
    assert await storage.user_language("ada") is None
    await storage.set_user_language("ada", "fr")
    assert await storage.user_language("ada") == "fr"
    await storage.set_user_language("ada", "en")
    assert await storage.user_language("ada") == "en"
    await storage.set_user_language("ada", None)
    assert await storage.user_language("ada") is None


async def test_forgetting_an_unknown_user_deletes_nothing(storage: Storage) -> None:
    await storage.record_exchange(new("what is medicis?", user="grace"))
    assert await storage.forget_user("nobody") == 0
    assert (await storage.stats()).total == 1


def test_user_key_is_a_keyed_pseudonym_not_the_id() -> None:
    key = user_key("secret-1", "telegram", 123456789)

    assert key == user_key("secret-1", "telegram", "123456789")  # stable
    assert len(key) == 32 and "123456789" not in key
    assert key != user_key("secret-2", "telegram", 123456789)  # depends on the secret
    assert key != user_key("secret-1", "cli", 123456789)  # and on the channel
    with pytest.raises(ValueError, match="KTBOT_SECRET"):
        user_key("", "telegram", 1)


# --- hand-offs ----------------------------------------------------------------------------


async def test_staff_reply_is_routed_back_to_the_users_chat(storage: Storage) -> None:
    exchange_id = await storage.record_exchange(new("cyclotron price", fallback(), user="ada"))
    handoff_id = await storage.record_handoff(
        exchange_id=exchange_id,
        user_key="ada",
        user_chat_id=42,
        display_name="Ada Lovelace (@ada)",
        question="cyclotron price",
        staff_chat_id=-100500,
        staff_message_id=101,
    )

    handoff = await storage.handoff_for_staff_message(-100500, 101)

    assert handoff is not None
    assert (handoff.id, handoff.user_chat_id, handoff.exchange_id) == (handoff_id, 42, exchange_id)
    assert (handoff.display_name, handoff.created_at) == ("Ada Lovelace (@ada)", NOW)
    assert await storage.handoff_for_staff_message(-100500, 102) is None
    assert await storage.handoff_for_staff_message(-1, 101) is None  # ids are per chat


async def test_the_same_staff_message_is_recorded_once(storage: Storage) -> None:
    kwargs = dict(
        exchange_id=None,
        user_key="ada",
        user_chat_id=42,
        display_name="Ada",
        question="q",
        staff_chat_id=-1,
        staff_message_id=5,
    )
    assert await storage.record_handoff(**kwargs) == await storage.record_handoff(**kwargs)  # type: ignore[arg-type]


async def test_handoff_for_a_vanished_exchange_is_still_routed(storage: Storage) -> None:
    await storage.record_handoff(
        exchange_id=404,  # forgotten between the question and the consent
        user_key="ada",
        user_chat_id=42,
        display_name="Ada",
        question="q",
        staff_chat_id=-1,
        staff_message_id=3,
    )
    handoff = await storage.handoff_for_staff_message(-1, 3)
    assert handoff is not None and (handoff.exchange_id, handoff.user_chat_id) == (None, 42)


async def test_handoff_outlives_its_purged_exchange_until_its_own_age(storage: Storage) -> None:
    exchange_id = await storage.record_exchange(
        new("old question", fallback(), at=NOW - timedelta(days=179))
    )
    await storage.record_handoff(
        exchange_id=exchange_id,
        user_key="ada",
        user_chat_id=42,
        display_name="Ada",
        question="old question",
        staff_chat_id=-1,
        staff_message_id=9,
    )

    await storage.purge_older_than(NOW - timedelta(days=178))

    handoff = await storage.handoff_for_staff_message(-1, 9)
    assert handoff is not None and handoff.exchange_id is None


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


# --- errors -------------------------------------------------------------------------------


async def test_locked_database_raises_storage_error_with_advice(db_path: Path) -> None:
    async with await Storage.open(db_path, busy_timeout=0.2) as storage:
        kept = await storage.record_exchange(new("recorded before the lock"))
        other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            with pytest.raises(StorageError, match=r"locked by another process.*stop the other"):
                await storage.record_exchange(new("while locked"))
        finally:
            other.execute("ROLLBACK")
            other.close()

        # Nothing recorded is lost, and the storage works again once the lock is gone.
        assert await storage.exchange(kept or 0) is not None
        assert await storage.record_exchange(new("after the lock")) is not None
        assert (await storage.stats()).total == 2


async def test_full_disk_raises_storage_error_and_keeps_what_was_recorded(
    storage: Storage,
) -> None:
    kept = await storage.record_exchange(new("recorded before the disk filled up"))
    # SQLite's own size cap fails exactly like a full disk (SQLITE_FULL).
    pages = await storage._db.execute_fetchall("PRAGMA page_count")
    await storage._db.execute(f"PRAGMA max_page_count = {next(iter(pages))[0]}")

    with pytest.raises(StorageError, match=r"disk holding .* is full.*nothing already recorded"):
        await storage.record_exchange(new("x" * 200_000))

    assert await storage.exchange(kept or 0) is not None
    await storage._db.execute("PRAGMA max_page_count = 1073741823")
    assert await storage.record_exchange(new("after freeing space")) is not None


def test_corrupt_file_raises_storage_error_with_advice(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is a spreadsheet, not a database" * 200)
    with pytest.raises(StorageError, match=r"not a readable ktbot database.*backup"):
        asyncio.run(Storage.open(db_path))


async def test_database_written_by_a_newer_ktbot_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StorageError, match=r"newer than this ktbot understands.*upgrade"):
        await Storage.open(db_path)


def test_read_only_database_error_says_how_to_fix_it(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    sqlite3.connect(db_path).execute("CREATE TABLE t (x)").connection.close()
    raw = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as raised:
        raw.execute("INSERT INTO t VALUES (1)")
    raw.close()

    error = storage_error(raised.value, db_path, 5)

    assert "is read-only: make the file and its directory writable" in str(error)


def permissions_are_enforced(directory: Path) -> bool:
    """False for root (or CAP_DAC_OVERRIDE), who may write read-only files anyway."""
    probe = directory / "probe"
    probe.write_text("")
    probe.chmod(0o444)
    try:
        with probe.open("a"):
            return False
    except PermissionError:
        return True
    finally:
        probe.unlink()


def test_read_only_file_raises_storage_error_with_advice(db_path: Path, tmp_path: Path) -> None:
    if not permissions_are_enforced(tmp_path):
        pytest.skip("this user may write read-only files (root)")

    async def write() -> None:
        async with await Storage.open(db_path) as storage:
            await storage.record_exchange(new("hello"))

    asyncio.run(write())
    db_path.chmod(0o444)
    db_path.parent.chmod(0o555)
    try:
        with pytest.raises(StorageError, match="read-only"):
            asyncio.run(write())
    finally:
        db_path.parent.chmod(0o755)
        db_path.chmod(0o644)


def test_every_sqlite_failure_becomes_an_actionable_message(tmp_path: Path) -> None:
    path = tmp_path / "ktbot.sqlite3"
    cases = {
        "database is locked": "locked by another process",
        "attempt to write a readonly database": "read-only",
        "database or disk is full": "is full",
        "file is not a database": "not a readable ktbot database",
        "database disk image is malformed": "not a readable ktbot database",
        "unable to open database file": "cannot open the database",
        "disk I/O error": "input/output error",
    }
    for sqlite_message, advice in cases.items():
        message = str(storage_error(sqlite3.OperationalError(sqlite_message), path, 5))
        assert advice in message and str(path) in message, sqlite_message


# --- the inbox of Telegram updates ---------------------------------------------------------


async def test_an_update_enters_the_inbox_once_and_a_redelivery_is_recognised(
    storage: Storage,
) -> None:
    assert await storage.inbox_add(7, '{"update_id": 7}') is True
    assert await storage.inbox_add(7, '{"update_id": 7}') is False  # being handled

    await storage.inbox_mark_handled([7])

    assert await storage.inbox_add(7, '{"update_id": 7}') is False  # handled already


async def test_inbox_entries_not_handled_are_taken_for_replay_oldest_first(
    storage: Storage,
) -> None:
    for update_id in (12, 10, 11):
        await storage.inbox_add(update_id, f'{{"update_id": {update_id}}}')
    await storage.inbox_mark_handled([11])

    first = await storage.inbox_take_unhandled()
    second = await storage.inbox_take_unhandled()

    assert [(h.update_id, h.replays) for h in first] == [(10, 1), (12, 1)]
    assert [(h.update_id, h.replays) for h in second] == [(10, 2), (12, 2)]
    assert first[0].payload == '{"update_id": 10}'


async def test_a_handled_update_keeps_only_its_id_not_what_the_user_wrote(
    storage: Storage, db_path: Path
) -> None:
    await storage.inbox_add(5, '{"update_id": 5, "message": {"text": "my secret"}}')
    await storage.inbox_mark_handled([5])

    raw = sqlite3.connect(db_path)
    try:
        payloads = [row[0] for row in raw.execute("SELECT payload FROM inbox")]
    finally:
        raw.close()
    assert payloads == ["{}"]


async def test_the_daily_purge_forgets_update_ids_older_than_two_days(
    storage: Storage, clock: FakeClock
) -> None:
    await storage.inbox_add(1, "{}")
    await storage.inbox_mark_handled([1])
    clock.now = NOW + timedelta(days=1)
    await storage.inbox_add(2, "{}")

    clock.now = NOW + timedelta(days=2, hours=1)
    await storage.purge_older_than(clock.now - timedelta(days=180))

    assert await storage.inbox_add(1, "{}") is True  # forgotten: older than two days
    assert await storage.inbox_add(2, "{}") is False  # still known


async def test_a_write_cancelled_while_waiting_for_the_lock_leaves_no_transaction_open(
    db_path: Path,
) -> None:
    # E.g. the bot stopping while its update fetcher waits for a lock another process holds.
    async with await Storage.open(db_path, busy_timeout=1.0) as storage:
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        waiting = asyncio.ensure_future(storage.inbox_add(1, "{}"))
        await asyncio.sleep(0.2)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        other.execute("COMMIT")
        other.close()
        await asyncio.sleep(1.2)  # the abandoned BEGIN has long succeeded in aiosqlite's thread

        assert await storage.inbox_add(2, "{}") is True
        another = sqlite3.connect(db_path, timeout=0.5)
        try:
            another.execute(
                "INSERT INTO inbox (update_id, received_at, payload) VALUES (9, 'x', '{}')"
            )
            another.commit()
        finally:
            another.close()
