"""Each entry validated against the models: a misspelt, missing or wrong field is reported at
its line, in words staff can act on, and one bad entry does not hide the good ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from intents.knowledge.loader import load_knowledge
from tests.conftest import KbFactory
from tests.knowledge_problems import (
    OneProblem,
    line_of,
    one_problem,
    only_problem,
    problems_of,
    where,
)

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


def empty_answer(answer: str) -> str:
    return (
        "topics:\n  - id: x.empty\n    title: Empty\n    category: about\n"
        "    questions: [one question, two questions, three questions]\n"
        f"    answer: {answer}\n"
    )


# One knowledge file with one mistake: reported once, at the line to fix, saying what is wrong.
SCHEMA_PROBLEMS = [
    one_problem(
        "misspelt-section-at-its-line",
        "contacts-rp.yaml",
        """
        # Contacts of the radiation-protection team
        contact:
          - id: rp
            name: Radiation protection
            url: https://rp.cern/
        """,
        at="contact:",
        starts="contact: unknown field",
    ),
    one_problem(
        "missing-field-at-the-topic-that-lacks-it",
        "topics/missing.yaml",
        """
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
        """,
        at="x.no-title",
        is_="topic 'x.no-title': title: required field is missing",
    ),
    one_problem(
        "missing-field-of-an-entry-without-id-names-its-position",
        "contacts-more.yaml",
        """
        contacts:
          - id: rp
            name: Radiation protection
            url: https://rp.cern/
          - name: Nameless
            url: https://example.org/
        """,
        at="Nameless",
        is_="contact #2: id: required field is missing",
    ),
    one_problem(
        "id-with-spaces-or-capitals",
        "more-categories.yaml",
        """
        categories:
          - id: Medical Physics
            title: Medical physics
            description: Dosimetry and imaging.
        """,
        at="Medical Physics",
        starts="category 'Medical Physics': id:",
    ),
    one_problem(
        "fewer-than-three-questions-at-the-questions",
        "topics/few.yaml",
        """
        topics:
          - id: x.few
            title: Too few examples
            category: about
            questions:
              - only one question
              - and a second one
            answer: Text.
        """,
        at="questions:",
        starts="topic 'x.few': questions:",
        has=("at least 3",),
    ),
    *[
        one_problem(
            f"empty-answer-{name}",
            "topics/empty.yaml",
            empty_answer(answer),
            at="answer:",
            is_="topic 'x.empty': answer: must not be empty",
        )
        for name, answer in [("quoted", '""'), ("spaces", '"   "'), ("block", "|\n      \n")]
    ],
    one_problem(
        "blank-example-question-at-its-line",
        "topics/blank.yaml",
        """
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
        """,
        at='"  "',
        has=("must not be empty",),
    ),
    one_problem(
        "example-question-without-words-at-its-line",
        "topics/punct.yaml",
        """
        topics:
          - id: x.punct
            title: Punctuation only
            category: about
            questions:
              - one question
              - "?!"
              - three questions
            answer: Text.
        """,
        at='"?!"',
        has=("has no words",),
    ),
    one_problem(
        "invalid-link-url-at-the-url",
        "topics/link.yaml",
        """
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
        """,
        at="without-scheme",
        starts="topic 'x.link': links #2.url:",
        has=("not a valid http(s) URL",),
    ),
    *[
        one_problem(
            f"contact-url-must-be-public-http-{url}",
            "contacts-odd.yaml",
            f"contacts:\n  - id: odd\n    name: Odd contact\n    url: '{url}'\n",
            at=4,
            starts="contact 'odd': url:",
        )
        for url in ["ftp://kt.cern/file", "javascript:alert(1)", "https://localhost"]
    ],
    one_problem(
        "invalid-email-at-the-email",
        "contacts-odd.yaml",
        """
        contacts:
          - id: odd
            name: Odd contact
            email: someone-at-cern.ch
        """,
        at="email:",
        has=("not a valid email address",),
    ),
    one_problem(
        "contact-without-url-or-email-at-the-contact",
        "contacts-more.yaml",
        """
        contacts:
          - id: rp
            name: Radiation protection
            url: https://rp.cern/
          - id: unreachable
            name: Nobody in particular
            description: No way to reach them.
        """,
        at="unreachable",
        is_="contact 'unreachable': a contact needs a url or an email",
    ),
    one_problem(
        # S11: an address nobody can trace to a published page counts as invented.
        "contact-email-without-a-source-at-the-contact",
        "contacts-more.yaml",
        """
        contacts:
          - id: orders
            name: MEDICIS orders
            email: medicis-orders@cern.ch
        """,
        at="id: orders",
        has=("'medicis-orders@cern.ch' needs `source:`", "never invent a contact"),
    ),
    one_problem(
        "invalid-link-in-answer-markup-at-the-answer",
        "topics/markup.yaml",
        """
        topics:
          - id: x.markup-link
            title: Markup link
            category: about
            questions: [one question, two questions, three questions]
            answer: |
              Read [the guide](www.kt.cern/guide) first.
        """,
        at="answer:",
        is_="topic 'x.markup-link': answer: link 'the guide' has an invalid URL "
        "'www.kt.cern/guide'",
    ),
    one_problem(
        "unbalanced-bold-in-answer-at-the-answer",
        "topics/bold.yaml",
        """
        topics:
          - id: x.bold
            title: Bold
            category: about
            questions: [one question, two questions, three questions]
            answer: "**FLASH is fast."
        """,
        at="answer:",
        has=("unbalanced '**'",),
    ),
]


def test_contact_reachable_by_email_only_is_valid(tiny_kb: Path) -> None:
    medicis = load_knowledge(tiny_kb).contacts["medicis-team"]

    assert medicis.url is None
    assert medicis.email == "medicis.contact@cern.ch"


# --- settings problems --------------------------------------------------------------------

SETTINGS_PROBLEMS = [
    pytest.param(
        OneProblem(
            {
                "a-settings.yaml": "settings:\n  answer_threshold: 0.6\n",
                "b-settings.yaml": "# tuned later\nsettings:\n  answer_threshold: 0.7\n",
            },
            "b-settings.yaml",
            at=2,
            has=("`settings:` is defined in more than one file",),
        ),
        id="defined-in-two-files-at-the-second",
    ),
    one_problem(
        "clarify-threshold-above-answer-threshold",
        "settings.yaml",
        """
        # Matching thresholds
        settings:
          answer_threshold: 0.4
          clarify_threshold: 0.5
        """,
        at="settings:",
        is_="settings: clarify_threshold must not exceed answer_threshold",
    ),
    one_problem(
        "threshold-outside-zero-to-one-at-its-line",
        "settings.yaml",
        """
        settings:
          answer_threshold: 55
        """,
        at="answer_threshold",
        starts="settings.answer_threshold:",
    ),
]


# --- one bad entry does not hide the good ones -------------------------------------------
# Dropping a whole file for one invalid entry made every reference to the file's other
# entries "unknown": staff were sent to fix lines that were right. Each case is one bad entry
# beside good ones that tiny_kb (or the case) refers to: its only problem is the bad entry.

BAD_TOPIC = """
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

ONE_BAD_ENTRY = [
    pytest.param(
        OneProblem(
            {
                "topics/x.yaml": BAD_TOPIC,
                "topics/y.yaml": """
                    topics:
                      - id: y.referrer
                        title: Points at the good topic
                        category: about
                        questions: [seven questions, eight questions, nine questions]
                        answer: Text.
                        related: [x.good]
                """,
            },
            "topics/x.yaml",
            at="[four questions]",
            starts="topic 'x.bad': questions:",
        ),
        id="a-bad-topic-leaves-the-other-topics-of-its-file-known",
    ),
    # tiny_kb's topics use both `about` and `projects`; only the new entry is broken.
    one_problem(
        "a-bad-category-leaves-the-other-categories-of-its-file-known",
        "categories.yaml",
        """
        categories:
          - id: about
            title: About Knowledge Transfer
            description: Who we are and how to reach us.
          - id: projects
            title: Medical projects
            description: CERN technologies with medical applications.
          - id: drafts
            title: A category without a description
        """,
        at="id: drafts",
        is_="category 'drafts': description: required field is missing",
    ),
    one_problem(
        "a-bad-contact-leaves-the-other-contacts-of-its-file-known",
        "contacts.yaml",
        """
        contacts:
          - id: kt-office
            name: CERN Knowledge Transfer group
            url: https://kt.cern/contact
          - id: medicis-team
            name: CERN-MEDICIS facility
            email: medicis.contact@cern.ch
            source: https://kt.cern/medtech/medicis
          - id: new-team
            name: A team whose url has a typo
            url: htps://example.org/
        """,
        at="htps://",
        starts="contact 'new-team': url:",
        has=("not a valid http(s) URL",),
    ),
    # The reference is right; the entry it names is what staff must fix.
    one_problem(
        "a-reference-to-a-bad-entry-is-reported-once-at-the-entry-not-at-the-reference",
        "contacts.yaml",
        """
        contacts:
          - id: kt-office
            name: CERN Knowledge Transfer group
            url: https://kt.cern/contact
          - id: medicis-team
            name: CERN-MEDICIS facility
            email: not-an-address
        """,
        at="not-an-address",
        starts="contact 'medicis-team': email:",
    ),
    # A duplicate key keeps the file from loading, but its entries do exist.
    one_problem(
        "a-yaml-problem-in-one-file-leaves-its-ids-known-elsewhere",
        "contacts.yaml",
        """
        contacts:
          - id: kt-office
            name: CERN Knowledge Transfer group
            url: https://kt.cern/contact
          - id: medicis-team
            name: CERN-MEDICIS facility
            name: MEDICIS
            email: medicis.contact@cern.ch
            source: https://kt.cern/medtech/medicis
        """,
        at="name: MEDICIS",
        has=("duplicate key 'name'",),
    ),
]


@pytest.mark.parametrize("case", [*SCHEMA_PROBLEMS, *SETTINGS_PROBLEMS, *ONE_BAD_ENTRY])
def test_one_mistake_is_the_only_problem_reported_at_its_line(
    make_kb: KbFactory, case: OneProblem
) -> None:
    case.check(make_kb)


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

    # Loading fails (no partial base) and for that one entry, not for anything else.
    problem = only_problem(root)

    assert where(problem, root) == ("contacts-extra.yaml", 2)
    assert problem.message == "contact 'silent': a contact needs a url or an email"
