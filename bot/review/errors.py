"""The one error review actions raise."""

from __future__ import annotations

from collections.abc import Iterable

from bot.errors import KtbotError
from intents import Problem


class ReviewError(KtbotError):
    """A review action was refused; the message (and `problems`) say why and where."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = [message, *(f"  {problem}" for problem in self.problems)]
        super().__init__("\n".join(lines))
