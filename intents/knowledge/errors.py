"""Errors of the knowledge domain. Each problem points at a file and line staff can open."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
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
    root_cause: bool = field(default=False, compare=False)
    """A file that could not be read at all (YAML syntax, encoding): other problems may
    follow from it, so it is listed first."""

    def __str__(self) -> str:
        label = "warning: " if self.severity is Severity.WARNING else ""
        return f"{self.path}:{self.line}: {label}{self.message}"

    @classmethod
    def warning(cls, path: Path, line: int, message: str) -> Problem:
        return cls(path, line, message, Severity.WARNING)


class KnowledgeError(Exception):
    """The knowledge base could not be loaded; `problems` lists every finding at once."""

    def __init__(self, problems: Iterable[Problem], warnings: Iterable[Problem] = ()) -> None:
        # Causes first: staff read from the top, and a broken file explains what follows.
        self.problems: tuple[Problem, ...] = tuple(
            sorted(problems, key=lambda p: (not p.root_cause, p))
        )
        self.warnings: tuple[Problem, ...] = tuple(sorted(warnings))
        """Findings that alone would not stop loading (`KnowledgeBase.warnings`), so that
        staff fixing the problems see them in the same pass."""
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the knowledge base"
        super().__init__("\n".join([head + ":", *map(str, self.problems)]))
