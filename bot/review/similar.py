"""`--similar`: the open questions like a resolved one, and which of them the edited
knowledge base now answers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.review.grouping import DEFAULT_GROUP_THRESHOLD, group_similar
from bot.review.text_reports import describe_nearest
from bot.storage import UnansweredQuestion
from intents import Matcher, MatchResult, Outcome


@dataclass(frozen=True, slots=True)
class SimilarCheck:
    """The questions like a resolved one, split by what the knowledge base now does."""

    answered: tuple[UnansweredQuestion, ...]
    """Now answered with the topic: resolving them with it is true."""
    left_open: tuple[tuple[UnansweredQuestion, MatchResult], ...]
    """Still not answered with it, each with what the bot now replies: they stay open."""


def similar_to(
    item: UnansweredQuestion,
    open_items: Sequence[UnansweredQuestion],
    threshold: float = DEFAULT_GROUP_THRESHOLD,
) -> list[UnansweredQuestion]:
    """The questions of `item`'s group among `open_items` (as `groups` shows it), not `item`."""
    pool = list(open_items)
    if all(q.id != item.id for q in pool):
        pool.append(item)  # resolved a moment ago: still the centre of its group
    group = next(
        (g for g in group_similar(pool, threshold) if any(m.id == item.id for m in g.members)),
        None,
    )
    return [m for m in group.members if m.id != item.id] if group else []


def check_similar(
    questions: Iterable[UnansweredQuestion], matcher: Matcher, topic_id: str
) -> SimilarCheck:
    """Ask each question again with `matcher` (the knowledge base as edited): those now
    answered with `topic_id` apart from the rest, which a paraphrase alone does not fix."""
    answered: list[UnansweredQuestion] = []
    left_open: list[tuple[UnansweredQuestion, MatchResult]] = []
    for question in questions:
        result = matcher.match(question.question)
        if result.outcome is Outcome.ANSWER and result.intent == topic_id:
            answered.append(question)
        else:
            left_open.append((question, result))
    return SimilarCheck(tuple(answered), tuple(left_open))


def describe_match(result: MatchResult) -> str:
    """`answered with route.licensing 0.41`, `did you mean… project.medicis 0.27, …`."""
    if result.outcome is Outcome.ANSWER:
        return f"answered with {result.intent} {result.score:.2f}"
    if result.outcome is Outcome.CLARIFY:
        return f"did you mean… {describe_nearest(result.candidates)}"
    return f"no answer (nearest: {describe_nearest(result.candidates)})"
