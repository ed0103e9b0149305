"""Errors of the knowledge domain. Each problem points at a file and line staff can open."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    """The knowledge base is not loaded (`ktbot check` exits 1; the bot keeps the last good one)."""
    WARNING = "warning"
    """Loaded and served; staff should look (a stale topic, a link no source supports)."""


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    path: Path
    line: int
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        label = "warning: " if self.severity is Severity.WARNING else ""
        return f"{self.path}:{self.line}: {label}{self.message}"

    @classmethod
    def warning(cls, path: Path, line: int, message: str) -> Problem:
        return cls(path, line, message, Severity.WARNING)


class KnowledgeError(Exception):
    """The knowledge base could not be loaded; `problems` lists every finding at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(problems))
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the knowledge base"
        super().__init__("\n".join([head + ":", *map(str, self.problems)]))
