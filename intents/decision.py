"""From ranked candidates to what the user sees: answer, "did you mean…", or fallback."""

from __future__ import annotations

from collections.abc import Sequence

from intents.models import MatchingSettings
from intents.result import Candidate, MatchResult, Outcome


def decide(question: str, ranked: Sequence[Candidate], settings: MatchingSettings) -> MatchResult:
    """`ranked` is best first. Every result carries the best score and the runner-ups."""
    if not ranked:
        return MatchResult(question, Outcome.FALLBACK, None, 0.0)
    best, runners_up = ranked[0], ranked[1:]
    if best.score < settings.clarify_threshold:
        # Nothing offered, but the best guesses are kept for the unanswered-questions review
        # (a topic sharing nothing with the question is no guess).
        guesses = tuple(c for c in ranked[: settings.max_alternatives] if c.score > 0)
        return MatchResult(question, Outcome.FALLBACK, None, best.score, guesses)
    rival_close = bool(runners_up) and (
        best.score - runners_up[0].score < settings.clarify_margin * best.score
    )
    if best.score >= settings.answer_threshold and not rival_close:
        return MatchResult(
            question,
            Outcome.ANSWER,
            best.intent,
            best.score,
            tuple(runners_up[: settings.max_alternatives - 1]),
        )
    # Ambiguous or only fairly close: offer the best, its close rival, and the runners-up
    # that are plausible on their own; a weak runner-up is no help to the user.
    options = [
        c
        for i, c in enumerate(runners_up[: settings.max_alternatives - 1])
        if (i == 0 and rival_close) or c.score >= settings.option_threshold
    ]
    return MatchResult(question, Outcome.CLARIFY, best.intent, best.score, tuple(options))
