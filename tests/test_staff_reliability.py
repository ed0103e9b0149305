"""Findings S9–S18 of `staff-reliability.md`: the review commands staff run by hand.

Each test names the finding it pins down; each fails with that fix removed.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import review
from bot.chat import chat
from bot.review import ReviewError, promote_question
from bot.settings import Settings
from bot.storage import ReviewState
from intents import KnowledgeError, load_knowledge
from intents.knowledge.yaml_source import read_yaml
from tests.conftest import TINY_KB_FILES, KbFactory
from tests.test_loader import line_of
from tests.test_review import ROUTES_YAML, added_lines
from tests.test_review import knowledge as knowledge  # the fixture
from tests.test_review_cli import RECENT, fallback, ktbot, record, review_state
from tests.test_review_cli import settings as settings  # the fixture

# --- S9, S16, S17: promote edits one line and keeps the file's own form ----------------


@pytest.mark.parametrize("question", ["yes", "no", "on", "off", "Yes", "OFF", "True"])
def test_promote_quotes_words_the_loader_reads_as_booleans(knowledge: Path, question: str) -> None:
    path = promote_question(knowledge, "route.licensing", question)

    assert load_knowledge(knowledge).topics["route.licensing"].questions[-1] == question
    assert added_lines(ROUTES_YAML, path.read_text(encoding="utf-8")) == [f'      - "{question}"']


def test_a_refused_promote_says_its_line_numbers_are_those_of_the_edited_version(
    knowledge: Path,
) -> None:
    with pytest.raises(ReviewError) as raised:
        promote_question(knowledge, "route.licensing", "What is MEDICIS?")

    message = str(raised.value)
    assert "routes.yaml:11:" in message  # a line only the edited version has, so …
    assert "edited version" in message and "new example at line 11 of routes.yaml" in message


COMMENTED_YAML = ROUTES_YAML.replace(
    """      - "licensing terms for CERN inventions"  # from a hospital
    aliases""",
    """      - "licensing terms for CERN inventions"  # from a hospital
      # - commented-out example
    # the answer below was reviewed by legal
    aliases""",
)


DEEP_COMMENT_YAML = ROUTES_YAML.replace(
    """      - "licensing terms for CERN inventions"  # from a hospital
    aliases""",
    """      - "licensing terms for CERN inventions"  # from a hospital
        # asked twice in 2024, both times by hospitals
    aliases""",
)


@pytest.mark.parametrize(
    ("source", "comments_after"),
    [
        (
            COMMENTED_YAML,
            ["      # - commented-out example", "    # the answer below was reviewed by legal"],
        ),
        (DEEP_COMMENT_YAML, ["        # asked twice in 2024, both times by hospitals"]),
    ],
    ids=["comments-of-the-next-key", "comment-indented-under-the-last-example"],
)
def test_promote_inserts_right_after_the_last_example_before_trailing_comments(
    knowledge: Path, source: str, comments_after: list[str]
) -> None:
    routes = knowledge / "topics" / "routes.yaml"
    routes.write_text(source, encoding="utf-8")

    promote_question(knowledge, "route.licensing", "licence for a detector")

    lines = routes.read_text(encoding="utf-8").splitlines()
    at = lines.index("      - licence for a detector")
    assert lines[at - 1].startswith('      - "licensing terms for CERN inventions"')
    assert lines[at + 1 : at + 1 + len(comments_after)] == comments_after
    assert added_lines(source, "\n".join(lines)) == ["      - licence for a detector"]


MIXED_OFFSETS_YAML = """\
topics:
  - id: route.licensing
    title: Licensing CERN technology
    category: partnering
    questions:
    - How can my company license a CERN technology?
    - patent licence from CERN
    - licensing terms for CERN inventions
    answer: Companies can license CERN technologies through the **KT group**.
    contacts: [kt]
  - id: route.contact
    title: Contact the KT team
    category: partnering
    questions:
      - how do I reach the knowledge transfer team
      - contact a person at CERN KT
      - who can I email at knowledge transfer
    answer: Use the KT web site.
    contacts: [kt]
"""


@pytest.mark.parametrize(
    ("topic", "line"),
    [
        ("route.licensing", "    - a licence for a detector"),
        ("route.contact", "      - a licence for a detector"),
    ],
)
def test_promote_keeps_zero_offset_and_indented_lists_as_they_are(
    knowledge: Path, topic: str, line: str
) -> None:
    routes = knowledge / "topics" / "routes.yaml"
    routes.write_text(MIXED_OFFSETS_YAML, encoding="utf-8")

    promote_question(knowledge, topic, "a licence for a detector")

    assert added_lines(MIXED_OFFSETS_YAML, routes.read_text(encoding="utf-8")) == [line]


def test_promote_keeps_crlf_line_endings_and_the_byte_order_mark(knowledge: Path) -> None:
    routes = knowledge / "topics" / "routes.yaml"
    before = b"\xef\xbb\xbf" + ROUTES_YAML.replace("\n", "\r\n").encode("utf-8")
    routes.write_bytes(before)

    promote_question(knowledge, "route.licensing", "licence for a detector")

    after = routes.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf# Partnering routes.")
    assert after.count(b"\n") == after.count(b"\r\n") == before.count(b"\r\n") + 1
    assert after.replace(b"      - licence for a detector\r\n", b"", 1) == before


# --- S10: stats title ---------------------------------------------------------------------


def test_stats_group_table_title_counts_every_open_question_not_the_top_five(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    unrelated = (
        "where can I park my car",
        "is there a job opening for medical physicists",
        "cafeteria menu today",
        "weather in Geneva tomorrow",
        "how much is a taxi from the airport",
        "can I bring my dog",
        "quantum computing courses",
        "school visit booking",
    )
    record(settings, *((q, fallback(), RECENT) for q in unrelated))

    assert ktbot(settings, "stats") == 0

    out = capsys.readouterr().out
    assert "8 open unanswered question(s) in 8 group(s)" in out
    assert "5 largest group(s) shown" in out


# --- S13: CSV export ----------------------------------------------------------------------


def test_export_writes_dates_excel_reads_as_dates(settings: Settings, tmp_path: Path) -> None:
    asked = datetime(2026, 12, 1, 13, 33, 17, 466564, tzinfo=UTC)
    record(settings, ("qwzx zorble", fallback(), asked))
    target = tmp_path / "u.csv"

    assert ktbot(settings, "unanswered", "export", "--csv", str(target)) == 0

    with target.open(encoding="utf-8-sig", newline="") as handle:
        (row,) = csv.DictReader(handle)
    assert row["asked_at"] == "2026-12-01 13:33:17"  # no T, no offset: a date in Excel


def test_export_refuses_to_replace_a_file_without_force(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record(settings, ("qwzx zorble", fallback(), RECENT))
    target = tmp_path / "u.csv"
    target.write_text("last week's notes\n", encoding="utf-8")

    assert ktbot(settings, "unanswered", "export", "--csv", str(target)) == 1

    err = capsys.readouterr().err
    assert err.startswith("ktbot: ") and "exists" in err and "--force" in err
    assert target.read_text(encoding="utf-8") == "last week's notes\n"
    assert ktbot(settings, "unanswered", "export", "--csv", str(target), "--force") == 0
    assert "qwzx zorble" in target.read_text(encoding="utf-8-sig")


# --- S18: --since -------------------------------------------------------------------------


@pytest.mark.parametrize("age", ["200000w", "99999999999w", "9" * 40 + "d"])
def test_a_huge_since_is_one_usage_line_not_a_crash(
    settings: Settings, age: str, capsys: pytest.CaptureFixture[str]
) -> None:
    record(settings, ("qwzx zorble", fallback(), RECENT))
    with pytest.raises(SystemExit) as raised:
        ktbot(settings, "unanswered", "list", "--since", age)

    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert "too long" in err and "'all'" in err
    assert "Traceback" not in err


def test_since_accepts_minutes(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    record(settings, ("qwzx zorble", fallback(), datetime.now(UTC)))

    assert ktbot(settings, "unanswered", "list", "--since", "30m", "--json") == 0

    assert "qwzx zorble" in capsys.readouterr().out
    assert review.parse_duration("30m").total_seconds() == 1800


# --- S21: a chat that records nothing says so ---------------------------------------------


def test_a_chat_without_a_database_never_says_it_noted_the_question(
    tmp_path: Path, tiny_kb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "file").write_text("not a directory", encoding="utf-8")
    monkeypatch.delenv("KTBOT_SECRET", raising=False)
    no_db = Settings(knowledge_dir=tiny_kb, db_path=tmp_path / "file" / "db.sqlite3", secret=None)
    out = io.StringIO()

    code = asyncio.run(chat(no_db, tiny_kb, io.StringIO("qwzx zorble plover\n"), out))

    assert code == 0
    assert "noted your question" not in out.getvalue()
    assert "will not reach the Knowledge Transfer team" in out.getvalue()


# --- S14: `ktbot check` points at the line to fix -----------------------------------------


def test_a_missing_colon_is_reported_at_its_own_line_in_plain_words(tmp_path: Path) -> None:
    path = tmp_path / "radioisotopes.yaml"
    path.write_text(
        "topics:\n"
        "  - id: project.medicis\n"
        "    title: CERN-MEDICIS\n"
        "    category projects\n"  # line 4: the colon is missing here
        "    questions:\n"
        "      - what is medicis\n",
        encoding="utf-8",
    )

    [problem] = read_yaml(path).problems

    assert problem.line == 4
    assert "':' is missing" in problem.message


@pytest.mark.parametrize(
    ("broken_line", "advice"),
    [
        ("\t- what is medicis", "a tab is used to indent this line: indent with spaces only"),
        (
            "    answer: Price: 10 CHF a dose",
            "a second ':' in this line's text: put the text in quotes",
        ),
    ],
    ids=["tab", "colon-in-a-one-line-answer"],
)
def test_syntax_errors_staff_make_often_say_what_to_change_at_their_line(
    tmp_path: Path, broken_line: str, advice: str
) -> None:
    path = tmp_path / "radioisotopes.yaml"
    path.write_text(
        f"topics:\n  - id: project.medicis\n    questions:\n      - medicis\n{broken_line}\n",
        encoding="utf-8",
    )

    [problem] = read_yaml(path).problems

    assert problem.line == 5
    assert problem.message.startswith(f"YAML syntax error: {advice}")


def test_an_unquoted_colon_in_a_question_says_to_quote_it(make_kb: KbFactory) -> None:
    broken = TINY_KB_FILES["topics/about.yaml"].replace(
        "- Who is the KT group at CERN?", "- Price: how much does the KT group charge"
    )
    root = make_kb({"topics/about.yaml": broken})

    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(root)

    line = line_of(broken, "- Price:")
    [problem] = [p for p in raised.value.problems if p.line == line]
    assert "questions #2: text with a colon: put the question in quotes" in problem.message
    assert "valid string" not in problem.message


def test_an_empty_answer_is_reported_like_an_empty_quoted_one_at_its_line(
    make_kb: KbFactory,
) -> None:
    empty = TINY_KB_FILES["topics/about.yaml"].replace(
        "answer: Write to the KT office through its contact form.", "answer:"
    )
    quoted = empty.replace("answer:\n", 'answer: ""\n')
    problems = []
    for source in (empty, quoted):
        with pytest.raises(KnowledgeError) as raised:
            load_knowledge(make_kb({"topics/about.yaml": source}))
        [problem] = raised.value.problems
        problems.append((problem.line, problem.message))

    line = line_of(quoted, 'answer: ""')
    expected = (line, "topic 'route.contact': answer: must not be empty")
    assert problems == [expected, expected]


# --- S15: --similar resolves only what the edited knowledge base now answers ----------------

PROTON_QUESTIONS = (
    "how much does a proton therapy session cost in Geneva",
    "what does a proton therapy session cost in Geneva",  # a paraphrase: answered once promoted
    "proton therapy session cost with FLASH radiotherapy electrons",  # grouped, still FLASH
)


def states(settings: Settings, ids: list[int]) -> list[tuple[ReviewState, str | None]]:
    return [review_state(settings, i) for i in ids]


def test_promote_similar_resolves_only_the_paraphrases_now_answered_and_lists_the_rest(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = record(
        settings, *((q, fallback(("route.contact", 0.2)), RECENT) for q in PROTON_QUESTIONS)
    )
    asked, paraphrase, other = ids
    assert ktbot(settings, "unanswered", "groups", "--json") == 0
    assert set(json.loads(capsys.readouterr().out)[0]["ids"]) == set(ids)  # one group

    code = ktbot(
        settings, "unanswered", "promote", str(asked), "--topic", "route.contact", "--similar"
    )

    assert code == 0
    resolved = (ReviewState.RESOLVED, "route.contact")
    assert states(settings, ids) == [resolved, resolved, (ReviewState.OPEN, None)]
    out = capsys.readouterr().out
    assert f"also resolved 1 similar question(s) by route.contact: #{paraphrase}\n" in out
    assert "left open 1 similar question(s) the knowledge base does not answer" in out
    assert f"#{other} {PROTON_QUESTIONS[2]!r}: answered with project.flash" in out


def test_dry_runs_show_what_would_be_resolved_and_change_nothing(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    ids = record(
        settings, *((q, fallback(("route.contact", 0.2)), RECENT) for q in PROTON_QUESTIONS)
    )
    asked, paraphrase, other = ids
    files = {p: p.read_bytes() for p in settings.knowledge_dir.rglob("*.yaml")}
    untouched = [(ReviewState.OPEN, None)] * 3

    code = ktbot(
        settings,
        "unanswered",
        "promote",
        str(asked),
        "--topic",
        "route.contact",
        "--similar",
        "--dry-run",
    )

    assert code == 0
    assert {p: p.read_bytes() for p in settings.knowledge_dir.rglob("*.yaml")} == files
    assert states(settings, ids) == untouched
    out = capsys.readouterr().out
    assert "dry run, nothing changed" in out
    assert f"would also resolve 1 similar question(s) by route.contact: #{paraphrase}\n" in out
    assert "would leave open 1 similar question(s)" in out and f"#{other} " in out

    # resolve: tiny_kb as it is answers none of them with route.contact.
    code = ktbot(
        settings,
        "unanswered",
        "resolve",
        str(asked),
        "--topic",
        "route.contact",
        "--similar",
        "--dry-run",
    )

    assert code == 0
    assert states(settings, ids) == untouched
    out = capsys.readouterr().out
    assert f"#{asked} would be resolved by route.contact" in out
    assert "would leave open 2 similar question(s)" in out and "also resolve" not in out
