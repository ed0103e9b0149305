"""Each entry validated against the models: a misspelt, missing or wrong field is reported at
its line, in words staff can act on, and one bad entry does not hide the good ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from intents.knowledge.errors import KnowledgeError
from intents.knowledge.loader import load_knowledge
from tests.conftest import KbFactory
from tests.knowledge_problems import line_of, only_problem, problems_of, where

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
