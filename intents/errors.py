"""Errors of the knowledge domain. Each problem points at a file and line staff can open."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge base could not be loaded; `problems` lists every finding at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(problems))
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the knowledge base"
        super().__init__("\n".join([head + ":", *map(str, self.problems)]))
