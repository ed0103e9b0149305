"""Freshness: every topic is due for review again, and staff hear when it is overdue.

A topic is due on its `review_by:` date, else `review_interval_months` after `reviewed:`
(`time_sensitive_interval_months` for a topic marked `time_sensitive: true`), both set in a
`freshness:` section. Past that day `ktbot check` warns at the line to update; it is a
warning, never an error, so neither the check nor a hot reload fails over it. Today is
always passed in: these tests age a topic by asking about a later day.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.live_knowledge import LiveKnowledge
from intents.knowledge.errors import KnowledgeError, Problem, Severity
from intents.knowledge.freshness import add_months, freshness_warnings, review_due, stale_topics
from intents.knowledge.loader import load_knowledge
from intents.knowledge.models import FreshnessSettings, Topic
from tests.conftest import KbFactory, dedent

DEFAULTS = FreshnessSettings()


def topic(**fields: object) -> Topic:
    return Topic.model_validate(
        {
            "id": "project.x",
            "title": "X",
            "category": "projects",
            "questions": ["one", "two", "three"],
            "answer": "An answer.",
            **fields,
        }
    )


def topics_file(*entries: str) -> str:
    return "topics:\n" + "".join(entries)


def entry(topic_id: str, extra: str = "") -> str:
    """A topic of the `projects` category of tiny_kb; `extra` holds more field lines."""
    words = topic_id.replace(".", " ")
    text = f"""\
  - id: {topic_id}
    title: {words}
    category: projects
    questions: [{words} alpha, {words} beta, {words} gamma]
    answer: About {words}.
"""
    return text + "".join(f"    {line}\n" for line in dedent(extra).splitlines())


def line_of(path: Path, needle: str) -> int:
    lines = [n for n, text in enumerate(path.read_text().splitlines(), 1) if needle in text]
    assert len(lines) == 1, f"{needle!r} is on lines {lines}"
    return lines[0]


def where(problem: Problem, root: Path) -> tuple[str, int]:
    path = problem.path if problem.path.is_absolute() else Path.cwd() / problem.path
    return path.resolve().relative_to(root.resolve()).as_posix(), problem.line


# --- when a topic is due ------------------------------------------------------------------


def test_a_topic_is_due_twelve_months_after_its_review_by_default() -> None:
    due = review_due(topic(reviewed="2025-03-10"), DEFAULTS)

    assert due is not None
    assert due.due == date(2026, 3, 10)
    assert due.reason == "reviewed 2025-03-10 + 12 months"


def test_a_time_sensitive_topic_is_due_after_the_shorter_interval() -> None:
    due = review_due(topic(reviewed="2025-03-10", time_sensitive=True), DEFAULTS)

    assert due is not None and due.due == date(2025, 9, 10)
    assert due.reason == "reviewed 2025-03-10 + time-sensitive, 6 months"


def test_review_by_sets_the_date_whatever_the_interval() -> None:
    chosen = topic(reviewed="2025-03-10", review_by="2025-04-01", time_sensitive=True)

    due = review_due(chosen, DEFAULTS)

    assert due is not None and (due.due, due.reason) == (date(2025, 4, 1), "review_by")


def test_a_topic_with_no_dates_is_never_reported_stale() -> None:
    # Undated topics are a content rule (tests/test_knowledge_content.py), not a staleness.
    assert review_due(topic(), DEFAULTS) is None


def test_months_keep_the_day_or_end_on_the_months_last_day() -> None:
    assert add_months(date(2025, 3, 10), 12) == date(2026, 3, 10)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


# --- check warns, at the line to update ---------------------------------------------------


def test_ageing_a_topic_past_its_date_makes_check_warn_at_its_reviewed_line(
    tiny_kb: Path,
) -> None:
    kb = load_knowledge(tiny_kb)  # project.flash: reviewed 2024-05-01, due 2025-05-01

    assert freshness_warnings(kb, date(2025, 4, 30)) == ()
    (warning,) = freshness_warnings(kb, date(2025, 5, 1))

    medical = tiny_kb / "topics" / "projects" / "medical.yaml"
    assert where(warning, tiny_kb) == (
        "topics/projects/medical.yaml",
        line_of(medical, "reviewed:"),
    )
    assert warning.severity is Severity.WARNING
    assert str(warning).endswith(
        ": warning: topic 'project.flash': review due since 2025-05-01 (reviewed 2024-05-01 "
        "+ 12 months): check the answer against its sources and update reviewed"
    )


def test_an_overdue_review_by_is_reported_at_its_own_line(make_kb: KbFactory) -> None:
    root = make_kb(
        {
            "topics/dated.yaml": topics_file(
                entry("project.dated", "reviewed: 2025-01-10\nreview_by: 2025-02-01")
            )
        }
    )

    (warning,) = freshness_warnings(load_knowledge(root), date(2025, 2, 2))

    dated = root / "topics" / "dated.yaml"
    assert where(warning, root) == ("topics/dated.yaml", line_of(dated, "review_by:"))
    assert "due since 2025-02-01 (review_by)" in warning.message
    assert "update reviewed and review_by" in warning.message


def test_stale_topics_are_listed_longest_overdue_first(make_kb: KbFactory) -> None:
    root = make_kb(
        {
            "topics/dated.yaml": topics_file(
                entry("project.recent", "reviewed: 2025-01-01"),
                entry("project.fresh", "reviewed: 2026-01-01"),
                entry("project.hot", "reviewed: 2025-06-01\ntime_sensitive: true"),
            )
        }
    )

    stale = stale_topics(load_knowledge(root), date(2026, 2, 1))

    # project.flash of tiny_kb was due 2025-05-01, project.hot 2025-12-01, project.recent
    # 2026-01-01; project.fresh is not due before 2027.
    assert [s.topic_id for s in stale] == ["project.flash", "project.hot", "project.recent"]


def test_the_intervals_come_from_the_freshness_section(make_kb: KbFactory) -> None:
    root = make_kb(
        {
            "settings.yaml": """
                freshness:
                  review_interval_months: 3
                  time_sensitive_interval_months: 1
            """
        }
    )

    kb = load_knowledge(root)

    assert kb.freshness == FreshnessSettings(
        review_interval_months=3, time_sensitive_interval_months=1
    )
    (stale,) = stale_topics(kb, date(2024, 8, 1))
    assert (stale.topic_id, stale.due.due) == ("project.flash", date(2024, 8, 1))


def test_without_a_freshness_section_topics_are_reviewed_yearly(tiny_kb: Path) -> None:
    assert load_knowledge(tiny_kb).freshness == FreshnessSettings(
        review_interval_months=12, time_sensitive_interval_months=6
    )


def test_the_shipped_settings_review_yearly_and_time_sensitive_topics_twice_a_year() -> None:
    from bot.settings import REPO_KNOWLEDGE_DIR

    kb = load_knowledge(REPO_KNOWLEDGE_DIR)

    assert (kb.freshness.review_interval_months, kb.freshness.time_sensitive_interval_months) == (
        12,
        6,
    )


# --- warnings never stop loading ----------------------------------------------------------


def test_a_stale_topic_is_a_warning_that_never_stops_a_hot_reload(make_kb: KbFactory) -> None:
    root = make_kb()
    live = LiveKnowledge.load(root)
    medical = root / "topics" / "projects" / "medical.yaml"
    # tiny_kb already links to sites its topics do not cite; now one is years overdue too.
    medical.write_text(
        medical.read_text().replace("reviewed: 2024-05-01", "reviewed: 2001-01-01"),
        encoding="utf-8",
    )

    report = live.reload()

    assert report.ok and report.changed
    assert live.kb.topic("project.flash").reviewed == date(2001, 1, 1)
    assert live.kb.warnings and all(w.severity is Severity.WARNING for w in live.kb.warnings)


# --- the rules are enforced where they are written ----------------------------------------


def test_review_by_on_or_before_reviewed_is_an_error_at_review_by(make_kb: KbFactory) -> None:
    root = make_kb(
        {
            "topics/dated.yaml": topics_file(
                entry("project.dated", "reviewed: 2025-06-01\nreview_by: 2025-06-01")
            )
        }
    )

    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(root)

    (problem,) = raised.value.problems
    assert where(problem, root) == (
        "topics/dated.yaml",
        line_of(root / "topics/dated.yaml", "review_by:"),
    )
    assert "review_by: must be after reviewed (2025-06-01)" in problem.message
    assert problem.severity is Severity.ERROR


@pytest.mark.parametrize(
    ("section", "line", "message"),
    [
        (
            "review_interval_months: '12'",
            2,
            "freshness.review_interval_months: Input should be a valid integer",
        ),
        (
            "review_interval_months: 0",
            2,
            "freshness.review_interval_months: Input should be greater than",
        ),
        (
            "review_interval_months: 6\n  time_sensitive_interval_months: 9",
            1,
            "freshness: time_sensitive_interval_months must not exceed review_interval_months",
        ),
        ("review_every: 12", 2, "freshness.review_every: unknown field"),
    ],
)
def test_a_bad_freshness_section_is_an_error_at_its_line(
    make_kb: KbFactory, section: str, line: int, message: str
) -> None:
    root = make_kb({"settings.yaml": f"freshness:\n  {section}\n"})

    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(root)

    (problem,) = raised.value.problems
    assert (problem.path.name, problem.line) == ("settings.yaml", line)
    assert message in problem.message


def test_freshness_defined_in_two_files_is_reported_at_the_second(make_kb: KbFactory) -> None:
    root = make_kb(
        {
            "a.yaml": "freshness:\n  review_interval_months: 12\n",
            "b.yaml": "# second\nfreshness:\n  review_interval_months: 6\n",
        }
    )

    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(root)

    (problem,) = raised.value.problems
    assert (problem.path.name, problem.line) == ("b.yaml", 2)
    assert problem.message == "`freshness:` is defined in more than one file"
