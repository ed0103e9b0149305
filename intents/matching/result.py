"""What the matcher decides for one message: an immutable value, easy to log and to test."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    ANSWER = "answer"
    """Confident: reply with the topic's answer."""
    CLARIFY = "clarify"
    """Close candidates: ask 'did you mean…' with the alternatives."""
    FALLBACK = "fallback"
    """Nothing fits: say so, point to a person, log the question as unanswered."""


@dataclass(frozen=True, slots=True)
class Candidate:
    intent: str
    score: float


@dataclass(frozen=True, slots=True)
class MatchResult:
    question: str
    outcome: Outcome
    intent: str | None
    """The answered topic (ANSWER) or the best guess (CLARIFY); None on FALLBACK."""
    score: float
    """Score of the best candidate, in [0, 1]."""
    alternatives: tuple[Candidate, ...] = ()
    """Best candidates after the chosen one, best first (the options of a CLARIFY)."""
    suggestions: tuple[str, ...] = ()
    """ANSWER: other topics the message also asks about, offered as buttons with the answer
    (the route of "can we license GaToroid", the second question of a long message)."""
    elsewhere: str | None = None
    """FALLBACK: the other organisation whose own business the question is about ("who
    handles tech transfer at GSI?"), so the reply can say whom to ask."""
    followed: bool = False
    """The message pointed back and was read with the writer's previous question as its
    subject (`Matcher.match`'s `follows`): "Can we license it?" after "What is GaToroid?"."""

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        """Every ranked candidate, the chosen intent first."""
        if self.intent is None:
            return self.alternatives
        return (Candidate(self.intent, self.score), *self.alternatives)
