"""Findings S2, S6 and S12 of `staff-reliability.md`, pinned down without a bot process.

The end-to-end tests catch both (`tests/test_e2e_questions.py`, `tests/test_promote_crash.py`),
but only by running `ktbot run` or killing promotes at random moments. These tests break the
same way when the fix is removed, every time and in well under a second.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.review import promote_question
from bot.settings import Settings
from bot.storage import ReviewState, Storage, TopicCount, TopicFeedback, UsageStats
from tests.storage_fixtures import clock as clock  # the fixture
from tests.storage_fixtures import db_bytes, fallback, new
from tests.storage_fixtures import db_path as db_path  # the fixture
from tests.storage_fixtures import storage as storage  # the fixture
from tests.test_review_cli import RECENT, ktbot, record, review_state
from tests.test_review_cli import settings as settings  # the fixture

# --- S2: /forget leaves nothing about the user in the database file -----------------------


async def test_s2_a_forget_clears_the_users_updates_still_in_the_inbox_from_every_file(
    storage: Storage, db_path: Path
) -> None:
    # The "Yes, delete" press is itself an update in the inbox while /forget runs: its
    # payload holds the user's Telegram id and names, and must not outlive the "Done".
    press = {"callback_query": {"from": {"id": 4242424242, "first_name": "MARKER-Ada"}}}
    other = {"message": {"from": {"id": 777, "first_name": "Grace"}, "text": "hello"}}
    await storage.record_exchange(new("what is medicis?", fallback(), user="ada"))
    assert await storage.inbox_add(1, json.dumps(press), user_key="ada")
    assert await storage.inbox_add(2, json.dumps(other), user_key="grace")

    await storage.forget_user("ada")
    await storage.inbox_mark_handled([1])  # the press is handled after the "Done" edit

    on_disk = db_bytes(db_path)
    assert b"MARKER-Ada" not in on_disk and b"4242424242" not in on_disk
    assert [e.update_id for e in await storage.inbox_take_unhandled()] == [2]  # not theirs
    assert b"Grace" in db_bytes(db_path)


# --- S6: a promote stopped between the YAML and the database is finished by a rerun -------


def test_s6_a_promote_rerun_after_the_yaml_was_written_resolves_the_question(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    [exchange_id] = record(settings, ("qwzx zorble isotope plover", fallback(), RECENT))
    # What a promote killed after replacing the file leaves: the example, the question open.
    path = promote_question(settings.knowledge_dir, "project.medicis", "qwzx zorble isotope plover")
    before = path.read_bytes()
    assert review_state(settings, exchange_id) == (ReviewState.OPEN, None)

    code = ktbot(settings, "unanswered", "promote", str(exchange_id), "--topic", "project.medicis")

    assert code == 0
    out = capsys.readouterr().out
    assert "is already an example of topic project.medicis" in out
    assert f"marking #{exchange_id} resolved" in out
    assert review_state(settings, exchange_id) == (ReviewState.RESOLVED, "project.medicis")
    assert path.read_bytes() == before  # not added a second time


# --- S12: a renamed topic keeps one id in the review and the statistics -------------------


def _rename_medicis(knowledge: Path) -> None:
    path = knowledge / "topics" / "projects" / "medical.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "- id: project.medicis\n",
        "- id: project.cern-medicis\n    former_ids: [project.medicis]\n",
    )
    path.write_text(text.replace("related: [project.medicis]", "related: [project.cern-medicis]"))


def test_s12_resolving_or_promoting_with_a_former_id_records_the_current_one(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = record(
        settings,
        ("qwzx zorble isotope plover", fallback(), RECENT),
        ("another qwzx isotope question", fallback(), RECENT),
    )
    _rename_medicis(settings.knowledge_dir)

    assert ktbot(settings, "unanswered", "resolve", str(first), "--topic", "project.medicis") == 0
    assert ktbot(settings, "unanswered", "promote", str(second), "--topic", "project.medicis") == 0

    out = capsys.readouterr().out
    assert "project.medicis was renamed to project.cern-medicis" in out
    assert review_state(settings, first) == (ReviewState.RESOLVED, "project.cern-medicis")
    assert review_state(settings, second) == (ReviewState.RESOLVED, "project.cern-medicis")


def test_s12_statistics_count_a_renamed_topic_under_its_current_id() -> None:
    logged = UsageStats(
        since=None,
        total=9,
        top_topics=(
            TopicCount("project.flash", 4),
            TopicCount("project.medicis", 3),
            TopicCount("project.cern-medicis", 2),
        ),
        feedback=(
            TopicFeedback("project.medicis", 2, 0),
            TopicFeedback("project.flash", 1, 0),
            TopicFeedback("project.cern-medicis", 0, 1),
        ),
    )
    renamed = {"project.medicis": "project.cern-medicis"}

    # Like `KnowledgeBase.current_id`, None for an id it does not map: kept as logged.
    stats = logged.under_current_ids(renamed.get)

    assert stats.top_topics == (
        TopicCount("project.cern-medicis", 5),
        TopicCount("project.flash", 4),
    )
    assert stats.feedback == (
        TopicFeedback("project.cern-medicis", 2, 1),
        TopicFeedback("project.flash", 1, 0),
    )
