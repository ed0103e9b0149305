"""Cross-references between entries: duplicate ids, unknown or self references, the same
example question twice, and synonyms read two ways; each reported where it is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from intents.knowledge.errors import KnowledgeError
from intents.knowledge.loader import load_knowledge
from tests.conftest import KbFactory, write_kb
from tests.knowledge_problems import line_of, only_problem, where

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
