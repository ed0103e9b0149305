"""Loading is strict and helpful.

Every problem is reported as `path:line: message`, pointing at the line staff must edit,
and all problems are reported at once rather than only the first.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from intents.knowledge.errors import KnowledgeError, Problem
from intents.knowledge.loader import load_knowledge
from intents.knowledge.models import MatchingSettings
from intents.text.normalize import question_key
from tests.conftest import TINY_KB_FILES, TINY_KB_TOPIC_IDS, KbFactory, dedent, write_kb
from tests.knowledge_problems import line_of, only_problem, problems_of, where

# --- the happy path -----------------------------------------------------------------------


def test_topics_contacts_and_categories_are_loaded_from_files_in_sub_folders(
    tiny_kb: Path,
) -> None:
    kb = load_knowledge(tiny_kb)

    assert tuple(kb.topics) == TINY_KB_TOPIC_IDS
    assert set(kb.contacts) == {"kt-office", "medicis-team"}
    assert set(kb.categories) == {"about", "projects"}
    flash = kb.topic("project.flash")
    assert flash.title == "FLASH radiotherapy"
    assert flash.questions[0] == "What is FLASH therapy?"
    assert flash.links[0].url == "https://kt.cern/flash"
    assert flash.reviewed is not None and flash.reviewed.isoformat() == "2024-05-01"
    assert kb.contacts["medicis-team"].email == "medicis.contact@cern.ch"
    assert kb.root == tiny_kb


def test_topics_keep_the_order_of_files_and_of_entries_within_a_file(make_kb: KbFactory) -> None:
    root = make_kb(
        {
            "topics/aaa-first.yaml": """
                topics:
                  - id: zz.last-id-first-file
                    title: Listed first
                    category: about
                    questions: [alpha one, alpha two, alpha three]
                    answer: First.
            """
        }
    )

    assert tuple(load_knowledge(root).topics) == ("zz.last-id-first-file", *TINY_KB_TOPIC_IDS)


def test_topic_files_point_to_the_file_that_defines_each_topic(tiny_kb: Path) -> None:
    kb = load_knowledge(tiny_kb)

    assert kb.topic_files["route.contact"] == (tiny_kb / "topics/about.yaml").resolve()
    assert kb.topic_files["project.medicis"] == (tiny_kb / "topics/projects/medical.yaml").resolve()
    assert set(kb.topic_files) == set(kb.topics)


def test_one_file_may_mix_every_section_and_use_the_yml_extension(tmp_path: Path) -> None:
    root = write_kb(
        tmp_path,
        {
            "all-in-one.yml": """
                settings:
                  answer_threshold: 0.7
                  clarify_threshold: 0.4
                categories:
                  - {id: about, title: About, description: This assistant.}
                contacts:
                  - {id: kt, name: KT, url: "https://kt.cern/"}
                topics:
                  - id: about.bot
                    title: About this bot
                    category: about
                    questions: [who are you, what can you do, what is this bot]
                    answer: I answer questions about CERN medical applications.
                    contacts: [kt]
            """
        },
    )

    kb = load_knowledge(root)

    assert list(kb.topics) == ["about.bot"]
    assert kb.settings.answer_threshold == 0.7
    assert kb.settings.clarify_threshold == 0.4


def test_files_that_are_not_yaml_are_ignored(make_kb: KbFactory) -> None:
    root = make_kb({"README.md": "# topics: [not, yaml]\n", "notes.txt": "topics: oops\n"})

    assert tuple(load_knowledge(root).topics) == TINY_KB_TOPIC_IDS


def test_files_saved_with_a_byte_order_mark_and_windows_line_endings_load(
    tiny_kb: Path,
) -> None:
    path = tiny_kb / "contacts.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))

    assert set(load_knowledge(tiny_kb).contacts) == {"kt-office", "medicis-team"}


def test_default_matching_settings_apply_when_no_file_defines_them(tiny_kb: Path) -> None:
    assert load_knowledge(tiny_kb).settings == MatchingSettings()


def test_settings_may_live_in_any_file(make_kb: KbFactory) -> None:
    root = make_kb({"tuning/settings.yaml": "settings:\n  max_alternatives: 2\n"})

    settings = load_knowledge(root).settings

    assert settings.max_alternatives == 2
    assert settings.answer_threshold == MatchingSettings().answer_threshold


def test_an_empty_file_is_allowed_beside_others(make_kb: KbFactory) -> None:
    root = make_kb({"drafts.yaml": "# nothing here yet\n"})

    assert tuple(load_knowledge(root).topics) == TINY_KB_TOPIC_IDS


def test_lookups_follow_topics_to_their_contacts_related_topics_and_category(
    tiny_kb: Path,
) -> None:
    kb = load_knowledge(tiny_kb)
    flash = kb.topic("project.flash")
    medicis = kb.topic("project.medicis")

    assert kb.related_of(flash) == (medicis,)
    assert [c.id for c in kb.contacts_of(medicis)] == ["medicis-team"]
    assert [t.id for t in kb.topics_in("projects")] == ["project.flash", "project.medicis"]
    with pytest.raises(KeyError, match=r"no topic with id 'project\.nope'"):
        kb.topic("project.nope")


def test_question_key_ignores_case_accents_punctuation_and_spacing() -> None:
    assert question_key("What is  FLASH-therapy?") == question_key("what is flash therapy")
    assert question_key("Qu'est-ce que MÉDICIS ?") == question_key("qu’est ce que medicis")


def test_question_key_is_the_matchers_view_so_spelling_variants_are_duplicates() -> None:
    # The matcher cannot tell these apart: listing both under two topics is a contradiction.
    assert question_key("How do I licence a patent?") == question_key("how do i license a patent")
    assert question_key("tumour organisation") == question_key("tumor organization")
    assert question_key("?!") == ""


# --- version ------------------------------------------------------------------------------


def test_version_is_stable_when_nothing_changes(tiny_kb: Path) -> None:
    assert load_knowledge(tiny_kb).version == load_knowledge(tiny_kb).version


def test_version_changes_when_an_answer_changes(tiny_kb: Path) -> None:
    before = load_knowledge(tiny_kb).version
    path = tiny_kb / "topics/about.yaml"
    path.write_text(path.read_text().replace("contact form", "web form"), encoding="utf-8")

    assert load_knowledge(tiny_kb).version != before


def test_version_changes_when_a_file_is_added(make_kb: KbFactory) -> None:
    before = load_knowledge(make_kb()).version
    after = load_knowledge(make_kb({"settings.yaml": "settings: {max_alternatives: 2}\n"}))

    assert after.version != before


def test_version_changes_when_a_topic_moves_to_another_file(make_kb: KbFactory) -> None:
    from tests.conftest import TINY_KB_FILES

    moved = {"topics/elsewhere.yaml": TINY_KB_FILES["topics/about.yaml"]}

    assert (
        load_knowledge(make_kb(moved, drop=("topics/about.yaml",))).version
        != load_knowledge(make_kb()).version
    )


def test_version_does_not_depend_on_where_the_directory_is(
    tiny_kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Logs record the version that answered; a checkout in another folder, or the bot
    # started from another working directory, serves the same knowledge.
    copy = shutil.copytree(tiny_kb, tmp_path / "elsewhere" / "knowledge")
    version = load_knowledge(tiny_kb).version

    assert load_knowledge(copy).version == version
    monkeypatch.chdir(tmp_path)
    assert load_knowledge(Path("knowledge")).version == version


# --- how problems are reported ------------------------------------------------------------


def test_problem_reads_as_path_line_message() -> None:
    problem = Problem(Path("knowledge/topics/a.yaml"), 12, "topic 'x': unknown contact 'y'")

    assert str(problem) == "knowledge/topics/a.yaml:12: topic 'x': unknown contact 'y'"


def test_knowledge_error_counts_its_problems_and_lists_one_per_line() -> None:
    error = KnowledgeError(
        [Problem(Path("b.yaml"), 3, "second"), Problem(Path("a.yaml"), 7, "first")]
    )

    assert str(error).splitlines() == [
        "2 problems in the knowledge base:",
        "a.yaml:7: first",
        "b.yaml:3: second",
    ]


def test_problem_paths_are_relative_to_the_working_directory_when_inside_it(
    make_kb: KbFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_kb({"topics/broken.yaml": "topics: [\n"})
    monkeypatch.chdir(tmp_path)

    problem = only_problem(root)

    assert not problem.path.is_absolute()
    assert str(problem).startswith(f"{root.relative_to(tmp_path)}/topics/broken.yaml:")


# --- directory-level problems -------------------------------------------------------------


def test_missing_directory_is_reported(tmp_path: Path) -> None:
    problem = only_problem(tmp_path / "no-such-dir")

    assert problem.path == tmp_path / "no-such-dir"
    assert problem.message == "knowledge directory not found"


def test_empty_directory_is_reported(tmp_path: Path) -> None:
    (tmp_path / "knowledge").mkdir()

    problem = only_problem(tmp_path / "knowledge")

    assert problem.line == 1
    assert "no .yaml files" in problem.message


def test_directory_without_yaml_files_is_reported(tmp_path: Path) -> None:
    root = write_kb(tmp_path / "knowledge", {"README.md": "# Knowledge\n"})

    assert "no .yaml files" in only_problem(root).message


def test_knowledge_base_without_topics_is_reported(tmp_path: Path) -> None:
    root = write_kb(
        tmp_path / "knowledge",
        {"categories.yaml": "categories:\n  - {id: about, title: About, description: Us.}\n"},
    )

    assert "defines no topics" in only_problem(root).message


def test_a_file_passed_as_the_directory_is_reported(tiny_kb: Path) -> None:
    assert only_problem(tiny_kb / "contacts.yaml").message == "knowledge directory not found"


# --- all problems at once -----------------------------------------------------------------


def test_problems_in_several_files_are_all_reported_at_once_unreadable_files_first(
    make_kb: KbFactory,
) -> None:
    syntax = "topics:\n  - id: x.syntax: colon\n"
    schema = """
        topics:
          - id: x.schema
            title: Schema problems
            category: about
            qestions: [one question, two questions, three questions]
            questions: [four questions, five questions, six questions]
            answer: Text.
    """
    references = """
        topics:
          - id: x.refs
            title: Reference problems
            category: nowhere
            questions: [seven questions, eight questions, nine questions]
            answer: Text.
            contacts: [nobody]
            related: [x.refs]
    """
    contacts = """
        contacts:
          - id: silent
            name: No way to reach
    """
    root = make_kb(
        {
            "topics/c-syntax.yaml": syntax,
            "topics/b-schema.yaml": schema,
            "topics/a-references.yaml": references,
            "contacts-extra.yaml": contacts,
            "settings.yaml": "settings: {answer_threshold: 0.2}\n",
        }
    )

    problems = problems_of(root)

    # The file YAML cannot read comes first (what follows may stem from it), then the
    # rest by file and line.
    assert [where(p, root) for p in problems] == [
        ("topics/c-syntax.yaml", 2),
        ("contacts-extra.yaml", line_of(contacts, "silent")),
        ("settings.yaml", 1),
        ("topics/a-references.yaml", line_of(references, "nowhere")),
        ("topics/a-references.yaml", line_of(references, "nobody")),
        ("topics/a-references.yaml", line_of(references, "related:")),
        ("topics/b-schema.yaml", line_of(schema, "qestions")),
    ]
    assert list(problems[1:]) == sorted(problems[1:])


def test_error_message_lists_every_problem_as_path_line_message(make_kb: KbFactory) -> None:
    root = make_kb(
        {
            "topics/one.yaml": "topics: [\n",
            "topics/two.yaml": "- a list\n",
        }
    )

    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(root)

    head, *lines = str(raised.value).splitlines()
    assert head == "2 problems in the knowledge base:"
    assert lines == [str(p) for p in raised.value.problems]
    assert [where(p, root) for p in raised.value.problems] == [
        ("topics/one.yaml", 2),
        ("topics/two.yaml", 1),
    ]
    assert lines[1] == f"{raised.value.problems[1].path}:1: expected a mapping with " + (
        "`topics:`, `contacts:` or `categories:`"
    )


# --- which files are knowledge ----------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "._about.yaml",  # macOS resource fork (binary in real life)
        ".#about.yaml",  # Emacs lock file
        ".about.yaml",  # hidden by its author
        "about.yaml~",  # editor backup
        ".drafts/about.yaml",
        "topics/.old/about.yml",
        "backup~/about.yaml",
    ],
)
def test_hidden_files_folders_and_editor_backups_are_not_loaded(
    make_kb: KbFactory, name: str
) -> None:
    # Each would otherwise duplicate every topic id or fail to parse.
    copy = dedent(TINY_KB_FILES["topics/about.yaml"])
    root = make_kb({name: copy})

    assert tuple(load_knowledge(root).topics) == TINY_KB_TOPIC_IDS


def test_hidden_files_do_not_change_the_version(make_kb: KbFactory) -> None:
    plain = make_kb()
    with_backup = make_kb({"contacts.yaml~": "contacts: []\n", ".#contacts.yaml": "x: ["})

    assert load_knowledge(with_backup).version == load_knowledge(plain).version


def test_a_knowledge_directory_inside_a_hidden_folder_is_loaded(tmp_path: Path) -> None:
    # Only names below the knowledge root count (think ~/.local/share/ktbot/knowledge).
    root = write_kb(tmp_path / ".local" / "knowledge", TINY_KB_FILES)

    assert tuple(load_knowledge(root).topics) == TINY_KB_TOPIC_IDS


@pytest.mark.parametrize("value", ["on", "no", '"0.3"'])
def test_a_threshold_that_yaml_reads_as_a_boolean_or_string_is_reported(
    make_kb: KbFactory, value: str
) -> None:
    # YAML 1.1 reads `on`/`no` as booleans; taken as 1.0 or 0.0 the bot would silently never
    # answer, or never ask.
    root = make_kb({"settings.yaml": f"settings:\n  answer_threshold: {value}\n"})

    problem = only_problem(root)

    assert where(problem, root) == ("settings.yaml", 2)
    assert problem.message.startswith("settings.answer_threshold:")
    assert "valid number" in problem.message
