"""YAML-level problems: syntax, duplicate keys, encoding, and hostile files (alias bombs,
deep nesting, oversized files), each reported at its line."""

from __future__ import annotations

import itertools
import time

from tests.conftest import KbFactory
from tests.knowledge_problems import line_of, only_problem, where

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


def test_an_unclosed_bracket_is_reported_at_the_line_that_opens_it(make_kb: KbFactory) -> None:
    source = """
        topics:
          - id: x.bracket
            title: [Licensing a CERN technology
            category: about
            questions: [one, two, three]
    """
    root = make_kb({"topics/broken.yaml": source})

    problem = only_problem(root)

    assert where(problem, root) == ("topics/broken.yaml", line_of(source, "[Licensing"))
    assert "'[' on this line is not closed" in problem.message


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
