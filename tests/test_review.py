"""Review tools: grouping unanswered questions, promoting one into the YAML, reports."""

from __future__ import annotations

import difflib
import errno
import os
import subprocess
import tempfile
import textwrap
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import review
from bot.review import QuestionGroup, ReviewError, group_similar, promote_question
from bot.stale_report import StaleReading, most_read_first
from bot.storage import (
    ReviewState,
    TopicCount,
    TopicFeedback,
    UnansweredQuestion,
    UsageStats,
    WeekCount,
)
from intents.knowledge.freshness import ReviewDue, StaleTopic
from intents.knowledge.loader import load_knowledge
from intents.matching.result import Candidate, Outcome

NOW = datetime(2024, 5, 15, 12, 0, tzinfo=UTC)


def asked(
    question: str,
    id: int = 0,
    *,
    user: str | None = None,
    nearest: str | None = None,
    hours_ago: int = 0,
) -> UnansweredQuestion:
    return UnansweredQuestion(
        id=id,
        asked_at=NOW - timedelta(hours=hours_ago),
        question=question,
        score=0.2,
        alternatives=(Candidate(nearest, 0.3),) if nearest else (),
        state=ReviewState.OPEN,
        channel="telegram",
        user_key=user,
        kb_version="kb-1",
    )


def numbered(*questions: str) -> list[UnansweredQuestion]:
    return [asked(q, id=n, user=f"user-{n}", hours_ago=n) for n, q in enumerate(questions, 1)]


def texts(group: QuestionGroup) -> set[str]:
    return {m.question for m in group.members}


# --- grouping -----------------------------------------------------------------------------


def test_groups_cluster_similar_questions_largest_first() -> None:
    questions = numbered(
        "can I visit CERN",
        "price of isotopes",
        "Isotope prices?",
        "what is the price of medical isotopes",
        "how to visit CERN",
        "what is the weather in Geneva tomorrow",
        "isotope prices",
    )

    groups = group_similar(questions)

    assert [g.count for g in groups] == [4, 2, 1]
    assert texts(groups[0]) == {
        "price of isotopes",
        "Isotope prices?",
        "what is the price of medical isotopes",
        "isotope prices",
    }
    assert texts(groups[1]) == {"can I visit CERN", "how to visit CERN"}
    assert groups[2].representative == "what is the weather in Geneva tomorrow"


def test_questions_sharing_only_filler_words_stay_apart() -> None:
    groups = group_similar(numbered("what is the price", "what is the weather", "how is it"))
    assert [g.count for g in groups] == [1, 1, 1]


def test_a_one_word_question_does_not_swallow_longer_ones() -> None:
    groups = group_similar(
        numbered("cost", "how much does a cyclotron cost", "how much does a flight cost")
    )
    assert [g.count for g in groups] == [1, 1, 1]


def test_group_knows_its_members_people_and_most_common_nearest_topic() -> None:
    questions = [
        asked("isotope prices", 1, user="ada", nearest="project.medicis"),
        asked("isotope prices?", 2, user="ada", nearest="project.medicis", hours_ago=5),
        asked("price of isotopes", 3, user="grace", nearest="route.licensing", hours_ago=2),
        asked("prices of isotopes", 4, user=None, hours_ago=1),
    ]

    [group] = group_similar(questions)

    assert group.ids == (1, 4, 3, 2)  # newest first
    assert group.askers == 3  # ada twice, grace, and one anonymous
    assert group.nearest_topic == "project.medicis"
    assert group.last_asked == NOW


def test_grouping_nothing_gives_nothing() -> None:
    assert group_similar([]) == []
    with pytest.raises(ValueError, match="between 0 and 1"):
        group_similar(numbered("x"), threshold=75)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=40), max_size=25))
def test_every_question_lands_in_exactly_one_group(raw: list[str]) -> None:
    questions = numbered(*raw)
    groups = group_similar(questions)
    ids = [i for g in groups for i in g.ids]
    assert sorted(ids) == [q.id for q in questions]
    assert [g.count for g in groups] == sorted((g.count for g in groups), reverse=True)


# --- durations ----------------------------------------------------------------------------


def test_durations_are_hours_days_or_weeks() -> None:
    assert review.parse_duration("12h") == timedelta(hours=12)
    assert review.parse_duration("7d") == timedelta(days=7)
    assert review.parse_duration(" 2W ") == timedelta(weeks=2)
    for bad in ("7", "d", "7x", "-1d", "0d", "1.5d", ""):
        with pytest.raises(ValueError, match=r"e\.g\. 12h, 7d, 2w"):
            review.parse_duration(bad)


# --- promote ------------------------------------------------------------------------------

ROUTES_YAML = """\
# Partnering routes. Comments like this one must survive promotion.
topics:
  - id: route.licensing   # the main route for companies
    title: Licensing CERN technology
    category: partnering
    questions:
      - How can my company license a CERN technology?
      # phrasings seen in the 2023 enquiries:
      - 'patent licence from CERN'
      - "licensing terms for CERN inventions"  # from a hospital
    aliases: [licensing, "IP"]
    answer: |
      Companies can license CERN technologies through the **KT group**.

      - patents
      - know-how
    contacts: [kt]
    sources: [LONG_SOURCE]

  - id: route.contact
    title: Contact the KT team
    category: partnering
    questions: [LONG_QUESTIONS]
    answer: Use the KT web site.
    contacts: [kt]
"""

# Lines longer than the YAML writer's default width: they must stay on one line.
ROUTES_YAML = ROUTES_YAML.replace(
    "LONG_SOURCE",
    "https://kt.cern/technology-transfer/licensing, "
    "https://kt.cern/activities-services/licensing-cern-technologies, seed:000_licensing.txt",
).replace(
    "LONG_QUESTIONS",
    "how do I reach the knowledge transfer team, contact a person at CERN KT, "
    "who can I email at knowledge transfer",
)

PROJECTS_YAML = """\
topics:
- id: project.medicis
  title: CERN-MEDICIS
  category: projects
  questions:
  - "What is MEDICIS?"
  - "radioisotopes for medical research"
  - "medicis isotope production"
  answer: CERN-MEDICIS produces radioisotopes for research.
  contacts: [kt]
"""

COMMON_YAML = """\
categories:
  - id: partnering
    title: Partnering with CERN
    description: Routes for companies and hospitals.
  - id: projects
    title: Medical projects
    description: CERN projects with medical applications.
contacts:
  - id: kt
    name: CERN Knowledge Transfer
    url: https://kt.cern/
"""


@pytest.fixture
def knowledge(tmp_path: Path) -> Path:
    root = tmp_path / "knowledge"
    (root / "topics").mkdir(parents=True)
    (root / "common.yaml").write_text(COMMON_YAML, encoding="utf-8")
    (root / "topics" / "routes.yaml").write_text(ROUTES_YAML, encoding="utf-8")
    (root / "topics" / "projects.yaml").write_text(PROJECTS_YAML, encoding="utf-8")
    return root


def added_lines(before: str, after: str) -> list[str]:
    diff = difflib.ndiff(before.splitlines(), after.splitlines())
    changes = [line for line in diff if line[:2] in ("+ ", "- ")]
    assert all(line.startswith("+ ") for line in changes), "\n".join(changes)
    return [line[2:] for line in changes]


def test_promote_keeps_comments_and_adds_question(knowledge: Path) -> None:
    path = promote_question(knowledge, "route.licensing", "can we get a licence for a detector")

    assert path == (knowledge / "topics" / "routes.yaml").resolve()
    after = path.read_text(encoding="utf-8")
    # One new line, indented like its siblings; everything else byte for byte the same.
    assert added_lines(ROUTES_YAML, after) == ["      - can we get a licence for a detector"]
    kb = load_knowledge(knowledge)
    assert kb.topics["route.licensing"].questions[-1] == "can we get a licence for a detector"


def test_promote_follows_the_files_own_indentation_and_quoting(knowledge: Path) -> None:
    path = promote_question(knowledge, "project.medicis", "how much do isotopes cost")

    after = path.read_text(encoding="utf-8")
    assert added_lines(PROJECTS_YAML, after) == ['  - "how much do isotopes cost"']


def test_promote_into_a_one_line_list_keeps_it_on_one_line(knowledge: Path) -> None:
    path = promote_question(knowledge, "route.contact", "phone number of KT")

    after = path.read_text(encoding="utf-8")
    assert "who can I email at knowledge transfer, phone number of KT]" in after
    assert len(after.splitlines()) == len(ROUTES_YAML.splitlines())


def test_promote_quotes_a_question_that_needs_it(knowledge: Path) -> None:
    promote_question(knowledge, "route.licensing", "licence: what does it cost? #urgent")
    kb = load_knowledge(knowledge)
    assert kb.topics["route.licensing"].questions[-1] == "licence: what does it cost? #urgent"


def test_promote_refuses_a_question_already_there(knowledge: Path) -> None:
    before = (knowledge / "topics" / "routes.yaml").read_bytes()
    with pytest.raises(ReviewError, match="already an example question of topic"):
        promote_question(knowledge, "route.licensing", "Patent licence from CERN!")
    assert (knowledge / "topics" / "routes.yaml").read_bytes() == before


def test_promote_rolls_back_invalid_result(knowledge: Path) -> None:
    # Valid YAML, but the loader refuses one example under two topics.
    routes = knowledge / "topics" / "routes.yaml"
    before = routes.read_bytes()

    with pytest.raises(ReviewError) as raised:
        promote_question(knowledge, "route.licensing", "What is MEDICIS?")

    assert routes.read_bytes() == before
    [problem] = raised.value.problems
    assert problem.path == knowledge / "topics" / "routes.yaml"  # the real file, not a copy
    assert problem.line == 11  # where the new question would have gone
    assert "is also under topic 'project.medicis'" in problem.message
    assert "routes.yaml:11:" in str(raised.value) and "was not changed" in str(raised.value)
    assert not list(routes.parent.glob(".*.tmp"))  # no scratch file left behind


def test_promote_refuses_an_unknown_topic_and_suggests_close_ones(knowledge: Path) -> None:
    with pytest.raises(ReviewError, match=r"unknown topic 'route.licencing' \(did you mean"):
        promote_question(knowledge, "route.licencing", "a question")


def test_promote_refuses_when_the_knowledge_base_is_already_broken(knowledge: Path) -> None:
    (knowledge / "broken.yaml").write_text("topics:\n  - id: x\n    title: [oops\n")
    with pytest.raises(ReviewError, match="problems already") as raised:
        promote_question(knowledge, "route.licensing", "a question")
    assert any("broken.yaml" in str(p.path) for p in raised.value.problems)


CONCURRENT_ROUNDS = 200
"""Rounds of two promotes at once into one file; without the edit lock about one in five
lost an example while both reported success (15 of 115 rounds in the findings)."""


def test_two_promotes_at_once_into_one_file_both_land(knowledge: Path) -> None:
    routes = knowledge / "topics" / "routes.yaml"
    start = threading.Barrier(2)

    def promote(topic_id: str, question: str) -> None:
        start.wait()
        promote_question(knowledge, topic_id, question)

    lost = []
    for round_ in range(CONCURRENT_ROUNDS):
        routes.write_text(ROUTES_YAML, encoding="utf-8")  # each round from the same file
        pair = [
            ("route.licensing", f"zorble licence question {round_}"),
            ("route.contact", f"zorble contact question {round_}"),
        ]
        with ThreadPoolExecutor(max_workers=2) as pool:
            for done in [pool.submit(promote, *args) for args in pair]:
                done.result()  # neither refused: the second waits for the first, then reads
        topics = load_knowledge(knowledge).topics
        lost += [q for topic_id, q in pair if q not in topics[topic_id].questions]

    assert lost == []


def test_promote_again_after_the_yaml_was_written_says_the_example_is_there(
    knowledge: Path,
) -> None:
    path = promote_question(knowledge, "route.licensing", "zorble licence question")
    before = path.read_bytes()

    with pytest.raises(review.AlreadyAnExample) as raised:
        promote_question(knowledge, "route.licensing", "Zorble licence question?")

    assert raised.value.path == path and raised.value.topic_id == "route.licensing"
    assert path.read_bytes() == before


@pytest.fixture
def read_only_knowledge(knowledge: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The knowledge directory, read-only as a Docker `:ro` mount (or, for a non-root user,
    as a directory owned by someone else; for root without the right to mount, as in many
    CI containers, a directory that refuses new files as a read-only mount does)."""
    if os.geteuid() != 0:
        for directory in (knowledge, knowledge / "topics"):
            directory.chmod(0o555)
        yield knowledge
        for directory in (knowledge, knowledge / "topics"):
            directory.chmod(0o755)
        return
    view = knowledge.parent / "read-only-view"
    view.mkdir()
    mounted = subprocess.run(
        ["mount", "--bind", str(knowledge), str(view)], check=False, capture_output=True
    )
    if mounted.returncode != 0:

        def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(knowledge / ".x.tmp"))

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
        yield knowledge
        return
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True)
        yield view
    finally:
        subprocess.run(["umount", str(view)], check=False)


def test_promote_into_a_read_only_directory_says_what_to_change(
    read_only_knowledge: Path,
) -> None:
    routes = read_only_knowledge / "topics" / "routes.yaml"
    before = routes.read_bytes()

    with pytest.raises(ReviewError) as raised:
        promote_question(read_only_knowledge, "route.licensing", "zorble licence question")

    message = str(raised.value)
    assert f"cannot write to the knowledge directory {routes.parent.resolve()}" in message
    assert "mount the knowledge directory writable" in message
    assert "promote in a checkout of the knowledge base and deploy it" in message
    assert ".tmp" not in message and "nothing was changed" in message
    assert routes.read_bytes() == before


# --- reports ------------------------------------------------------------------------------


def sample_stats() -> UsageStats:
    return UsageStats(
        since=NOW - timedelta(days=30),
        total=20,
        by_outcome={Outcome.ANSWER: 14, Outcome.CLARIFY: 2, Outcome.FALLBACK: 4},
        top_topics=(TopicCount("project.medicis", 9), TopicCount("route.licensing", 5)),
        feedback=(TopicFeedback("project.medicis", 6, 1),),
        weekly=(WeekCount(date(2024, 4, 29), 8, 6, 1, 1), WeekCount(date(2024, 5, 6), 12, 8, 1, 3)),
        open_unanswered=3,
    )


def test_stats_text_shows_rates_topics_feedback_and_trend() -> None:
    groups = group_similar(numbered("isotope prices", "price of isotopes"))

    text = review.format_stats(sample_stats(), groups)

    assert "Questions since 2024-04-15: 20" in text
    assert "answered       14  (70%)" in text
    assert "unanswered      4  (20%)" in text
    assert "project.medicis      9" in text
    assert "project.medicis     6 / 1" in text
    assert "2024-05-06     12 asked,  67% answered,  25% unanswered" in text
    assert "2× “isotope prices” (2 people)" in text


def test_stats_text_for_a_quiet_period_is_one_line() -> None:
    assert review.format_stats(UsageStats(since=None, total=0)) == "Questions all time: 0"


def test_stats_json_has_the_numbers_scripts_need() -> None:
    data = review.stats_json(sample_stats())
    assert (data["total"], data["answered"], data["fallback"]) == (20, 14, 4)
    assert data["rates"] == {"answer": 0.7, "clarify": 0.1, "fallback": 0.2}
    assert data["weekly"][1] == {
        "week": "2024-05-06",
        "total": 12,
        "answered": 8,
        "clarified": 1,
        "fallback": 3,
    }
    assert data["feedback"] == [{"topic": "project.medicis", "helpful": 6, "unhelpful": 1}]


def test_digest_lists_the_largest_groups_with_their_ids() -> None:
    questions = [
        asked("isotope prices", 1, user="a", nearest="project.medicis"),
        asked("price of isotopes", 2, user="b", nearest="project.medicis"),
        asked("can I visit CERN", 3, user="a"),
    ]

    text = review.format_digest(group_similar(questions))

    assert text.splitlines()[0] == "Unanswered this week: 3 question(s) in 2 group(s)."
    assert "• 2× “isotope prices” (2 people) → nearest project.medicis  [#2, #1]" in text
    assert "• 1× “can I visit CERN” (1 person)  [#3]" in text
    assert review.format_digest([]) == "No unanswered questions this week."


def test_digest_names_the_nearest_topic_by_its_title_when_given_titles() -> None:
    questions = [asked("isotope prices", 1, user="a", nearest="project.medicis")]

    text = review.format_digest(group_similar(questions), titles={"project.medicis": "MEDICIS"})

    assert "→ nearest MEDICIS  [#1]" in text


def stale(topic_id: str, due: date) -> StaleTopic:
    return StaleTopic(topic_id, topic_id.title(), ReviewDue(due, "reviewed … + 12 months"))


def test_stale_topics_are_ranked_by_how_often_users_were_served_them() -> None:
    old, older, oldest = date(2024, 3, 1), date(2024, 2, 1), date(2024, 1, 1)
    topics = [stale("project.a", oldest), stale("project.b", old), stale("project.c", older)]

    ranked = most_read_first(topics, {"project.b": 7, "project.a": 2, "project.other": 99})

    # Most served first; a topic nobody read is still named, after them, oldest first.
    assert [(r.topic.topic_id, r.served) for r in ranked] == [
        ("project.b", 7),
        ("project.a", 2),
        ("project.c", 0),
    ]
    tie = most_read_first([stale("project.b", old), stale("project.c", older)], {})
    assert [r.topic.topic_id for r in tie] == ["project.c", "project.b"]


def stale_readings(count: int) -> tuple[StaleReading, ...]:
    return tuple(
        StaleReading(stale(f"project.s{n}", date(2024, 1, n)), 20 - n) for n in range(1, count + 1)
    )


def test_digest_names_the_stale_topics_most_served_this_week() -> None:
    questions = [asked("isotope prices", 1, user="a", nearest="project.medicis")]

    text = review.format_digest(group_similar(questions), stale=stale_readings(7))

    lines = text.splitlines()
    start = lines.index("Due for review, most served first:")
    assert lines[start + 1 : start + 7] == [
        "• project.s1: served 19× this week, review due 2024-01-01",
        "• project.s2: served 18× this week, review due 2024-01-02",
        "• project.s3: served 17× this week, review due 2024-01-03",
        "• project.s4: served 16× this week, review due 2024-01-04",
        "• project.s5: served 15× this week, review due 2024-01-05",
        "… and 2 more (ktbot check lists them all)",
    ]
    assert lines[0].startswith("Unanswered this week: 1 question(s)")


def test_a_digest_without_unanswered_questions_still_names_stale_topics() -> None:
    text = review.format_digest([], stale=stale_readings(1))

    assert text.splitlines() == [
        "No unanswered questions this week.",
        "",
        "Due for review, most served first:",
        "• project.s1: served 19× this week, review due 2024-01-01",
    ]


def test_stats_text_and_json_name_the_stale_topics_most_served() -> None:
    readings = stale_readings(2)

    text = review.format_stats(sample_stats(), stale=readings)
    quiet = review.format_stats(UsageStats(since=None, total=0), stale=readings)
    data = review.stats_json(sample_stats(), stale=readings)

    assert text.endswith(
        "Due for review, most served first:\n"
        "  project.s1: served 19×, review due 2024-01-01\n"
        "  project.s2: served 18×, review due 2024-01-02"
    )
    assert quiet.splitlines()[0] == "Questions all time: 0"
    assert "  project.s1: served 19×, review due 2024-01-01" in quiet
    assert data["stale_topics"][0] == {
        "topic": "project.s1",
        "served": 19,
        "review_due": "2024-01-01",
        "why": "reviewed … + 12 months",
    }


def test_unanswered_page_shows_nearest_topics_and_returns_the_ids_shown() -> None:
    items = [asked(f"question {n}", n, nearest="project.medicis", hours_ago=n) for n in range(1, 8)]

    lines, ids = review.format_unanswered_page(items, page=1, page_size=3)

    assert ids == [4, 5, 6]
    assert lines[0] == "Unanswered questions (7), page 2 of 3:"
    assert "#4 2024-05-15: question 4" in lines
    assert "    nearest: project.medicis 0.30" in lines
    assert review.format_unanswered_page([], 0, 5) == (["No unanswered questions."], [])


def test_nearest_topics_explain_why_a_question_missed() -> None:
    candidates = (Candidate("project.medicis", 0.413), Candidate("route.licensing", 0.3))
    assert review.describe_nearest(candidates) == "project.medicis 0.41, route.licensing 0.30"
    assert review.describe_nearest(()) == "no topic came close"


def test_templates_are_plain_text() -> None:
    # The lead escapes for Telegram HTML; nothing here may already contain markup.
    text = review.format_digest(group_similar(numbered("<b>isotopes</b> & prices")))
    assert "<b>isotopes</b> & prices" in text
    assert textwrap.dedent(text) == text
