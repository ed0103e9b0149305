"""Cross-references between entries: duplicate ids, unknown or self references, the same
example question twice, and synonyms read two ways; each reported where it is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from intents.knowledge.loader import load_knowledge
from tests.conftest import KbFactory, write_kb
from tests.knowledge_problems import OneProblem, one_problem

# --- cross-reference problems -------------------------------------------------------------
# tiny_kb plus one file; "first defined at" names where tiny_kb (or the file) has the entry.

REFERENCE_PROBLEMS = [
    one_problem(
        "duplicate-topic-id-where-repeated-naming-the-first",
        "topics/zz-copy.yaml",
        """
        topics:
          - id: project.flash
            title: FLASH again
            category: projects
            questions: [flash duplicate one, flash duplicate two, flash duplicate three]
            answer: Copy.
        """,
        at="project.flash",
        starts="duplicate topic id 'project.flash' (first defined at ",
        ends="topics/projects/medical.yaml:2)",
    ),
    one_problem(
        "duplicate-topic-id-within-one-file",
        "topics/twice.yaml",
        """
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
        """,
        at=7,
        starts="duplicate topic id 'x.twice' (first defined at ",
        ends="topics/twice.yaml:2)",
    ),
    one_problem(
        "duplicate-contact-id-where-repeated-naming-the-first",
        "zz-contacts.yaml",
        """
        contacts:
          - id: kt-office
            name: Another office
            url: https://example.org/
        """,
        at="kt-office",
        starts="duplicate contact id 'kt-office' (first defined at ",
        ends="contacts.yaml:2)",
    ),
    one_problem(
        "duplicate-category-id-where-repeated-naming-the-first",
        "zz-categories.yaml",
        """
        categories:
          - id: projects
            title: Projects again
            description: A second definition.
        """,
        at="projects",
        starts="duplicate category id 'projects' (first defined at ",
        ends="categories.yaml:5)",
    ),
    one_problem(
        "same-example-question-under-two-topics-ignoring-case-and-punctuation",
        "topics/zz-copycat.yaml",
        """
        topics:
          - id: x.copycat
            title: Copycat
            category: projects
            questions:
              - something original
              - what is flash therapy
              - another original one
            answer: Text.
        """,
        at="what is flash therapy",
        starts="topic 'x.copycat': example question 'what is flash therapy' is also under "
        "topic 'project.flash' (",
        ends="topics/projects/medical.yaml:6)",
    ),
    one_problem(
        "same-example-question-twice-in-one-topic",
        "topics/repeat.yaml",
        """
        topics:
          - id: x.repeat
            title: Repeat
            category: about
            questions:
              - How do I apply?
              - something else
              - how do I apply
            answer: Text.
        """,
        at="how do I apply",
        starts="topic 'x.repeat': example question 'how do I apply' is also under this topic (",
        ends="topics/repeat.yaml:6)",
    ),
    one_problem(
        "unknown-contact-with-file-and-line",
        "topics/contact.yaml",
        """
        topics:
          - id: x.contact
            title: Unknown contact
            category: about
            questions: [one question, two questions, three questions]
            answer: Text.
            contacts:
              - kt-office
              - kt-ofice
        """,
        at="kt-ofice",
        is_="topic 'x.contact': unknown contact 'kt-ofice' (known: kt-office, medicis-team)",
    ),
    one_problem(
        "unknown-related-topic-with-file-and-line",
        "topics/related.yaml",
        """
        topics:
          - id: x.related
            title: Unknown related
            category: about
            questions: [one question, two questions, three questions]
            answer: Text.
            related: [project.flash, project.flesh]
        """,
        at="related:",
        is_="topic 'x.related': unknown related topic 'project.flesh'",
    ),
    one_problem(
        "topic-related-to-itself",
        "topics/self.yaml",
        """
        topics:
          - id: x.narcissus
            title: Self-related
            category: about
            questions: [one question, two questions, three questions]
            answer: Text.
            related:
              - x.narcissus
        """,
        at="- x.narcissus",
        is_="topic 'x.narcissus': a topic cannot be related to itself",
    ),
    one_problem(
        "unknown-category-with-file-and-line",
        "topics/category.yaml",
        """
        topics:
          - id: x.category
            title: Unknown category
            category: project
            questions: [one question, two questions, three questions]
            answer: Text.
        """,
        at="category:",
        is_="topic 'x.category': unknown category 'project' (known: about, projects)",
    ),
]


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
                contacts: [{id: zz-contact, name: Last, email: last@example.org, source: "https://example.org/"}]
            """,
        },
    )

    assert list(load_knowledge(root).topics) == ["a.first", "b.second"]


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


SYNONYM_PROBLEMS = [
    # Compared as the matcher reads them: a plural is the same variant.
    one_problem(
        "a-variant-given-two-meanings-where-it-is-repeated",
        "vocabulary.yaml",
        "synonyms:\n"
        "  - canonical: license\n    variants: [exploitation]\n"
        "  - canonical: ownership\n    variants: [other, exploitations]\n",
        at=5,
        starts="synonym 'exploitations' already means 'license'",
    ),
    one_problem(
        "a-synonym-without-words",
        "vocabulary.yaml",
        "synonyms:\n  - canonical: license\n    variants: ['?!']\n",
        at=3,
        is_="synonym '?!' has no words",
    ),
]


@pytest.mark.parametrize("case", [*REFERENCE_PROBLEMS, *SYNONYM_PROBLEMS])
def test_reference_or_synonym_problem_is_reported_at_its_line(
    make_kb: KbFactory, case: OneProblem
) -> None:
    case.check(make_kb)
