"""What `ktbot check` (and so every hot reload) refuses or warns about in what topics say.

Each rule is shown on the smallest knowledge base that breaks it, with the `path:line` staff
must open. The length rule is also held against the real reply: the check's bound must
never be below what the bot sends, or an answer could pass the check and still be refused
by Telegram.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.cli import main
from bot.conversation import Reply, ReplyKind
from bot.message_split import telegram_length
from bot.rendering import reply_html
from bot.settings import REPO_KNOWLEDGE_DIR
from bot.storage.migrations import MIGRATIONS
from intents.knowledge.base import KnowledgeBase
from intents.knowledge.content_rules import message_length, shown_contacts
from intents.knowledge.errors import Problem, Severity
from intents.knowledge.id_usage import eval_id_uses, vanished_id_warnings
from intents.knowledge.loader import load_knowledge
from intents.knowledge.models import Topic
from intents.matching.evaluation import LabelledQuestion, evaluate
from intents.matching.matcher import Matcher
from intents.text.limits import TELEGRAM_MESSAGE_LIMIT
from tests.conftest import KbFactory, dedent
from tests.test_loader import line_of, only_problem, problems_of, where


def topic_file(answer: str, *, extra: str = "", topic_id: str = "x.rules") -> str:
    """A topic file with `answer` written as a block, and `extra` fields after it."""
    body = "\n".join(" " * 14 + line for line in answer.splitlines())
    return f"""
        topics:
          - id: {topic_id}
            title: Content rules
            category: about
            questions: [content one, content two, content three]
            answer: |
{body}
            contacts: [kt-office]
{extra}
    """


def warnings_of(root: Path) -> list[Problem]:
    return list(load_knowledge(root).warnings)


# --- length -------------------------------------------------------------------------------


def test_an_answer_too_long_for_telegram_is_an_error_at_its_line_saying_by_how_much(
    make_kb: KbFactory,
) -> None:
    source = topic_file("CERN-MEDICIS produces radioisotopes for research. " * 90)
    root = make_kb({"topics/long.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/long.yaml", line_of(source, "answer:"))
    assert "over Telegram's limit of 4,096" in problem.message
    topic = Topic.model_validate(
        {
            "id": "x.rules",
            "title": "Content rules",
            "category": "about",
            "questions": ["a", "b", "c"],
            "answer": "CERN-MEDICIS produces radioisotopes for research. " * 90,
            "contacts": ["kt-office"],
        }
    )
    contacts = load_knowledge(make_kb()).contacts
    excess = message_length(topic, shown_contacts(topic, contacts)) - TELEGRAM_MESSAGE_LIMIT
    assert f"{excess:,} over" in problem.message


def test_an_answer_that_fits_with_its_title_links_and_contact_passes(
    make_kb: KbFactory,
) -> None:
    root = make_kb({"topics/long.yaml": topic_file("Fits in one message. " * 150)})  # 3,150
    assert "x.rules" in load_knowledge(root).topics


def reply_for(kb: KnowledgeBase, topic: Topic) -> Reply:
    # truncated: the longest form of an answer, with the note that the question was cut.
    return Reply(ReplyKind.ANSWER, kb, topic=topic, truncated=True)


def test_the_length_bound_is_never_below_a_shipped_reply_as_sent() -> None:
    kb = load_knowledge(REPO_KNOWLEDGE_DIR)
    for topic in kb.topics.values():
        sent = telegram_length(reply_html(reply_for(kb, topic)))
        assert sent <= message_length(topic, shown_contacts(topic, kb.contacts)), topic.id


_ANSWER_PIECE = st.sampled_from(
    [
        *("word ", "é ", "👤", "&", "<", "**bold** ", "_it_ ", "[KT](https://kt.cern/x) "),
        *("\n\n", "\n- item ", "\n1. first ", "\n  continued "),
    ]
)


@settings(max_examples=60, deadline=None)
@given(
    answer=st.lists(_ANSWER_PIECE, min_size=1, max_size=200).map("".join),
    title=st.text(min_size=1, max_size=80).filter(str.strip),
    links=st.lists(st.text(min_size=1, max_size=60).filter(str.strip), max_size=4),
    with_contact=st.booleans(),
)
def test_the_length_bound_is_never_below_any_reply_as_sent(
    tiny_kb_loaded: KnowledgeBase,
    answer: str,
    title: str,
    links: list[str],
    with_contact: bool,
) -> None:
    if not answer.strip():
        return
    topic = Topic.model_validate(
        {
            "id": "x.any",
            "title": title,
            "category": "about",
            "questions": ["a", "b", "c"],
            "answer": answer,
            "links": [{"title": t, "url": "https://kt.cern/"} for t in links],
            "contacts": ["medicis-team"] if with_contact else [],
        }
    )
    kb = dataclasses.replace(tiny_kb_loaded, topics={**tiny_kb_loaded.topics, topic.id: topic})
    sent = telegram_length(reply_html(reply_for(kb, topic)))
    assert sent <= message_length(topic, shown_contacts(topic, kb.contacts))


@pytest.fixture(scope="module")
def tiny_kb_loaded(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    from tests.conftest import TINY_KB_FILES, write_kb

    return load_knowledge(write_kb(tmp_path_factory.mktemp("kb") / "knowledge", TINY_KB_FILES))


# --- contact details ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "quoted"),
    [
        ("Write to medicis-orders@cern.ch for isotopes.", "'medicis-orders@cern.ch'"),
        ("Call +41 22 767 0000 for isotopes.", "'+41 22 767 0000'"),
        ("Call 022 767 00 00 for isotopes.", "'022 767 00 00'"),
    ],
)
def test_an_email_address_or_phone_number_no_contact_has_is_an_error(
    make_kb: KbFactory, answer: str, quoted: str
) -> None:
    source = topic_file(answer)
    root = make_kb({"topics/rules.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/rules.yaml", line_of(source, "answer:"))
    assert quoted in problem.message and "never invent a contact" in problem.message


def test_a_contacts_own_email_address_dates_and_figures_are_not_contact_details(
    make_kb: KbFactory,
) -> None:
    answer = (
        "Write to medicis.contact@cern.ch. Between 2010-2017, 1 500 patients, "
        "EUR 2.5 million, dated 01.12.2025, +3 dB."
    )
    root = make_kb({"topics/rules.yaml": topic_file(answer)})
    assert "x.rules" in load_knowledge(root).topics


# --- markup -------------------------------------------------------------------------------


def test_a_raw_html_tag_in_an_answer_is_an_error_pointing_to_the_markup(
    make_kb: KbFactory,
) -> None:
    source = topic_file("<b>Researchers</b> can ask; 3 < 5 and 7 > 2 are prose.")
    root = make_kb({"topics/rules.yaml": source})

    messages = [p.message for p in problems_of(root)]

    assert len(messages) == 2  # <b> and </b>; the comparisons are not tags
    assert all("raw HTML tag" in m and "**bold**" in m for m in messages)
    assert all(where(p, root)[1] == line_of(source, "answer:") for p in problems_of(root))


# --- https --------------------------------------------------------------------------------


def test_http_links_in_answers_links_and_contacts_are_warnings_at_their_line(
    make_kb: KbFactory,
) -> None:
    source = topic_file(
        "See [the old page](http://kt.cern/old). Or http://kt.cern/plain.",
        extra="            links:\n"
        "              - title: Old page\n"
        "                url: http://kt.cern/older\n"
        "            sources: [https://kt.cern/source]",
    )
    contacts = """
        contacts:
          - id: kt-office
            name: CERN Knowledge Transfer group
            url: http://kt.cern/contact
          - id: medicis-team
            name: CERN-MEDICIS facility
            email: medicis.contact@cern.ch
            source: https://kt.cern/medtech/medicis
    """
    root = make_kb({"topics/rules.yaml": source, "contacts.yaml": contacts})

    https = [w for w in warnings_of(root) if "https expected" in w.message]

    assert all(w.severity is Severity.WARNING for w in https)
    assert sorted(where(w, root) for w in https) == [
        ("contacts.yaml", line_of(contacts, "url:")),
        ("topics/rules.yaml", line_of(source, "answer:")),
        ("topics/rules.yaml", line_of(source, "answer:")),
        ("topics/rules.yaml", line_of(source, "url: http://kt.cern/older")),
    ]
    # The address as written, without the sentence's full stop.
    assert any("http://kt.cern/plain is not https" in w.message for w in https)


# --- renamed topics -----------------------------------------------------------------------

RENAMED = """
    topics:
      - id: project.cern-medicis
        former_ids: [project.medicis, project.isotopes]
        title: CERN-MEDICIS
        category: projects
        questions: [What is MEDICIS?, radioisotopes for medical research, isotope source]
        answer: CERN-MEDICIS produces radioisotopes for research.
      - id: project.flash
        title: FLASH radiotherapy
        category: projects
        questions: [What is FLASH therapy?, ultra high dose rate, electron beams for cancer]
        answer: FLASH delivers a radiation dose in under a second.
"""


def test_a_former_id_keeps_reaching_the_renamed_topic(make_kb: KbFactory) -> None:
    kb = load_knowledge(make_kb({"topics/projects/medical.yaml": RENAMED}))

    assert kb.find_topic("project.medicis") is kb.topics["project.cern-medicis"]
    assert kb.current_id("project.isotopes") == "project.cern-medicis"
    assert kb.find_topic("project.flash") is kb.topics["project.flash"]
    assert kb.find_topic("project.gone") is None and "project.medicis" not in kb.topics


def test_a_former_id_that_is_a_live_id_or_claimed_twice_is_an_error(make_kb: KbFactory) -> None:
    clash = RENAMED.replace(
        "        answer: FLASH", "        former_ids: [project.cern-medicis]\n        answer: FLASH"
    ).replace("[project.medicis, project.isotopes]", "[project.medicis, project.flash]")
    twice = RENAMED.replace(
        "        answer: FLASH", "        former_ids: [project.medicis]\n        answer: FLASH"
    )
    cases = {clash: ("is the id of a topic in use", 2), twice: ("already a former id", 1)}
    for source, (message, count) in cases.items():
        root = make_kb({"topics/projects/medical.yaml": source})
        problems = problems_of(root)
        assert len(problems) == count and all(message in p.message for p in problems)
        former_lines = {
            n for n, line in enumerate(dedent(source).splitlines(), 1) if "former_ids" in line
        }
        assert {where(p, root)[1] for p in problems} <= former_lines


def test_a_reference_to_a_former_id_names_the_current_one(make_kb: KbFactory) -> None:
    source = RENAMED + "        related: [project.medicis]\n"
    problem = only_problem(make_kb({"topics/projects/medical.yaml": source}))
    assert "'project.medicis' was renamed: use 'project.cern-medicis'" in problem.message


def test_evaluation_labels_naming_a_former_id_count_for_the_renamed_topic(
    make_kb: KbFactory,
) -> None:
    kb = load_knowledge(make_kb({"topics/projects/medical.yaml": RENAMED}))
    questions = [LabelledQuestion("What is MEDICIS?", frozenset({"project.medicis"}))]

    report = evaluate(Matcher.build(kb), questions)

    assert report.unknown_intents == ()
    assert report.in_scope_accuracy == 1.0


# --- vanished ids -------------------------------------------------------------------------


def write_eval(path: Path, labels: list[object]) -> Path:
    path.write_text(
        "".join(
            json.dumps({"text": f"q{i}", "intent": label}) + "\n" for i, label in enumerate(labels)
        ),
        encoding="utf-8",
    )
    return path


def test_an_id_still_named_by_evaluation_files_but_gone_is_a_warning_with_counts(
    make_kb: KbFactory, tmp_path: Path
) -> None:
    kb = load_knowledge(make_kb({"topics/projects/medical.yaml": RENAMED}))
    evals = write_eval(
        tmp_path / "public.jsonl",
        ["project.flash", "project.old-flash", None, ["project.old-flash", "project.flash"]],
    )

    (warning,) = vanished_id_warnings(kb, eval_id_uses([evals]))

    assert (warning.path, warning.line) == (evals, 2)
    assert warning.severity is Severity.WARNING
    assert "'project.old-flash' no longer exists" in warning.message
    assert "2 evaluation questions (public.jsonl)" in warning.message
    assert "former_ids: [project.old-flash]" in warning.message


def test_former_ids_silence_the_warning(make_kb: KbFactory, tmp_path: Path) -> None:
    kb = load_knowledge(make_kb({"topics/projects/medical.yaml": RENAMED}))
    evals = write_eval(tmp_path / "public.jsonl", ["project.medicis", "project.isotopes"])
    assert vanished_id_warnings(kb, eval_id_uses([evals])) == []


def test_check_warns_about_an_id_the_bots_database_still_names(
    make_kb: KbFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db_path = tmp_path / "ktbot.sqlite3"
    with sqlite3.connect(db_path) as db:
        for migration in MIGRATIONS[:3]:  # the tables that name topics
            for statement in migration.statements:
                db.execute(statement)
        for n, intent in enumerate(["project.old-flash"] * 3 + ["project.flash"]):
            db.execute(
                "INSERT INTO exchanges (asked_at, channel, question, outcome, intent, score, "
                "kb_version) VALUES ('2026-01-01', 'cli', ?, 'answer', ?, 0.5, 'v')",
                (f"q{n}", intent),
            )
    db.close()
    monkeypatch.setenv("KTBOT_DB", str(db_path))
    root = make_kb()
    no_evals = tmp_path / "no-evals"

    assert main(["check", "--knowledge", str(root), "--evals", str(no_evals)]) == 0

    out = capsys.readouterr().out
    (line,) = [line for line in out.splitlines() if "no longer exists" in line]
    assert line.startswith(f"{db_path}:1: warning: topic id 'project.old-flash'")
    assert "3 logged questions (ktbot.sqlite3)" in line


# --- a broken file is the cause -----------------------------------------------------------


def test_a_file_yaml_cannot_read_comes_first_and_what_depends_on_it_is_not_reported(
    make_kb: KbFactory,
) -> None:
    contacts = """
        contacts:
          - id: kt-office
            name: CERN Knowledge Transfer group
        \turl: https://kt.cern/contact
          - id: medicis-team
            name: CERN-MEDICIS facility
            email: medicis.contact@cern.ch
            source: https://kt.cern/medtech/medicis
    """
    unrelated = topic_file("A topic with <b>raw HTML</b>.", topic_id="x.also-broken")
    # a-first.yaml sorts before contacts.yaml: only "causes first" puts the tab on top.
    root = make_kb({"contacts.yaml": contacts, "a-first.yaml": unrelated})

    problems = problems_of(root)

    # The tab is the cause; topics naming kt-office or medicis-team are not "unknown".
    assert where(problems[0], root)[0] == "contacts.yaml"
    assert "YAML syntax error" in problems[0].message
    assert not any("unknown contact" in p.message for p in problems)
    # Problems of their own in other files are still all reported, after the cause.
    assert [where(p, root)[0] for p in problems[1:]] == ["a-first.yaml"] * 2
