"""The `ktbot` command line: check, ask and chat, driven through `main(argv)`.

Every test runs in its own working directory with a clean environment, a throw-away
database and an explicit `--knowledge` directory.
"""

from __future__ import annotations

import asyncio
import getpass
import io
import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.cli import main
from bot.rendering import FALLBACK
from bot.settings import REPO_KNOWLEDGE_DIR
from intents.knowledge.loader import load_knowledge
from tests.conftest import TINY_KB_FILES, KbFactory, write_kb

if TYPE_CHECKING:
    from bot.storage import Exchange

JSON_KEYS = {"question", "outcome", "intent", "score", "alternatives", "suggestions", "answer"}
OUTCOMES = {"answer", "clarify", "fallback"}
PROBLEM_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+): (?P<message>.+)$")
NONSENSE = "zebra quartz lemonade xylophone"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No KTBOT_*/TELEGRAM_* from the developer's shell; writes stay under tmp_path."""
    for name in list(os.environ):
        if name.startswith(("KTBOT_", "TELEGRAM_")):
            monkeypatch.delenv(name)
    db = tmp_path / "data" / "ktbot.sqlite3"
    monkeypatch.setenv("KTBOT_DB", str(db))
    monkeypatch.setenv("KTBOT_SECRET", "test-pseudonym-secret")
    monkeypatch.chdir(tmp_path)
    return db


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: str | bytes) -> None:
    """`data` as stdin; bytes as Python opens stdin under a UTF-8 locale: strict, so a bad
    byte raises."""
    if isinstance(data, bytes):
        stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="strict")
        monkeypatch.setattr(sys, "stdin", stream)
    else:
        monkeypatch.setattr(sys, "stdin", io.StringIO(data))


def run_piped(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stdin: str | bytes,
    *args: str,
) -> str:
    """The output of `ktbot ARGS` with `stdin` piped in, once it has exited with 0."""
    feed_stdin(monkeypatch, stdin)
    assert main(list(args)) == 0
    return capsys.readouterr().out


def json_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


def ask_json(capsys: pytest.CaptureFixture[str], kb: Path, question: str) -> dict[str, object]:
    assert main(["ask", "--json", "--knowledge", str(kb), question]) == 0
    (record,) = json_lines(capsys.readouterr().out)
    return record


# --- check --------------------------------------------------------------------------------


def test_check_passes_on_a_valid_directory_listing_its_warnings_first(
    tiny_kb: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # tiny_kb links to kt.cern without citing it (two warnings) and has no French answers
    # or category titles (one warning for each); nothing is overdue yet.
    code = main(["check", "--knowledge", str(tiny_kb), "--as-of", "2024-06-01"])

    out, err = capsys.readouterr()
    assert code == 0
    *warnings, last = out.splitlines()
    version = load_knowledge(tiny_kb).version
    assert last == f"ok: 4 topics, 2 categories, 2 contacts (version {version}); 4 warnings"
    found = [PROBLEM_LINE.match(line) for line in warnings]
    assert len(found) == 4 and all(m and m["message"].startswith("warning: ") for m in found)
    assert err == ""


def test_check_of_a_directory_without_warnings_prints_one_ok_line(
    make_kb: KbFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_kb({"topics/about.yaml": "topics: []\n"}, drop=("topics/projects/medical.yaml",))
    categories = root / "categories.yaml"
    categories.write_text(
        categories.read_text(encoding="utf-8")
        .replace(
            "description: Who we are and how to reach us.",
            "description: Who we are and how to reach us.\n"
            "    translations: {fr: {title: À propos, description: Qui nous sommes.}}",
        )
        .replace(
            "description: CERN technologies with medical applications.",
            "description: CERN technologies with medical applications.\n"
            "    translations: {fr: {title: Projets, description: Technologies du CERN.}}",
        ),
        encoding="utf-8",
    )
    (root / "topics" / "only.yaml").write_text(
        "topics:\n"
        "  - id: about.only\n"
        "    title: Only\n"
        "    category: about\n"
        "    questions: [only one, only two, only three]\n"
        "    answer: See [the KT site](https://kt.cern/).\n"
        "    sources: [https://kt.cern/about]\n"
        "    translations:\n"
        "      fr: {title: Seul, answer: 'Voir [le site du KT](https://kt.cern/).'}\n",
        encoding="utf-8",
    )

    assert main(["check", "--knowledge", str(root)]) == 0

    version = load_knowledge(root).version
    assert capsys.readouterr() == (
        f"ok: 1 topics, 2 categories, 2 contacts (version {version})\n",
        "",
    )


def test_check_warns_about_a_topic_aged_past_its_review_date_and_still_passes(
    tiny_kb: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # project.flash was reviewed on 2024-05-01: due again 12 months later.
    before = main(["check", "--knowledge", str(tiny_kb), "--as-of", "2025-04-30"])
    out_before = capsys.readouterr().out
    after = main(["check", "--knowledge", str(tiny_kb), "--as-of", "2025-05-01"])
    out_after = capsys.readouterr().out

    assert before == after == 0
    assert "review due" not in out_before
    (stale,) = [line for line in out_after.splitlines() if "review due" in line]
    match = PROBLEM_LINE.match(stale)
    assert match is not None
    assert Path(match["path"]).name == "medical.yaml"
    assert match["message"].startswith(
        "warning: topic 'project.flash': review due since 2025-05-01 (reviewed 2024-05-01"
    )
    assert out_after.splitlines()[-1].endswith("; 5 warnings")


def test_check_rejects_a_source_that_is_not_a_url_or_a_seed_file(
    make_kb: KbFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_kb({"topics/cited.yaml": _cited_topic("intent-catalog.md")})

    assert main(["check", "--knowledge", str(root)]) == 1

    err = capsys.readouterr().err
    assert (
        "cited.yaml:6: topic 'about.cited': sources #1: 'intent-catalog.md' is not a source" in err
    )


def test_check_finds_seed_files_in_the_shared_folder_beside_the_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The layout of a checkout: <work>/<repo>/knowledge and <work>/shared/seeds.
    root = write_kb(tmp_path / "work" / "repo" / "knowledge", TINY_KB_FILES)
    (root / "topics" / "cited.yaml").write_text(_cited_topic("seed:absent.txt"), encoding="utf-8")
    seeds = tmp_path / "work" / "shared" / "seeds"
    seeds.mkdir(parents=True)
    (seeds / "present.txt").write_text("a public page, saved", encoding="utf-8")

    assert main(["check", "--knowledge", str(root)]) == 1
    assert "cited.yaml:6: topic 'about.cited': no file 'absent.txt' in the seeds folder" in (
        capsys.readouterr().err
    )
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "absent.txt").write_text("saved elsewhere", encoding="utf-8")
    assert main(["check", "--knowledge", str(root), "--seeds", str(other)]) == 0


def test_check_without_a_seeds_folder_checks_seed_sources_for_form_only_and_says_so(
    make_kb: KbFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_kb({"topics/cited.yaml": _cited_topic("seed:absent.txt")})

    assert main(["check", "--knowledge", str(root)]) == 0

    assert "note: seed sources not checked against files: no folder " in capsys.readouterr().out


def _cited_topic(source: str) -> str:
    return (
        "topics:\n"
        "  - id: about.cited\n"
        "    title: Cited\n"
        "    category: about\n"
        "    questions: [cited one, cited two, cited three]\n"
        f"    sources: [{source}]\n"
        "    answer: A cited answer.\n"
    )


def test_check_lists_every_problem_as_path_line_message_and_fails(
    make_kb: KbFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_kb(
        {
            "topics/broken.yaml": "topics:\n  - id: x.broken: colon\n",
            "contacts-extra.yaml": "contacts:\n  - id: silent\n    name: Nobody\n",
        }
    )

    code = main(["check", "--knowledge", str(root)])

    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    head, *lines = err.splitlines()
    assert head == "2 problems in the knowledge base:"
    found = [PROBLEM_LINE.match(line) for line in lines]
    assert all(found), lines
    problems = [m for m in found if m and not m["message"].startswith("warning: ")]
    # The file YAML cannot read first: what follows may stem from it.
    assert [(Path(m["path"]).name, int(m["line"])) for m in problems] == [
        ("broken.yaml", 2),
        ("contacts-extra.yaml", 2),
    ]
    # Then the warnings of the same pass (tiny_kb's four), so one run shows everything.
    assert found[2:] != [] and all(m and m["message"].startswith("warning: ") for m in found[2:])
    # Paths are relative to the working directory, so they open with a click.
    assert all(m and (Path.cwd() / m["path"]).is_file() for m in found)


def test_check_reports_a_missing_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check", "--knowledge", str(tmp_path / "nowhere")])

    assert code == 1
    assert "nowhere:1: knowledge directory not found" in capsys.readouterr().err


def test_check_uses_ktbot_knowledge_dir_without_the_option(
    tiny_kb: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KTBOT_KNOWLEDGE_DIR", str(tiny_kb))

    assert main(["check"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("ok: 4 topics")


def test_shipped_knowledge_directory_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    topics = REPO_KNOWLEDGE_DIR / "topics"
    if not any(topics.rglob("*.y*ml")):
        pytest.skip(f"no topic files in {topics} yet")

    code = main(["check", "--knowledge", str(REPO_KNOWLEDGE_DIR)])

    assert code == 0, capsys.readouterr().err


# --- configuration errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("KTBOT_ADMIN_IDS", "@alice"),
        ("KTBOT_STAFF_CHAT_ID", "staff-room"),
        ("KTBOT_RETENTION_DAYS", "forever"),
        ("KTBOT_LOG_LEVEL", "chatty"),
        ("KTBOT_TELEGRAM_API_URL", "localhost:8081"),
    ],
)
def test_malformed_variable_exits_2_with_one_line_naming_it(
    name: str,
    value: str,
    tiny_kb: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(name, value)

    code = main(["check", "--knowledge", str(tiny_kb)])

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert name in err
    assert "Traceback" not in err


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "check" in capsys.readouterr().out


# --- ask ----------------------------------------------------------------------------------


def test_ask_json_prints_the_stable_result_object(
    tiny_kb: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = ask_json(capsys, tiny_kb, "What is MEDICIS?")

    assert set(record) == JSON_KEYS
    assert record["question"] == "What is MEDICIS?"
    assert record["outcome"] == "answer"
    assert record["intent"] == "project.medicis"
    assert isinstance(record["score"], float) and 0 <= record["score"] <= 1
    assert isinstance(record["alternatives"], list)
    for alternative in record["alternatives"]:
        assert set(alternative) == {"intent", "score"}
        assert alternative["intent"] in set(load_knowledge(tiny_kb).topics)
    assert record["answer"] == (
        "CERN-MEDICIS produces non-conventional radioisotopes for research."
    )


def test_ask_json_answer_is_terminal_text_with_urls_spelled_out(
    tiny_kb: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = ask_json(capsys, tiny_kb, "What does the Knowledge Transfer group do?")

    assert record["intent"] == "about.kt-group"
    assert "the KT website (https://kt.cern/)" in str(record["answer"])
    assert "**" not in str(record["answer"])


def test_ask_json_for_an_unrelated_question_falls_back_without_an_answer(
    tiny_kb: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = ask_json(capsys, tiny_kb, NONSENSE)

    assert set(record) == JSON_KEYS
    assert record["outcome"] == "fallback"
    assert record["intent"] is None
    assert record["answer"] is None


def test_ask_joins_the_words_of_an_unquoted_question(
    tiny_kb: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "--json", "--knowledge", str(tiny_kb), "What", "is", "MEDICIS?"]) == 0

    (record,) = json_lines(capsys.readouterr().out)
    assert record["question"] == "What is MEDICIS?"


@pytest.mark.parametrize(
    ("stdin", "questions", "intents"),
    [
        pytest.param(
            f"What is MEDICIS?\n\n   \nWhat is FLASH therapy?\n{NONSENSE}",
            ["What is MEDICIS?", "What is FLASH therapy?", NONSENSE],
            {0: "project.medicis", 1: "project.flash"},
            id="one-question-per-line-skipping-blank-lines",
        ),
        # A Windows-1252 "é" and a stray 0xff, after a valid line: nothing may stop the run.
        pytest.param(
            b"What is MEDICIS?\n\xff bad\ncaf\xe9 FLASH therapy\n",
            ["What is MEDICIS?", "\ufffd bad", "caf\ufffd FLASH therapy"],
            {2: "project.flash"},
            id="every-line-of-undecodable-input",
        ),
    ],
)
def test_ask_json_dash_answers_each_line_of_stdin(
    tiny_kb: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stdin: str | bytes,
    questions: list[str],
    intents: dict[int, str],
) -> None:
    out = run_piped(monkeypatch, capsys, stdin, "ask", "--json", "--knowledge", str(tiny_kb), "-")

    records = json_lines(out)
    assert [r["question"] for r in records] == questions
    assert all(set(r) == JSON_KEYS and r["outcome"] in OUTCOMES for r in records)
    assert {n: records[n]["intent"] for n in intents} == intents


def test_ask_json_keeps_non_ascii_text_readable(
    tiny_kb: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "--json", "--knowledge", str(tiny_kb), "Qu'est-ce que MÉDICIS ?"]) == 0

    out = capsys.readouterr().out
    assert "MÉDICIS" in out
    assert json.loads(out)["question"] == "Qu'est-ce que MÉDICIS ?"


def test_ask_cleans_control_characters_from_the_question(
    tiny_kb: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = ask_json(capsys, tiny_kb, "What\x00 is\x1b MEDICIS?\u200b")

    assert record["question"] == "What is MEDICIS?"


def test_ask_without_json_prints_outcome_intent_score_and_answer(
    tiny_kb: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ask", "--knowledge", str(tiny_kb), "What is MEDICIS?"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert re.match(r"^answer: project\.medicis \(\d\.\d\d\)$", lines[0])
    assert lines[-1] == "CERN-MEDICIS produces non-conventional radioisotopes for research."


def test_ask_records_nothing(
    tiny_kb: Path, clean_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ask_json(capsys, tiny_kb, "What is MEDICIS?")

    assert not clean_environment.exists()


def test_ask_on_a_broken_directory_lists_the_problems_and_fails(
    make_kb: KbFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_kb({"topics/broken.yaml": "- a list\n"})

    code = main(["ask", "--json", "--knowledge", str(root), "What is MEDICIS?"])

    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert re.search(r"broken\.yaml:1: expected a mapping", err)


# --- chat ---------------------------------------------------------------------------------


async def recorded_exchanges(db: Path) -> list[Exchange]:
    from bot.storage import Storage

    storage = await Storage.open(db, create=False)
    try:
        exchanges: list[Exchange] = []
        while (exchange := await storage.exchange(len(exchanges) + 1)) is not None:
            exchanges.append(exchange)
        return exchanges
    finally:
        await storage.close()


def test_chat_answers_each_piped_line_until_quit(
    tiny_kb: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin = f"What is MEDICIS?\n{NONSENSE}\nquit\nWhat is FLASH therapy?\n"

    out = run_piped(monkeypatch, capsys, stdin, "chat", "--knowledge", str(tiny_kb))

    assert "CERN-MEDICIS produces non-conventional radioisotopes for research." in out
    assert FALLBACK in out
    assert "FLASH delivers" not in out  # asked after 'quit'


def test_chat_in_french_answers_and_guides_in_french(
    tiny_kb: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin = f"What is MEDICIS?\n{NONSENSE}\nhelp\n"
    args = ("chat", "--knowledge", str(tiny_kb), "--language", "fr")

    out = run_piped(monkeypatch, capsys, stdin, *args)

    assert "Cette réponse n’existe qu’en anglais." in out  # the tiny base has no French
    assert "Je suis désolé, je n’ai pas de réponse fiable" in out and FALLBACK not in out
    assert "Posez une question avec vos propres mots" in out


def test_chat_records_each_exchange_with_channel_cli(
    tiny_kb: Path,
    clean_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stdin = f"What is MEDICIS?\n\ntopics\n{NONSENSE}\n"

    run_piped(monkeypatch, capsys, stdin, "chat", "--knowledge", str(tiny_kb))

    exchanges = asyncio.run(recorded_exchanges(clean_environment))
    assert [(e.channel, e.question, str(e.outcome)) for e in exchanges] == [
        ("cli", "What is MEDICIS?", "answer"),
        ("cli", NONSENSE, "fallback"),
    ]
    version = load_knowledge(tiny_kb).version
    for exchange in exchanges:
        assert exchange.kb_version == version
        assert exchange.user_key
        assert getpass.getuser() not in exchange.user_key


def test_chat_lists_topics_on_request(
    tiny_kb: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_piped(monkeypatch, capsys, "topics\n", "chat", "--knowledge", str(tiny_kb))

    assert "Medical projects — CERN technologies with medical applications." in out
    assert "project.medicis" in out


def test_chat_offers_choices_and_none_of_these_sends_the_question_to_review(
    tmp_path: Path,
    clean_environment: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.storage import ReviewState, Storage
    from tests.bot_harness import KNOWLEDGE, write_knowledge

    knowledge = write_knowledge(tmp_path / "knowledge", KNOWLEDGE)
    stdin = "superconducting gantry\n0\n"

    out = run_piped(monkeypatch, capsys, stdin, "chat", "--knowledge", str(knowledge))

    assert "0 for none of these" in out
    assert FALLBACK in out

    async def open_questions() -> list[str]:
        storage = await Storage.open(clean_environment, create=False)
        try:
            return [q.question for q in await storage.unanswered(state=ReviewState.OPEN)]
        finally:
            await storage.close()

    assert asyncio.run(open_questions()) == ["superconducting gantry"]


# --- hostile stdin ------------------------------------------------------------------------


def test_chat_answers_every_line_of_undecodable_input(
    tiny_kb: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin = b"What is MEDICIS?\n\xff bad\nWhat is FLASH therapy?\n"

    out = run_piped(monkeypatch, capsys, stdin, "chat", "--knowledge", str(tiny_kb))

    # The undecodable line is answered too (it means nothing: the fallback), in its turn.
    medicis = out.index("CERN-MEDICIS produces non-conventional radioisotopes for research.")
    assert medicis < out.index(FALLBACK) < out.index("FLASH delivers")


@pytest.mark.parametrize("invisible", ["\u00ad", "\u200b", "\u200c\u200d", "\u2060", "\ufeff"])
def test_an_invisible_character_inside_a_word_does_not_split_it(
    tiny_kb: Path, capsys: pytest.CaptureFixture[str], invisible: str
) -> None:
    record = ask_json(capsys, tiny_kb, f"what is MEDI{invisible}CIS")

    assert record["question"] == "what is MEDICIS"
    assert (record["outcome"], record["intent"]) == ("answer", "project.medicis")
