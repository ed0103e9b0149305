"""Topic visits (deep links, browsing, related buttons; findings R4 and R17): counted with
their votes, and deleted by /forget and by retention like every per-user row."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.storage import ExchangeGone, Storage
from bot.storage.visits import VisitSource
from tests.storage_fixtures import NOW, FakeClock
from tests.storage_fixtures import clock as clock  # the fixture
from tests.storage_fixtures import db_path as db_path  # the fixture
from tests.storage_fixtures import storage as storage  # the fixture

SINCE = NOW - timedelta(days=30)


async def test_visits_are_counted_by_source_with_their_votes(
    storage: Storage, clock: FakeClock
) -> None:
    clock.now = SINCE - timedelta(days=1)  # before the period: not counted
    await storage.record_visit("k-ada", "project.flash", VisitSource.DEEP_LINK)
    clock.now = NOW
    linked = await storage.record_visit("k-ada", "project.flash", VisitSource.DEEP_LINK)
    await storage.record_visit("k-ada", "project.medicis", VisitSource.BROWSE)
    await storage.record_visit(None, "route.licensing", VisitSource.RELATED)
    await storage.record_visit_feedback(linked, False)
    await storage.record_visit_feedback(linked, True)  # a change of mind replaces the vote

    counts = await storage.visit_counts(SINCE)

    assert counts.get(VisitSource.DEEP_LINK) == counts.get(VisitSource.BROWSE) == 1
    assert counts.get(VisitSource.RELATED) == 1
    assert (counts.helpful, counts.not_helpful) == (1, 0)


async def test_forget_deletes_the_users_visits_and_counts_them(storage: Storage) -> None:
    mine = await storage.record_visit("k-ada", "project.flash", VisitSource.DEEP_LINK)
    await storage.record_visit("k-bob", "project.flash", VisitSource.DEEP_LINK)

    assert await storage.forget_user("k-ada") == 1

    assert (await storage.visit_counts(SINCE)).get(VisitSource.DEEP_LINK) == 1
    with pytest.raises(ExchangeGone, match=rf"no visit #{mine} \(it may have been purged"):
        # an old 👍 under it: no longer on record
        await storage.record_visit_feedback(mine, True)


async def test_retention_purge_deletes_old_visits(storage: Storage, clock: FakeClock) -> None:
    clock.now = NOW - timedelta(days=200)
    await storage.record_visit("k-ada", "project.flash", VisitSource.BROWSE)
    clock.now = NOW
    await storage.record_visit("k-ada", "project.medicis", VisitSource.BROWSE)

    await storage.purge_older_than(NOW - timedelta(days=180))

    counts = await storage.visit_counts(NOW - timedelta(days=365))
    assert counts.get(VisitSource.BROWSE) == 1
