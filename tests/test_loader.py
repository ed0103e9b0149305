"""Loading is strict and helpful.

Every problem is reported as `path:line: message`, pointing at the line staff must edit,
and all problems are reported at once rather than only the first.
"""

from __future__ import annotations

import dataclasses
import itertools
import shutil
import time
from pathlib import Path

import pydantic
import pytest

from intents.errors import KnowledgeError, Problem
from intents.knowledge import KnowledgeBase
from intents.loader import load_knowledge
from intents.models import MatchingSettings
from intents.normalize import question_key
from tests.conftest import TINY_KB_FILES, TINY_KB_TOPIC_IDS, KbFactory, dedent, write_kb

# --- helpers ------------------------------------------------------------------------------


def problems_of(root: Path) -> tuple[Problem, ...]:
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(root)
    return raised.value.problems


def only_problem(root: Path) -> Problem:
    problems = problems_of(root)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def where(problem: Problem, root: Path) -> tuple[str, int]:
    """(file relative to the knowledge root, line) of a problem."""
    path = problem.path if problem.path.is_absolute() else Path.cwd() / problem.path
    return path.resolve().relative_to(root.resolve()).as_posix(), problem.line


def line_of(source: str, needle: str) -> int:
    """The 1-based line of the only line of `source` (as written to disk) containing `needle`."""
    lines = [n for n, text in enumerate(dedent(source).splitlines(), 1) if needle in text]
    assert len(lines) == 1, f"{needle!r} is on lines {lines}"
    return lines[0]


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


# --- immutability -------------------------------------------------------------------------


def test_knowledge_base_mappings_cannot_be_mutated(tiny_kb: Path) -> None:
    kb = load_knowledge(tiny_kb)
    flash = kb.topic("project.flash")

    for mapping, key, value in (
        (kb.topics, "project.new", flash),
        (kb.contacts, "someone", kb.contacts["kt-office"]),
        (kb.categories, "misc", kb.categories["about"]),
        (kb.topic_files, "project.new", tiny_kb),
    ):
        with pytest.raises(TypeError):
            mapping[key] = value  # type: ignore[index]
        with pytest.raises(TypeError):
            del mapping[next(iter(mapping))]  # type: ignore[attr-defined]


def test_knowledge_base_fields_cannot_be_reassigned(tiny_kb: Path) -> None:
    kb = load_knowledge(tiny_kb)

    with pytest.raises(dataclasses.FrozenInstanceError):
        kb.version = "tampered"  # type: ignore[misc]


def test_knowledge_base_is_not_affected_by_changes_to_the_dicts_it_was_built_from(
    tiny_kb: Path,
) -> None:
    loaded = load_knowledge(tiny_kb)
    topics = dict(loaded.topics)
    kb = KnowledgeBase(
        topics=topics,
        contacts=loaded.contacts,
        categories=loaded.categories,
        settings=loaded.settings,
        version="v",
        root=tiny_kb,
    )

    topics.clear()

    assert tuple(kb.topics) == TINY_KB_TOPIC_IDS


def test_models_are_frozen_down_to_their_lists(tiny_kb: Path) -> None:
    kb = load_knowledge(tiny_kb)
    flash = kb.topic("project.flash")

    with pytest.raises(pydantic.ValidationError):
        flash.title = "Changed"  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        flash.links[0].url = "https://example.org/"  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        kb.contacts["kt-office"].url = "https://example.org/"  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        kb.settings.answer_threshold = 0.1  # type: ignore[misc]
    assert isinstance(flash.questions, tuple)
    assert isinstance(flash.related, tuple)


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


# --- YAML-level problems ------------------------------------------------------------------


def test_yaml_syntax_error_is_reported_at_its_line(make_kb: KbFactory) -> None:
    source = """
        topics:
          - id: x.syntax
            title: FLASH: a colon in a plain value
            category: about
    """
    root = make_kb({"topics/broken.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/broken.yaml", line_of(source, "FLASH: a colon"))
    assert problem.message.startswith("YAML syntax error")


def test_unclosed_bracket_is_a_syntax_error_not_a_crash(make_kb: KbFactory) -> None:
    root = make_kb({"topics/broken.yaml": "topics:\n  - questions: [one, two\n"})

    problem = only_problem(root)

    assert where(problem, root)[0] == "topics/broken.yaml"
    assert "YAML syntax error" in problem.message


def test_duplicate_yaml_key_is_reported_at_the_second_key(make_kb: KbFactory) -> None:
    source = """
        topics:
          - id: x.dup-key
            title: First title
            title: Second title
            category: about
            questions: [one question, two questions, three questions]
            answer: Text.
    """
    root = make_kb({"topics/broken.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/broken.yaml", line_of(source, "Second title"))
    assert "duplicate key 'title'" in problem.message


def test_file_that_is_not_utf8_is_reported_at_the_line_of_the_bad_byte(
    make_kb: KbFactory,
) -> None:
    latin1 = "topics:\n  - id: x.latin\n    title: Radioth\u00e9rapie\n".encode("latin-1")
    root = make_kb({"topics/latin1.yaml": latin1})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/latin1.yaml", 3)
    assert "UTF-8" in problem.message


def test_file_that_is_a_list_instead_of_a_mapping_is_reported(make_kb: KbFactory) -> None:
    root = make_kb({"topics/list.yaml": "- id: x.list\n  title: A topic without `topics:`\n"})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/list.yaml", 1)
    assert "expected a mapping" in problem.message


def test_file_that_is_a_bare_string_is_reported(make_kb: KbFactory) -> None:
    root = make_kb({"topics/text.yaml": "just some words\n"})

    assert "expected a mapping" in only_problem(root).message


def test_alias_bomb_fails_fast_with_a_clear_message(make_kb: KbFactory) -> None:
    # "Billion laughs": nine levels of nine aliases expand to 9**9 values from 10 lines.
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    names = "abcdefghij"
    for previous, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    root = make_kb({"bomb.yaml": "\n".join(lines) + "\n"})

    started = time.perf_counter()
    problem = only_problem(root)
    elapsed = time.perf_counter() - started

    assert where(problem, root)[0] == "bomb.yaml"
    assert "alias" in problem.message
    assert elapsed < 5, f"took {elapsed:.1f} s"


def test_deep_nesting_is_refused_at_the_line_where_it_gets_too_deep(
    make_kb: KbFactory,
) -> None:
    levels = 60
    source = "topics:\n" + "".join("  " * depth + "- \n" for depth in range(1, levels)) + "  x\n"
    root = make_kb({"deep.yaml": source})

    problem = only_problem(root)

    assert "nesting deeper than" in problem.message
    assert where(problem, root)[0] == "deep.yaml"
    assert 40 < problem.line < levels + 2


def test_absurd_nesting_fails_fast_instead_of_crashing(make_kb: KbFactory) -> None:
    # 100,000 brackets are 200 kB; composing them recursively overflows the C stack.
    depth = 100_000
    root = make_kb({"deep.yaml": "topics: " + "[" * depth + "]" * depth + "\n"})

    started = time.perf_counter()
    problem = only_problem(root)

    # Newer libyaml refuses this itself ("exceeded maximum nesting depth"); either refusal is fine.
    assert "nesting" in problem.message
    assert time.perf_counter() - started < 5


def test_oversized_file_is_refused_without_parsing(make_kb: KbFactory) -> None:
    root = make_kb({"huge.yaml": "# padding\n" * 250_000})

    problem = only_problem(root)

    assert where(problem, root) == ("huge.yaml", 1)
    assert "larger than" in problem.message


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


# --- schema problems ----------------------------------------------------------------------


def test_misspelt_field_is_reported_at_its_line(make_kb: KbFactory) -> None:
    source = """
        topics:
          - id: x.typo
            title: A typo
            category: about
            qestions: [one question, two questions, three questions]
            answer: Text.
    """
    root = make_kb({"topics/typo.yaml": source})

    problems = problems_of(root)

    typo = [p for p in problems if "qestions" in p.message]
    assert len(typo) == 1
    assert where(typo[0], root) == ("topics/typo.yaml", line_of(source, "qestions"))
    assert typo[0].message.startswith("topic 'x.typo': qestions: unknown field")
    # The real field is then missing, reported at the topic.
    missing = [p for p in problems if "questions: required field is missing" in p.message]
    assert [where(p, root) for p in missing] == [("topics/typo.yaml", line_of(source, "x.typo"))]


def test_misspelt_section_is_reported_at_its_line(make_kb: KbFactory) -> None:
    source = """
        # Contacts of the radiation-protection team
        contact:
          - id: rp
            name: Radiation protection
            url: https://rp.cern/
    """
    root = make_kb({"contacts-rp.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("contacts-rp.yaml", line_of(source, "contact:"))
    assert "unknown field" in problem.message


def test_missing_field_is_reported_at_the_topic_that_lacks_it(make_kb: KbFactory) -> None:
    source = """
        topics:
          - id: x.complete
            title: Complete
            category: about
            questions: [one question, two questions, three questions]
            answer: Text.
          - id: x.no-title
            category: about
            questions: [four questions, five questions, six questions]
            answer: Text.
    """
    root = make_kb({"topics/missing.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/missing.yaml", line_of(source, "x.no-title"))
    assert problem.message == "topic 'x.no-title': title: required field is missing"


def test_missing_field_of_an_entry_without_id_names_its_position(make_kb: KbFactory) -> None:
    source = """
        contacts:
          - id: rp
            name: Radiation protection
            url: https://rp.cern/
          - name: Nameless
            url: https://example.org/
    """
    root = make_kb({"contacts-more.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("contacts-more.yaml", line_of(source, "Nameless"))
    assert problem.message == "contact #2: id: required field is missing"


@pytest.mark.parametrize(
    ("field_line", "expected"),
    [
        ("questions: What is a string?", "questions:"),
        ("reviewed: some day", "reviewed:"),
        ("answer: 42", "answer:"),
        ("contacts: kt-office", "contacts:"),
        ("links: https://kt.cern/", "links:"),
    ],
)
def test_wrong_type_is_reported_at_the_field(
    make_kb: KbFactory, field_line: str, expected: str
) -> None:
    fields = {
        "questions": "questions: [one question, two questions, three questions]",
        "answer": "answer: Text.",
    }
    fields[field_line.split(":")[0]] = field_line
    source = "topics:\n  - id: x.types\n    title: Types\n    category: about\n" + "".join(
        f"    {line}\n" for line in fields.values()
    )
    root = make_kb({"topics/types.yaml": source})

    problems = problems_of(root)

    assert problems, "expected a problem"
    for problem in problems:
        assert where(problem, root) == ("topics/types.yaml", line_of(source, field_line))
        assert problem.message.startswith(f"topic 'x.types': {expected}")


def test_id_with_spaces_or_capitals_is_rejected(make_kb: KbFactory) -> None:
    source = """
        categories:
          - id: Medical Physics
            title: Medical physics
            description: Dosimetry and imaging.
    """
    root = make_kb({"more-categories.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("more-categories.yaml", line_of(source, "Medical Physics"))
    assert "id:" in problem.message


def test_fewer_than_three_questions_is_reported_at_the_questions(make_kb: KbFactory) -> None:
    source = """
        topics:
          - id: x.few
            title: Too few examples
            category: about
            questions:
              - only one question
              - and a second one
            answer: Text.
    """
    root = make_kb({"topics/few.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/few.yaml", line_of(source, "questions:"))
    assert problem.message.startswith("topic 'x.few': questions:")
    assert "at least 3" in problem.message


@pytest.mark.parametrize("answer", ['""', '"   "', "|\n      \n"])
def test_empty_answer_is_reported_at_the_answer(make_kb: KbFactory, answer: str) -> None:
    source = (
        "topics:\n  - id: x.empty\n    title: Empty\n    category: about\n"
        "    questions: [one question, two questions, three questions]\n"
        f"    answer: {answer}\n"
    )
    root = make_kb({"topics/empty.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/empty.yaml", line_of(source, "answer:"))
    assert problem.message == "topic 'x.empty': answer: must not be empty"


def test_blank_example_question_is_reported_at_its_line(make_kb: KbFactory) -> None:
    source = """
        topics:
          - id: x.blank
            title: Blank example
            category: about
            questions:
              - one question
              - "  "
              - three questions
              - four questions
            answer: Text.
    """
    root = make_kb({"topics/blank.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/blank.yaml", line_of(source, '"  "'))
    assert "must not be empty" in problem.message


def test_example_question_without_words_is_reported_at_its_line(make_kb: KbFactory) -> None:
    source = """
        topics:
          - id: x.punct
            title: Punctuation only
            category: about
            questions:
              - one question
              - "?!"
              - three questions
            answer: Text.
    """
    root = make_kb({"topics/punct.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/punct.yaml", line_of(source, '"?!"'))
    assert "has no words" in problem.message


def test_invalid_link_url_is_reported_at_the_url(make_kb: KbFactory) -> None:
    source = """
        topics:
          - id: x.link
            title: Bad link
            category: about
            questions: [one question, two questions, three questions]
            answer: Text.
            links:
              - title: Good
                url: https://kt.cern/
              - title: Not a web address
                url: kt.cern/without-scheme
    """
    root = make_kb({"topics/link.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/link.yaml", line_of(source, "without-scheme"))
    assert problem.message.startswith("topic 'x.link': links.1.url:")
    assert "not a valid http(s) URL" in problem.message


@pytest.mark.parametrize("url", ["ftp://kt.cern/file", "javascript:alert(1)", "https://localhost"])
def test_contact_url_must_be_a_public_http_address(make_kb: KbFactory, url: str) -> None:
    source = f"contacts:\n  - id: odd\n    name: Odd contact\n    url: '{url}'\n"
    root = make_kb({"contacts-odd.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("contacts-odd.yaml", 4)
    assert problem.message.startswith("contact 'odd': url:")


def test_invalid_email_is_reported_at_the_email(make_kb: KbFactory) -> None:
    source = """
        contacts:
          - id: odd
            name: Odd contact
            email: someone-at-cern.ch
    """
    root = make_kb({"contacts-odd.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("contacts-odd.yaml", line_of(source, "email:"))
    assert "not a valid email address" in problem.message


def test_contact_without_url_or_email_is_reported_at_the_contact(make_kb: KbFactory) -> None:
    source = """
        contacts:
          - id: rp
            name: Radiation protection
            url: https://rp.cern/
          - id: unreachable
            name: Nobody in particular
            description: No way to reach them.
    """
    root = make_kb({"contacts-more.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("contacts-more.yaml", line_of(source, "unreachable"))
    assert problem.message == "contact 'unreachable': a contact needs a url or an email"


def test_contact_reachable_by_email_only_is_valid(tiny_kb: Path) -> None:
    medicis = load_knowledge(tiny_kb).contacts["medicis-team"]

    assert medicis.url is None
    assert medicis.email == "medicis.contact@cern.ch"


def test_invalid_link_in_answer_markup_is_reported_at_the_answer(make_kb: KbFactory) -> None:
    source = """
        topics:
          - id: x.markup-link
            title: Markup link
            category: about
            questions: [one question, two questions, three questions]
            answer: |
              Read [the guide](www.kt.cern/guide) first.
    """
    root = make_kb({"topics/markup.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/markup.yaml", line_of(source, "answer:"))
    assert problem.message == (
        "topic 'x.markup-link': answer: link 'the guide' has an invalid URL 'www.kt.cern/guide'"
    )


def test_unbalanced_bold_in_answer_is_reported_at_the_answer(make_kb: KbFactory) -> None:
    source = """
        topics:
          - id: x.bold
            title: Bold
            category: about
            questions: [one question, two questions, three questions]
            answer: "**FLASH is fast."
    """
    root = make_kb({"topics/bold.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/bold.yaml", line_of(source, "answer:"))
    assert "unbalanced '**'" in problem.message


# --- cross-reference problems -------------------------------------------------------------


def test_duplicate_topic_id_is_reported_where_repeated_naming_the_first(
    make_kb: KbFactory, tiny_kb: Path
) -> None:
    source = """
        topics:
          - id: project.flash
            title: FLASH again
            category: projects
            questions: [flash duplicate one, flash duplicate two, flash duplicate three]
            answer: Copy.
    """
    root = make_kb({"topics/zz-copy.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/zz-copy.yaml", line_of(source, "project.flash"))
    assert problem.message.startswith("duplicate topic id 'project.flash' (first defined at ")
    assert problem.message.endswith("topics/projects/medical.yaml:2)")


def test_duplicate_topic_id_within_one_file_is_reported(make_kb: KbFactory) -> None:
    source = """
        topics:
          - id: x.twice
            title: Once
            category: about
            questions: [one question, two questions, three questions]
            answer: Text.
          - id: x.twice
            title: Twice
            category: about
            questions: [four questions, five questions, six questions]
            answer: Text.
    """
    root = make_kb({"topics/twice.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/twice.yaml", 7)
    assert problem.message.endswith("topics/twice.yaml:2)")


def test_duplicate_contact_id_is_reported_where_repeated_naming_the_first(
    make_kb: KbFactory,
) -> None:
    source = """
        contacts:
          - id: kt-office
            name: Another office
            url: https://example.org/
    """
    root = make_kb({"zz-contacts.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("zz-contacts.yaml", line_of(source, "kt-office"))
    assert problem.message.startswith("duplicate contact id 'kt-office' (first defined at ")
    assert problem.message.endswith("contacts.yaml:2)")


def test_duplicate_category_id_is_reported_where_repeated_naming_the_first(
    make_kb: KbFactory,
) -> None:
    source = """
        categories:
          - id: projects
            title: Projects again
            description: A second definition.
    """
    root = make_kb({"zz-categories.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("zz-categories.yaml", line_of(source, "projects"))
    assert problem.message.startswith("duplicate category id 'projects' (first defined at ")
    assert problem.message.endswith("categories.yaml:5)")


def test_same_example_question_under_two_topics_is_reported_ignoring_case_and_punctuation(
    make_kb: KbFactory,
) -> None:
    source = """
        topics:
          - id: x.copycat
            title: Copycat
            category: projects
            questions:
              - something original
              - what is flash therapy
              - another original one
            answer: Text.
    """
    root = make_kb({"topics/zz-copycat.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == (
        "topics/zz-copycat.yaml",
        line_of(source, "what is flash therapy"),
    )
    assert problem.message.startswith(
        "topic 'x.copycat': example question 'what is flash therapy' is also under "
        "topic 'project.flash' ("
    )
    assert problem.message.endswith("topics/projects/medical.yaml:6)")


def test_same_example_question_twice_in_one_topic_is_reported(make_kb: KbFactory) -> None:
    source = """
        topics:
          - id: x.repeat
            title: Repeat
            category: about
            questions:
              - How do I apply?
              - something else
              - how do I apply
            answer: Text.
    """
    root = make_kb({"topics/repeat.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/repeat.yaml", line_of(source, "how do I apply"))
    assert "is also under this topic" in problem.message


def test_unknown_contact_is_reported_with_file_and_line(make_kb: KbFactory) -> None:
    source = """
        topics:
          - id: x.contact
            title: Unknown contact
            category: about
            questions: [one question, two questions, three questions]
            answer: Text.
            contacts:
              - kt-office
              - kt-ofice
    """
    root = make_kb({"topics/contact.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/contact.yaml", line_of(source, "kt-ofice"))
    assert problem.message == (
        "topic 'x.contact': unknown contact 'kt-ofice' (known: kt-office, medicis-team)"
    )


def test_unknown_related_topic_is_reported_with_file_and_line(make_kb: KbFactory) -> None:
    source = """
        topics:
          - id: x.related
            title: Unknown related
            category: about
            questions: [one question, two questions, three questions]
            answer: Text.
            related: [project.flash, project.flesh]
    """
    root = make_kb({"topics/related.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/related.yaml", line_of(source, "related:"))
    assert problem.message == "topic 'x.related': unknown related topic 'project.flesh'"


def test_topic_related_to_itself_is_reported(make_kb: KbFactory) -> None:
    source = """
        topics:
          - id: x.narcissus
            title: Self-related
            category: about
            questions: [one question, two questions, three questions]
            answer: Text.
            related:
              - x.narcissus
    """
    root = make_kb({"topics/self.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/self.yaml", line_of(source, "- x.narcissus"))
    assert problem.message == "topic 'x.narcissus': a topic cannot be related to itself"


def test_unknown_category_is_reported_with_file_and_line(make_kb: KbFactory) -> None:
    source = """
        topics:
          - id: x.category
            title: Unknown category
            category: project
            questions: [one question, two questions, three questions]
            answer: Text.
    """
    root = make_kb({"topics/category.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/category.yaml", line_of(source, "category:"))
    assert problem.message == (
        "topic 'x.category': unknown category 'project' (known: about, projects)"
    )


def test_references_may_point_to_entries_in_later_files(tmp_path: Path) -> None:
    root = write_kb(
        tmp_path / "knowledge",
        {
            "a-topics.yaml": """
                topics:
                  - id: a.first
                    title: First
                    category: zz
                    questions: [one question, two questions, three questions]
                    answer: Text.
                    contacts: [zz-contact]
                    related: [b.second]
            """,
            "b-topics.yaml": """
                topics:
                  - id: b.second
                    title: Second
                    category: zz
                    questions: [four questions, five questions, six questions]
                    answer: Text.
            """,
            "z-refs.yaml": """
                categories: [{id: zz, title: Last, description: Defined last.}]
                contacts: [{id: zz-contact, name: Last, email: last@example.org}]
            """,
        },
    )

    assert list(load_knowledge(root).topics) == ["a.first", "b.second"]


# --- settings problems --------------------------------------------------------------------


def test_settings_defined_in_two_files_is_reported_at_the_second(make_kb: KbFactory) -> None:
    root = make_kb(
        {
            "a-settings.yaml": "settings:\n  answer_threshold: 0.6\n",
            "b-settings.yaml": "# tuned later\nsettings:\n  answer_threshold: 0.7\n",
        }
    )

    problem = only_problem(root)

    assert where(problem, root) == ("b-settings.yaml", 2)
    assert "`settings:` is defined in more than one file" in problem.message


def test_clarify_threshold_above_answer_threshold_is_reported(make_kb: KbFactory) -> None:
    source = """
        # Matching thresholds
        settings:
          answer_threshold: 0.4
          clarify_threshold: 0.5
    """
    root = make_kb({"settings.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("settings.yaml", line_of(source, "settings:"))
    assert problem.message == "settings: clarify_threshold must not exceed answer_threshold"


def test_threshold_outside_zero_to_one_is_reported_at_its_line(make_kb: KbFactory) -> None:
    source = """
        settings:
          answer_threshold: 55
    """
    root = make_kb({"settings.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("settings.yaml", line_of(source, "answer_threshold"))
    assert problem.message.startswith("settings.answer_threshold:")


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


def test_one_bad_contact_does_not_make_the_other_contacts_of_its_file_unknown(
    make_kb: KbFactory,
) -> None:
    source = """
        contacts:
          - id: kt-office
            name: CERN Knowledge Transfer group
            url: https://kt.cern/contact
          - id: medicis-team
            name: CERN-MEDICIS facility
            email: medicis.contact@cern.ch
          - id: new-team
            name: A team whose url has a typo
            url: htps://example.org/
    """
    root = make_kb({"contacts.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("contacts.yaml", line_of(source, "htps://"))


# --- one bad entry does not hide the good ones -------------------------------------------
# Dropping a whole file for one invalid entry made every reference to the file's other
# entries "unknown": staff were sent to fix lines that were right.


def test_a_bad_topic_does_not_make_the_other_topics_of_its_file_unknown(
    make_kb: KbFactory,
) -> None:
    source = """
        topics:
          - id: x.good
            title: A valid topic
            category: about
            questions: [one question, two questions, three questions]
            answer: Text.
          - id: x.bad
            title: Too few questions
            category: about
            questions: [four questions]
            answer: Text.
    """
    referrer = """
        topics:
          - id: y.referrer
            title: Points at the good topic
            category: about
            questions: [seven questions, eight questions, nine questions]
            answer: Text.
            related: [x.good]
    """
    root = make_kb({"topics/x.yaml": source, "topics/y.yaml": referrer})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/x.yaml", line_of(source, "[four questions]"))
    assert problem.message.startswith("topic 'x.bad': questions:")


def test_a_bad_category_does_not_make_the_other_categories_of_its_file_unknown(
    make_kb: KbFactory,
) -> None:
    # tiny_kb's topics use both `about` and `projects`; only the new entry is broken.
    source = """
        categories:
          - id: about
            title: About Knowledge Transfer
            description: Who we are and how to reach us.
          - id: projects
            title: Medical projects
            description: CERN technologies with medical applications.
          - id: drafts
            title: A category without a description
    """
    root = make_kb({"categories.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("categories.yaml", line_of(source, "id: drafts"))
    assert problem.message == "category 'drafts': description: required field is missing"


def test_a_reference_to_a_bad_entry_is_reported_once_at_the_entry_not_at_the_reference(
    make_kb: KbFactory,
) -> None:
    # The reference is right; the entry it names is what staff must fix.
    contacts = """
        contacts:
          - id: kt-office
            name: CERN Knowledge Transfer group
            url: https://kt.cern/contact
          - id: medicis-team
            name: CERN-MEDICIS facility
            email: not-an-address
    """
    root = make_kb({"contacts.yaml": contacts})

    problem = only_problem(root)

    assert where(problem, root) == ("contacts.yaml", line_of(contacts, "not-an-address"))
    assert problem.message.startswith("contact 'medicis-team': email:")


def test_a_yaml_problem_in_one_file_does_not_make_its_ids_unknown_elsewhere(
    make_kb: KbFactory,
) -> None:
    # A duplicate key keeps the file from loading, but its entries do exist.
    contacts = """
        contacts:
          - id: kt-office
            name: CERN Knowledge Transfer group
            url: https://kt.cern/contact
          - id: medicis-team
            name: CERN-MEDICIS facility
            name: MEDICIS
            email: medicis.contact@cern.ch
    """
    root = make_kb({"contacts.yaml": contacts})

    problem = only_problem(root)

    assert where(problem, root) == ("contacts.yaml", line_of(contacts, "name: MEDICIS"))
    assert "duplicate key 'name'" in problem.message


def test_the_valid_entries_beside_a_bad_one_are_still_checked(make_kb: KbFactory) -> None:
    # All problems at once: a bad contact must not hide a wrong reference in the same file.
    source = """
        contacts:
          - id: silent
            name: No way to reach
        topics:
          - id: x.checked
            title: Checked all the same
            category: nowhere
            questions: [one question, two questions, three questions]
            answer: Text.
    """
    root = make_kb({"topics/mixed.yaml": source})

    problems = problems_of(root)

    assert [(where(p, root), p.message) for p in problems] == [
        (
            ("topics/mixed.yaml", line_of(source, "silent")),
            "contact 'silent': a contact needs a url or an email",
        ),
        (
            ("topics/mixed.yaml", line_of(source, "nowhere")),
            "topic 'x.checked': unknown category 'nowhere' (known: about, projects)",
        ),
    ]


def test_an_invalid_settings_section_still_counts_as_the_one_settings_section(
    make_kb: KbFactory,
) -> None:
    root = make_kb(
        {
            "a-settings.yaml": "settings:\n  answer_threshold: 5\n",
            "b-settings.yaml": "settings:\n  answer_threshold: 0.7\n",
        }
    )

    problems = problems_of(root)

    assert [where(p, root) for p in problems] == [("a-settings.yaml", 2), ("b-settings.yaml", 1)]
    assert "more than one file" in problems[1].message


def test_entries_of_a_file_with_problems_are_still_not_loaded(make_kb: KbFactory) -> None:
    # Keeping the valid entries only avoids false reports; a broken base is never served.
    root = make_kb({"contacts-extra.yaml": "contacts:\n  - id: silent\n    name: Silent\n"})

    with pytest.raises(KnowledgeError):
        load_knowledge(root)


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
    assert "answer_threshold" in problem.message


# --- vocabulary and declined questions --------------------------------------------------------


def test_synonyms_and_declined_questions_are_loaded_from_any_file(make_kb: KbFactory) -> None:
    kb = load_knowledge(
        make_kb(
            {
                "vocabulary.yaml": "synonyms:\n"
                "  - canonical: license\n    variants: [commercialise, in-license]\n",
                "declined.yaml": "out_of_scope:\n  - how tall is the LHC tunnel\n",
            }
        )
    )

    assert [(g.canonical, g.variants) for g in kb.synonyms] == [
        ("license", ("commercialise", "in-license"))
    ]
    assert kb.out_of_scope == ("how tall is the LHC tunnel",)


def test_a_variant_given_two_meanings_is_reported_where_it_is_repeated(
    make_kb: KbFactory,
) -> None:
    root = make_kb(
        {
            "vocabulary.yaml": "synonyms:\n"
            "  - canonical: license\n    variants: [exploitation]\n"
            "  - canonical: ownership\n    variants: [other, exploitations]\n",
        }
    )

    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(root)

    # Compared as the matcher reads them: a plural is the same variant.
    (problem,) = raised.value.problems
    assert (problem.path.name, problem.line) == ("vocabulary.yaml", 5)
    assert problem.message.startswith("synonym 'exploitations' already means 'license'")


def test_a_synonym_without_words_is_reported(make_kb: KbFactory) -> None:
    root = make_kb({"vocabulary.yaml": "synonyms:\n  - canonical: license\n    variants: ['?!']\n"})

    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(root)

    assert [p.message for p in raised.value.problems] == ["synonym '?!' has no words"]
