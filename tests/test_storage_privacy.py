"""Storage privacy: exchanges and hand-offs deletable on request or by age, and pseudonymous
user keys.

Real SQLite files under tmp_path; the only fake is the clock.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.pseudonym import user_key
from bot.storage import Storage
from tests.storage_fixtures import (
    NOW,
    FakeClock,
    clarify,
    db_bytes,
    fallback,
    legacy_handoff,
    legacy_handoffs,
    new,
)
from tests.storage_fixtures import clock as clock  # the fixture
from tests.storage_fixtures import db_path as db_path  # the fixture
from tests.storage_fixtures import storage as storage  # the fixture

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
    await legacy_handoff(storage, 1, display_name="Ada Lovelace (@ada)", question="old enquiry")
    clock.now = NOW
    await legacy_handoff(
        storage, 2, user_key="user-b", user_chat_id=43, display_name="Grace Hopper"
    )

    assert await storage.purge_older_than(NOW - timedelta(days=180)) == 1

    assert await legacy_handoffs(storage) == {2: None}


async def test_forget_user_deletes_everything_about_them(storage: Storage, db_path: Path) -> None:
    asked = await storage.record_exchange(new("MARKER-question-of-ada", fallback(), user="ada"))
    chose = await storage.record_exchange(new("gantry", clarify(), user="ada"))
    other = await storage.record_exchange(new("what is medicis?", user="grace"))
    assert asked is not None and chose is not None and other is not None
    await storage.record_feedback(asked, False)
    await storage.record_choice(chose, "project.gantry-magnets")
    await storage.record_feedback(other, True)
    await legacy_handoff(
        storage,
        7,
        exchange_id=asked,
        user_key="ada",
        display_name="MARKER-name-of-ada",
        question="MARKER-question-of-ada",
    )
    await storage.set_user_language("ada", "fr")
    await storage.set_user_language("grace", "en")

    count = await storage.forget_user("ada")

    assert count == 6  # two exchanges, one vote, one choice, one hand-off, one language
    assert await storage.user_language("ada") is None
    assert await storage.user_language("grace") == "en"
    assert await storage.exchange(asked) is None and await storage.exchange(chose) is None
    assert await legacy_handoffs(storage) == {}
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


async def test_handoff_outlives_its_purged_exchange_until_its_own_age(storage: Storage) -> None:
    exchange_id = await storage.record_exchange(
        new("old question", fallback(), at=NOW - timedelta(days=179))
    )
    await legacy_handoff(storage, 9, exchange_id=exchange_id, question="old question")

    await storage.purge_older_than(NOW - timedelta(days=178))

    assert await legacy_handoffs(storage) == {9: None}
