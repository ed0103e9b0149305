"""Measure a matcher on labelled questions, and show how thresholds trade answers for safety.

Labelled questions are JSON lines `{"text": ..., "intent": "topic.id" or null}`; null means
out of scope (the right behaviour is the fallback). The figures:
- in-scope accuracy: in-scope questions answered directly with the right topic;
- in-scope resolved: answered right, or "did you mean…" with the right topic among the options;
- false-answer rate: questions (in or out of scope) answered directly with a wrong topic, the
  worst outcome since the user is told something confidently wrong;
- out-of-scope recall: out-of-scope questions that get the fallback.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from intents.decision import decide
from intents.matcher import Matcher
from intents.result import Candidate, MatchResult, Outcome


class EvalFileError(Exception):
    """The labelled-questions file cannot be used; the message names the line."""


@dataclass(frozen=True, slots=True)
class LabelledQuestion:
    text: str
    intent: str | None
    """The right topic, or None when the question is out of scope."""


@dataclass(frozen=True, slots=True)
class Confusion:
    expected: str | None
    """The right topic (None: out of scope)."""
    answered: str
    """The topic that was answered instead."""
    count: int


@dataclass(frozen=True, slots=True)
class Miss:
    """One question not handled as it should be, for staff to look at."""

    text: str
    expected: str | None
    outcome: str
    intent: str | None
    score: float


@dataclass(frozen=True, slots=True)
class EvalReport:
    questions: int
    in_scope: int
    out_of_scope: int
    in_scope_accuracy: float
    in_scope_resolved: float
    false_answer_rate: float
    out_of_scope_recall: float
    outcomes: dict[str, int]
    confusions: tuple[Confusion, ...]
    """Wrong direct answers, most frequent first: which topic stole which question."""
    misses: tuple[Miss, ...]
    latency_p50_ms: float | None = None
    latency_p99_ms: float | None = None
    unknown_intents: tuple[str, ...] = ()
    """Labels naming no topic of the knowledge base (renamed or removed topics)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class SweepPoint:
    answer_threshold: float
    clarify_threshold: float
    report: EvalReport


def read_labelled(path: Path) -> list[LabelledQuestion]:
    """Read JSON lines; raise EvalFileError naming the first bad line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{path}: cannot read: {exc}") from exc
    questions = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalFileError(f"{path}:{number}: invalid JSON: {exc.msg}") from exc
        if not isinstance(item, dict) or not isinstance(item.get("text"), str):
            raise EvalFileError(f'{path}:{number}: expected {{"text": "...", "intent": ...}}')
        if "intent" not in item:
            raise EvalFileError(f'{path}:{number}: no "intent" (null for out of scope)')
        intent = item["intent"]
        if intent is not None and not (isinstance(intent, str) and intent.strip()):
            raise EvalFileError(f"{path}:{number}: intent must be a topic id or null")
        questions.append(LabelledQuestion(item["text"], intent))
    return questions


def evaluate(matcher: Matcher, questions: Sequence[LabelledQuestion]) -> EvalReport:
    """Match every question once, timing each call, and score the results."""
    results: list[MatchResult] = []
    timings: list[float] = []
    for question in questions:
        start = time.perf_counter()
        results.append(matcher.match(question.text))
        timings.append(time.perf_counter() - start)
    report = score_results(
        questions, results, matcher.kb.settings.max_alternatives, set(matcher.kb.topics)
    )
    if not timings:
        return report
    p50, p99 = np.percentile(np.asarray(timings) * 1000, [50, 99])
    return replace(report, latency_p50_ms=float(p50), latency_p99_ms=float(p99))


def sweep(
    matcher: Matcher,
    questions: Sequence[LabelledQuestion],
    answer_thresholds: Iterable[float],
    clarify_thresholds: Iterable[float],
) -> list[SweepPoint]:
    """The figures for every (answer, clarify) threshold pair, other settings unchanged.

    Candidates are ranked once per question; only the cheap decision is replayed."""
    ranked = [matcher.rank(q.text) for q in questions]
    base = matcher.kb.settings
    topics = set(matcher.kb.topics)
    points = []
    for answer in answer_thresholds:
        for clarify in clarify_thresholds:
            if clarify > answer:
                continue
            settings = base.model_copy(
                update={"answer_threshold": answer, "clarify_threshold": clarify}
            )
            results = [decide(q.text, r, settings) for q, r in zip(questions, ranked, strict=True)]
            report = score_results(questions, results, settings.max_alternatives, topics)
            points.append(SweepPoint(answer, clarify, report))
    return points


def score_results(
    questions: Sequence[LabelledQuestion],
    results: Sequence[MatchResult],
    max_options: int,
    topics: set[str] | frozenset[str] = frozenset(),
) -> EvalReport:
    """The figures for `results`, the matcher's decisions on `questions` (same order)."""
    in_scope = [(q, r) for q, r in zip(questions, results, strict=True) if q.intent is not None]
    out_of_scope = [r for q, r in zip(questions, results, strict=True) if q.intent is None]
    right = sum(_answered(r, q.intent) for q, r in in_scope)
    resolved = sum(
        _answered(r, q.intent) or _offered(r, q.intent, max_options) for q, r in in_scope
    )
    wrong = Counter(
        (q.intent, r.intent)
        for q, r in zip(questions, results, strict=True)
        if r.outcome is Outcome.ANSWER and r.intent != q.intent and r.intent is not None
    )
    misses = tuple(
        Miss(q.text, q.intent, str(r.outcome), r.intent, round(r.score, 4))
        for q, r in zip(questions, results, strict=True)
        if not _handled(q, r)
    )
    return EvalReport(
        questions=len(questions),
        in_scope=len(in_scope),
        out_of_scope=len(out_of_scope),
        in_scope_accuracy=_share(right, len(in_scope)),
        in_scope_resolved=_share(resolved, len(in_scope)),
        false_answer_rate=_share(sum(wrong.values()), len(questions)),
        out_of_scope_recall=_share(
            sum(r.outcome is Outcome.FALLBACK for r in out_of_scope), len(out_of_scope)
        ),
        outcomes=dict(Counter(str(r.outcome) for r in results)),
        confusions=tuple(
            Confusion(expected, answered, count)
            for (expected, answered), count in sorted(
                wrong.items(), key=lambda item: (-item[1], str(item[0][0]), item[0][1])
            )
        ),
        misses=misses,
        unknown_intents=tuple(
            sorted({q.intent for q, _ in in_scope if topics and q.intent not in topics})
        ),
    )


def _answered(result: MatchResult, intent: str | None) -> bool:
    return result.outcome is Outcome.ANSWER and result.intent == intent


def _offered(result: MatchResult, intent: str | None, max_options: int) -> bool:
    if result.outcome is not Outcome.CLARIFY:
        return False
    options: tuple[Candidate, ...] = result.candidates[:max_options]
    return any(c.intent == intent for c in options)


def _handled(question: LabelledQuestion, result: MatchResult) -> bool:
    if question.intent is None:
        return result.outcome is Outcome.FALLBACK
    return _answered(result, question.intent)


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0
