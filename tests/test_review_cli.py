"""`ktbot unanswered …` and `ktbot stats`, run in-process through argparse.

Exit codes: 0 done, 1 refused (one line on stderr), 2 usage error.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.review import add_parsers
from bot.settings import Settings
from bot.storage import NewExchange, ReviewState, Storage
from intents.matching.result import Candidate, MatchResult, Outcome

RECENT = datetime.now(UTC) - timedelta(days=1)
OLD = datetime.now(UTC) - timedelta(days=60)


def parser() -> argparse.ArgumentParser:
    # The lead's bot/cli.py does the same: its own parser, our sub-commands.
    root = argparse.ArgumentParser(prog="ktbot")
    add_parsers(root.add_subparsers(metavar="COMMAND"))
    return root


def ktbot(settings: Settings, *argv: str) -> int:
    args = parser().parse_args(argv)
    return args.func(args, settings)


@pytest.fixture
def settings(tmp_path: Path, tiny_kb: Path) -> Settings:
    return Settings(knowledge_dir=tiny_kb, db_path=tmp_path / "data" / "ktbot.sqlite3", secret="s")


def fallback(*nearest: tuple[str, float]) -> MatchResult:
    top = nearest[0][1] if nearest else 0.0
    return MatchResult("q", Outcome.FALLBACK, None, top, tuple(Candidate(*n) for n in nearest))


def record(settings: Settings, *exchanges: tuple[str, MatchResult, datetime]) -> list[int]:
    async def write() -> list[int]:
        async with await Storage.open(settings.db_path) as storage:
            ids = []
            for n, (question, result, at) in enumerate(exchanges):
                new = NewExchange("telegram", f"user-{n % 2}", question, result, "kb-1", at=at)
                ids.append(await storage.record_exchange(new) or 0)
            return ids

    return asyncio.run(write())


def review_state(settings: Settings, exchange_id: int) -> tuple[ReviewState, str | None]:
    async def read() -> tuple[ReviewState, str | None]:
        async with await Storage.open(settings.db_path) as storage:
            item = await storage.unanswered_question(exchange_id)
            assert item is not None
            return item.state, item.topic or item.reason

    return asyncio.run(read())


@pytest.fixture
def questions(settings: Settings) -> list[int]:
    """Three open fallbacks (two about isotope prices), an old one, and an answer."""
    return record(
        settings,
        ("isotope prices", fallback(("project.medicis", 0.41), ("project.flash", 0.2)), RECENT),
        ("price of isotopes", fallback(("project.medicis", 0.38)), RECENT),
        ('=HYPERLINK("http://evil")', fallback(), RECENT),
        ("an old question about visits", fallback(("about.kt-group", 0.3)), OLD),
        ("what is medicis?", MatchResult("q", Outcome.ANSWER, "project.medicis", 0.9), RECENT),
    )


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("ktbot: ")
    return err


# --- list, groups, export -----------------------------------------------------------------


def test_list_json_shows_each_question_with_its_nearest_topics(
    settings: Settings, questions: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert ktbot(settings, "unanswered", "list", "--json") == 0

    items = json.loads(capsys.readouterr().out)

    assert [i["question"] for i in items][-1] == "an old question about visits"
    first = next(i for i in items if i["question"] == "isotope prices")
    assert first["state"] == "open" and first["id"] == questions[0]
    assert first["nearest"] == [
        {"intent": "project.medicis", "score": 0.41},
        {"intent": "project.flash", "score": 0.2},
    ]
    assert "user_key" not in first  # pseudonyms stay in the database


def test_list_in_a_terminal_is_a_table_with_why_it_missed(
    settings: Settings,
    questions: list[int],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "160")  # rich wraps cells to the terminal width
    assert ktbot(settings, "unanswered", "list", "--since", "7d") == 0

    out = capsys.readouterr().out

    assert "isotope prices" in out and "project.medicis 0.41" in out
    assert "an old question" not in out  # older than 7 days


def test_list_by_state(
    settings: Settings, questions: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert ktbot(settings, "unanswered", "ignore", str(questions[2]), "--reason", "spam") == 0
    capsys.readouterr()

    ktbot(settings, "unanswered", "list", "--state", "ignored", "--json")
    ignored = json.loads(capsys.readouterr().out)
    ktbot(settings, "unanswered", "list", "--state", "all", "--json")
    everything = json.loads(capsys.readouterr().out)

    assert [(i["id"], i["reason"]) for i in ignored] == [(questions[2], "spam")]
    assert len(everything) == 4


def test_groups_json_puts_the_largest_group_first(
    settings: Settings, questions: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert ktbot(settings, "unanswered", "groups", "--json") == 0

    groups = json.loads(capsys.readouterr().out)

    assert groups[0]["count"] == 2 and groups[0]["askers"] == 2
    assert sorted(groups[0]["ids"]) == sorted(questions[:2])
    assert groups[0]["nearest_topic"] == "project.medicis"
    assert [g["count"] for g in groups] == [2, 1, 1]


def test_groups_in_a_terminal(
    settings: Settings, questions: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert ktbot(settings, "unanswered", "groups") == 0
    out = capsys.readouterr().out
    assert "4 open unanswered question(s) in 3 group(s)" in out and "2×" in out


def test_export_writes_csv_with_formula_cells_defused(
    settings: Settings, questions: list[int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "unanswered.csv"

    assert ktbot(settings, "unanswered", "export", "--csv", str(target)) == 0

    assert "wrote 4 question(s)" in capsys.readouterr().out
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 4
    by_question = {row["question"]: row for row in rows}
    # A spreadsheet would run this as a formula; the apostrophe keeps it text.
    assert '\'=HYPERLINK("http://evil")' in by_question
    isotopes = by_question["isotope prices"]
    assert (isotopes["nearest_topic"], isotopes["nearest_score"]) == ("project.medicis", "0.4100")


# --- resolve, ignore, promote -------------------------------------------------------------


def test_resolve_marks_the_question_covered_by_an_existing_topic(
    settings: Settings, questions: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    code = ktbot(settings, "unanswered", "resolve", str(questions[0]), "--topic", "project.medicis")

    assert code == 0
    assert f"#{questions[0]} resolved by project.medicis" in capsys.readouterr().out
    assert review_state(settings, questions[0]) == (ReviewState.RESOLVED, "project.medicis")


def test_resolve_checks_the_topic_exists(
    settings: Settings, questions: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    code = ktbot(settings, "unanswered", "resolve", str(questions[0]), "--topic", "project.medics")

    assert code == 1
    assert "unknown topic 'project.medics' (did you mean project.medicis" in one_error_line(capsys)
    assert review_state(settings, questions[0]) == (ReviewState.OPEN, None)


@pytest.mark.parametrize(
    "action",
    [
        ("resolve", "--topic", "project.medicis"),
        ("ignore", "--reason", "spam"),
        ("promote", "--topic", "project.medicis"),
    ],
)
def test_unknown_id_is_a_one_line_error(
    settings: Settings,
    questions: list[int],
    capsys: pytest.CaptureFixture[str],
    action: tuple[str, ...],
) -> None:
    name, *options = action
    assert ktbot(settings, "unanswered", name, "4242", *options) == 1
    assert "no unanswered question #4242" in one_error_line(capsys)


def test_an_answered_exchange_is_not_an_unanswered_question(
    settings: Settings, questions: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert ktbot(settings, "unanswered", "ignore", str(questions[4]), "--reason", "x") == 1
    assert "not a fallback" in one_error_line(capsys)


def test_an_ignored_question_cannot_be_resolved_or_promoted(
    settings: Settings, questions: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    routes = settings.knowledge_dir / "topics" / "projects" / "medical.yaml"
    before = routes.read_bytes()
    ktbot(settings, "unanswered", "ignore", str(questions[1]), "--reason", "duplicate")
    capsys.readouterr()

    resolve = ktbot(
        settings, "unanswered", "resolve", str(questions[1]), "--topic", "project.flash"
    )
    assert resolve == 1 and "stays ignored" in one_error_line(capsys)
    promote = ktbot(
        settings, "unanswered", "promote", str(questions[1]), "--topic", "project.flash"
    )
    assert promote == 1 and "stays ignored" in one_error_line(capsys)

    assert routes.read_bytes() == before
    assert review_state(settings, questions[1]) == (ReviewState.IGNORED, "duplicate")


def test_promote_adds_the_question_to_the_topic_and_resolves_it(
    settings: Settings, questions: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    medical = settings.knowledge_dir / "topics" / "projects" / "medical.yaml"

    code = ktbot(settings, "unanswered", "promote", str(questions[0]), "--topic", "project.medicis")

    assert code == 0
    out = capsys.readouterr().out
    assert "added 'isotope prices' to topic project.medicis" in out
    assert "      - isotope prices\n" in medical.read_text(encoding="utf-8")
    assert review_state(settings, questions[0]) == (ReviewState.RESOLVED, "project.medicis")


def test_promote_that_would_break_the_knowledge_base_changes_nothing(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [exchange_id] = record(settings, ("What is MEDICIS?", fallback(), RECENT))
    about = settings.knowledge_dir / "topics" / "about.yaml"
    before = about.read_bytes()

    code = ktbot(settings, "unanswered", "promote", str(exchange_id), "--topic", "route.contact")

    assert code == 1
    err = capsys.readouterr().err
    assert "'What is MEDICIS?' is also under topic" in err
    assert str(about) in err and "ktbot-promote" not in err  # real paths, not the scratch copy
    assert about.read_bytes() == before
    assert review_state(settings, exchange_id) == (ReviewState.OPEN, None)


# --- stats --------------------------------------------------------------------------------


def test_stats_json_reports_rates_topics_and_unanswered_groups(
    settings: Settings, questions: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert ktbot(settings, "stats", "--json") == 0  # default: the last 30 days

    data = json.loads(capsys.readouterr().out)

    assert (data["total"], data["answered"], data["fallback"]) == (4, 1, 3)
    assert data["rates"]["fallback"] == 0.75
    assert data["top_topics"] == [{"topic": "project.medicis", "count": 1}]
    assert data["unanswered_groups"][0]["count"] == 2
    assert sum(w["total"] for w in data["weekly"]) == 4


def test_stats_since_all_includes_old_exchanges(
    settings: Settings, questions: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert ktbot(settings, "stats", "--since", "all", "--json") == 0
    assert json.loads(capsys.readouterr().out)["total"] == 5


def test_stats_in_a_terminal(
    settings: Settings, questions: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    assert ktbot(settings, "stats", "--since", "2w") == 0
    out = capsys.readouterr().out
    assert "4 question(s)" in out and "Top topics" in out and "By week" in out


def served(topic: str) -> MatchResult:
    return MatchResult("q", Outcome.ANSWER, topic, 0.9)


def test_stats_name_the_stale_topics_users_were_served_most(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    # tiny_kb: project.flash reviewed 2024-05-01 (due 2025-05-01, long past); project.medicis
    # has no review date, so it is never stale however often it is read.
    record(
        settings,
        *[("what is flash", served("project.flash"), RECENT)] * 2,
        *[("what is medicis", served("project.medicis"), RECENT)] * 3,
        ("flash long ago", served("project.flash"), OLD),
    )

    assert ktbot(settings, "stats", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert ktbot(settings, "stats") == 0
    out = capsys.readouterr().out

    assert data["stale_topics"] == [
        {
            "topic": "project.flash",
            "served": 2,
            "review_due": "2025-05-01",
            "why": "reviewed 2024-05-01 + 12 months",
        }
    ]
    assert "Due for review, most served first" in out
    assert re.search(r"project\.flash\s+2\s+2025-05-01", out), out


def test_stats_still_show_usage_when_the_knowledge_base_is_broken(
    settings: Settings, questions: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    (settings.knowledge_dir / "topics" / "broken.yaml").write_text("topics: [", encoding="utf-8")

    assert ktbot(settings, "stats", "--json") == 0

    out, err = capsys.readouterr()
    assert json.loads(out)["total"] == 4 and json.loads(out)["stale_topics"] == []
    assert err == (
        "ktbot: stale topics not shown: 1 problem(s) in the knowledge base (run ktbot check)\n"
    )


# --- usage and environment errors ---------------------------------------------------------


def test_a_bad_duration_is_a_usage_error_that_says_what_works(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        ktbot(settings, "stats", "--since", "7 days")
    assert raised.value.code == 2
    assert "invalid duration '7 days'" in capsys.readouterr().err


def test_a_missing_database_is_reported_not_created(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ktbot(settings, "unanswered", "list") == 1
    assert "no database at" in one_error_line(capsys)
    assert not settings.db_path.exists()


def test_unanswered_without_an_action_prints_usage(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert ktbot(settings, "unanswered") == 2
    assert "list" in capsys.readouterr().err


def test_resolve_similar_resolves_those_of_the_group_groups_shows_that_are_now_answered(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    # A star around its centre: the third is like the centre, not like the first question.
    first, centre, third, unrelated = record(
        settings,
        ("isotope prices", fallback(("project.medicis", 0.4)), RECENT),
        ("isotope prices for hospitals clinics", fallback(("project.medicis", 0.4)), RECENT),
        ("hospitals clinics", fallback(("project.medicis", 0.3)), RECENT),
        ("visiting the accelerator", fallback(("about.kt-group", 0.3)), RECENT),
    )
    assert ktbot(settings, "unanswered", "groups", "--json") == 0
    groups = json.loads(capsys.readouterr().out)
    shown = next(g for g in groups if first in g["ids"])

    code = ktbot(
        settings, "unanswered", "resolve", str(first), "--topic", "project.medicis", "--similar"
    )

    assert code == 0
    resolved = {
        q
        for q in (first, centre, third, unrelated)
        if review_state(settings, q)[0] is ReviewState.RESOLVED
    }
    assert set(shown["ids"]) == {first, centre, third}
    # "hospitals clinics" is in the group but tiny_kb still does not answer it (S15).
    assert resolved == {first, centre}
    out = capsys.readouterr().out
    assert f"also resolved 1 similar question(s) by project.medicis: #{centre}" in out
    assert f"#{third} 'hospitals clinics': no answer" in out


def test_export_files_start_with_a_byte_order_mark_so_excel_reads_accents(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record(settings, ("Naïve café question — ¿Cuánto cuesta?", fallback(), RECENT))
    target = tmp_path / "unanswered.csv"

    assert ktbot(settings, "unanswered", "export", "--csv", str(target)) == 0

    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,")  # UTF-8 BOM: Excel then reads UTF-8
    assert "Naïve café question — ¿Cuánto cuesta?" in raw.decode("utf-8-sig")


def test_export_to_stdout_has_a_byte_order_mark_only_with_excel(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    record(settings, ("café", fallback(), RECENT))

    assert ktbot(settings, "unanswered", "export", "--csv", "-") == 0
    plain = capsys.readouterr().out
    assert ktbot(settings, "unanswered", "export", "--csv", "-", "--excel") == 0
    excel = capsys.readouterr().out

    assert plain.startswith("id,")
    assert excel == "\ufeff" + plain


# --- languages ----------------------------------------------------------------------------


@pytest.fixture
def multilingual(settings: Settings) -> None:
    """A French and a German question, and one recorded before languages were."""

    async def write() -> None:
        async with await Storage.open(settings.db_path) as storage:
            for question, language in (
                ("Quel est le prix des isotopes ?", "fr"),
                ("Was kosten die Isotope?", "de"),
                ("isotope prices", None),
            ):
                result = fallback(("project.medicis", 0.3))
                new = NewExchange("telegram", "u", question, result, "kb-1", at=RECENT)
                await storage.record_exchange(replace(new, language=language))

    asyncio.run(write())


def test_list_shows_the_language_of_each_question(
    settings: Settings,
    multilingual: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    ktbot(settings, "unanswered", "list", "--json")
    items = json.loads(capsys.readouterr().out)
    ktbot(settings, "unanswered", "list")
    table = capsys.readouterr().out

    assert {i["question"]: i["language"] for i in items} == {
        "Quel est le prix des isotopes ?": "fr",
        "Was kosten die Isotope?": "de",
        "isotope prices": None,
    }
    assert "Lang" in table
    assert any(" fr " in line and "Quel est le prix" in line for line in table.splitlines())


def test_export_and_groups_carry_the_language(
    settings: Settings, multilingual: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "unanswered.csv"
    ktbot(settings, "unanswered", "export", "--csv", str(target))
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    capsys.readouterr()
    ktbot(settings, "unanswered", "groups", "--json")
    groups = json.loads(capsys.readouterr().out)

    assert {row["question"]: row["language"] for row in rows}["Was kosten die Isotope?"] == "de"
    assert {row["question"]: row["language"] for row in rows}["isotope prices"] == ""
    assert sorted(language for g in groups for language in g["languages"]) == ["de", "fr"]


def test_stats_count_questions_per_language(
    settings: Settings, multilingual: None, capsys: pytest.CaptureFixture[str]
) -> None:
    ktbot(settings, "stats", "--json")
    data = json.loads(capsys.readouterr().out)
    ktbot(settings, "stats")
    out = capsys.readouterr().out

    assert data["languages"] == {"": 1, "de": 1, "fr": 1}
    assert "Languages of the questions" in out and "(not recorded)" in out
