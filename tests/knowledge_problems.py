"""Helpers for tests of loading the knowledge base: its problems, and where they point."""

from __future__ import annotations

from pathlib import Path

import pytest

from intents.knowledge.errors import KnowledgeError, Problem
from intents.knowledge.loader import load_knowledge
from tests.conftest import dedent


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
