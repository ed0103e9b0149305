"""Helpers for tests of loading the knowledge base: its problems, and where they point."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class OneProblem:
    """tiny_kb plus `files` must fail to load with exactly one problem, reported in `file` at
    the line holding `at` (or at line `at`), whose message `is_` the given text, or `starts`
    and/or `ends` with it, and `has` each given part."""

    files: Mapping[str, str]
    file: str
    at: str | int
    is_: str | None = None
    starts: str | None = None
    ends: str | None = None
    has: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        assert self.is_ or self.starts or self.ends or self.has, "a case must check its message"

    def check(self, make_kb: Callable[..., Path]) -> Problem:
        root = make_kb(dict(self.files))
        problem = only_problem(root)
        line = self.at if isinstance(self.at, int) else line_of(self.files[self.file], self.at)
        assert where(problem, root) == (self.file, line)
        if self.is_ is not None:
            assert problem.message == self.is_
        if self.starts is not None:
            assert problem.message.startswith(self.starts)
        if self.ends is not None:
            assert problem.message.endswith(self.ends)
        for part in self.has:
            assert part in problem.message
        return problem


def one_problem(case_id: str, file: str, source: str, at: str | int, **expect: Any) -> Any:
    """A `pytest.param` of one `OneProblem` case: `source` written as `file`."""
    return pytest.param(OneProblem({file: source}, file, at, **expect), id=case_id)
