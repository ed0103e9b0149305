"""Measure a matcher on labelled questions, and show how thresholds trade answers for safety.

Labelled questions are JSON lines `{"text": ..., "intent": ..., "kind": ...}`. `intent` is a
topic id, a list of ids when each of them is a right answer, or null: out of scope (the right
behaviour is the fallback). `kind` (optional) names the sort of question (typo, long, …); the
figures are then also given per kind. `lang` (optional: en, fr, de, it, es) names the language
of the line, else the bot's detector (`intents.text.language`) says; when some line is not English
the figures are also given per language. The figures:
- in-scope accuracy: in-scope questions answered directly with a right topic;
- in-scope resolved: answered right, or "did you mean…" with a right topic among the options;
- false-answer rate: questions (in or out of scope) answered directly with a topic not among
  the right ones, the worst outcome since the user is told something confidently wrong;
- out-of-scope recall: out-of-scope questions that get the fallback.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from intents.matching.decision import decide
from intents.matching.matcher import Matcher, lowered_settings
from intents.matching.result import Candidate, MatchResult, Outcome
from intents.text.language import LANGUAGES, detect_language, load_language_model


class EvalFileError(Exception):
    """The labelled-questions file cannot be used; the message names the line."""


NO_KIND = "(no kind)"
"""The group of the lines without a `kind` in a file where other lines have one."""


@dataclass(frozen=True, slots=True)
class LabelledQuestion:
    text: str
    intents: frozenset[str] = frozenset()
    """The topics each of which is a right answer; empty when the question is out of scope."""
    kind: str | None = None
    """The sort of question (persona, typo, long, …), when the file says."""
    language: str | None = None
    """The language it is written in, when the file says (`lang`); else the bot detects it."""

    @property
    def in_scope(self) -> bool:
        return bool(self.intents)


@dataclass(frozen=True, slots=True)
class Confusion:
    expected: tuple[str, ...]
    """The right topics, sorted (empty: out of scope)."""
    answered: str
    """The topic that was answered instead."""
    count: int


@dataclass(frozen=True, slots=True)
class Reported:
    """A labelled question as the reports show it to staff."""

    text: str
    expected: tuple[str, ...]
    """The right topics, sorted (empty: out of scope, the fallback was right)."""
    kind: str | None


@dataclass(frozen=True, slots=True)
class Miss(Reported):
    """One question not handled as it should be, and what the bot did, for staff to look at."""

    outcome: str
    """What the bot did: answer, clarify or fallback."""
    intent: str | None
    """The topic answered, or offered first by a clarify; None on a fallback."""
    score: float
    """The best candidate's score."""
    candidates: tuple[str, ...] = ()
    """The topics the bot had in mind, best first: the options of a clarify, the nearest
    topics of a fallback (not shown to the user), the answer and its runners-up."""


@dataclass(frozen=True, slots=True)
class Figures:
    """The figures of a set of labelled questions (a whole file, or the lines of one kind)."""

    questions: int
    in_scope: int
    out_of_scope: int
    in_scope_accuracy: float
    in_scope_resolved: float
    false_answer_rate: float
    out_of_scope_recall: float
    outcomes: dict[str, int]


@dataclass(frozen=True, slots=True)
class EvalReport(Figures):
    confusions: tuple[Confusion, ...]
    """Wrong direct answers, most frequent first: which topic stole which question."""
    misses: tuple[Miss, ...]
    """Grouped by kind (kinds in the order they first appear), file order within a kind."""
    by_kind: dict[str, Figures] = field(default_factory=dict)
    """The same figures per kind, in the order kinds first appear; empty if no line has one."""
    by_language: dict[str, Figures] = field(default_factory=dict)
    """The same figures per language (en, fr, de, it, es); empty when every line is English."""
    latency_p50_ms: float | None = None
    latency_p99_ms: float | None = None
    unknown_intents: tuple[str, ...] = ()
    """Labels naming no topic of the knowledge base (renamed or removed topics)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Change(Reported):
    """A labelled question two knowledge bases handle differently (see `compare`)."""

    before: str
    """What the first knowledge base did: "answer route.licensing", "clarify …", "fallback"."""
    after: str
    verdict: str
    """"won" (now handled as labelled), "lost" (no longer), or "changed" (neither before nor
    after, or both: another wrong topic, another option, a fallback instead of a wrong
    answer)."""


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
        intents = _intents(item["intent"])
        if intents is None:
            raise EvalFileError(
                f"{path}:{number}: intent must be a topic id, a list of topic ids, or null"
            )
        kind = item.get("kind")
        if kind is not None and not (isinstance(kind, str) and kind.strip()):
            raise EvalFileError(f"{path}:{number}: kind must be a name or absent")
        lang = item.get("lang")
        if lang is not None and lang not in LANGUAGES:
            raise EvalFileError(f"{path}:{number}: lang must be one of {', '.join(LANGUAGES)}")
        questions.append(LabelledQuestion(item["text"], intents, kind, lang))
    return questions


def _intents(label: object) -> frozenset[str] | None:
    """The right topics a label names (empty for null), or None if it is no valid label."""
    if label is None:
        return frozenset()
    ids = [label] if isinstance(label, str) else label
    if not isinstance(ids, list) or not ids:
        return None
    if not all(isinstance(i, str) and i.strip() for i in ids):
        return None
    return frozenset(ids)


def current_labels(
    questions: Sequence[LabelledQuestion], former_ids: Mapping[str, str]
) -> list[LabelledQuestion]:
    """`questions` with labels naming a renamed topic's former id relabelled with its
    current id (`Topic.former_ids`): evaluation files outlive renames."""
    return [
        replace(q, intents=frozenset(former_ids.get(i, i) for i in q.intents))
        if former_ids and q.intents & former_ids.keys()
        else q
        for q in questions
    ]


def evaluate(matcher: Matcher, questions: Sequence[LabelledQuestion]) -> EvalReport:
    """Match every question once, timing each call, and score the results."""
    questions = current_labels(questions, matcher.kb.former_ids)
    results: list[MatchResult] = []
    timings: list[float] = []
    load_language_model()  # once, as the bot does at start: not inside the first timing
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


def compare(
    before: Matcher, after: Matcher, questions: Sequence[LabelledQuestion]
) -> tuple[Change, ...]:
    """The questions whose outcome differs between two knowledge bases, in file order: what
    an edit moved besides the questions it was made for. One new example question retrains
    every topic's description, so a few unrelated, borderline questions can change either
    way (see knowledge/README.md, "What an edit moves")."""
    changes = []
    # Each side reads the labels with its own renamed topics (`Topic.former_ids`).
    as_before = current_labels(questions, before.kb.former_ids)
    as_after = current_labels(questions, after.kb.former_ids)
    for question, then, now_labelled in zip(questions, as_before, as_after, strict=True):
        old, new = before.match(question.text), after.match(question.text)
        if (old.outcome, old.intent) == (new.outcome, new.intent):
            continue
        was, now = _handled(then, old), _handled(now_labelled, new)
        changes.append(
            Change(
                question.text,
                tuple(sorted(question.intents)),
                question.kind,
                _did(old),
                _did(new),
                "won" if now and not was else "lost" if was and not now else "changed",
            )
        )
    return tuple(changes)


def _did(result: MatchResult) -> str:
    return f"{result.outcome} {result.intent}" if result.intent else str(result.outcome)


def sweep(
    matcher: Matcher,
    questions: Sequence[LabelledQuestion],
    answer_thresholds: Iterable[float],
    clarify_thresholds: Iterable[float],
) -> list[SweepPoint]:
    """The figures for every (answer, clarify) threshold pair, other settings unchanged.

    The evidence is gathered once per question; only the cheap decision is replayed."""
    questions = current_labels(questions, matcher.kb.former_ids)
    evidence = [matcher.evidence(q.text) for q in questions]
    # Each swept threshold is lowered for foreign and long messages as the bot lowers it, so
    # the point at the knowledge base's own thresholds gives the figures of `ktbot eval`.
    readings = [matcher.reading_of(q.text) for q in questions]
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
            per_reading = {r: lowered_settings(settings, *r) for r in set(readings)}
            results = [
                decide(q.text, e, per_reading[r])
                for q, e, r in zip(questions, evidence, readings, strict=True)
            ]
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
    pairs = list(zip(questions, results, strict=True))
    kinds = list(dict.fromkeys(kind_group(q) for q in questions))
    wrong = Counter(
        (tuple(sorted(q.intents)), r.intent)
        for q, r in pairs
        if r.intent is not None and _false_answer(q, r)  # a false answer names its topic
    )
    misses = tuple(
        _miss(q, r, max_options)
        for kind in kinds
        for q, r in pairs
        if kind_group(q) == kind and not _handled(q, r)
    )
    has_kinds = any(q.kind is not None for q in questions)
    by_kind = {
        kind: _figures([(q, r) for q, r in pairs if kind_group(q) == kind], max_options)
        for kind in (kinds if has_kinds else ())
    }
    language_of = [q.language or detect_language(q.text) for q in questions]
    languages = sorted(set(language_of), key=_language_order)
    by_language = {
        lang: _figures(
            [pair for pair, of in zip(pairs, language_of, strict=True) if of == lang],
            max_options,
        )
        for lang in (languages if languages not in ([], ["en"]) else ())
    }
    labels = frozenset().union(*(q.intents for q in questions))
    return EvalReport(
        **asdict(_figures(pairs, max_options)),
        confusions=tuple(
            Confusion(expected, answered, count)
            for (expected, answered), count in sorted(
                wrong.items(), key=lambda item: (-item[1], item[0][0], item[0][1])
            )
        ),
        misses=misses,
        by_kind=by_kind,
        by_language=by_language,
        unknown_intents=tuple(sorted(labels - topics)) if topics else (),
    )


def _figures(pairs: Sequence[tuple[LabelledQuestion, MatchResult]], max_options: int) -> Figures:
    in_scope = [(q, r) for q, r in pairs if q.in_scope]
    out_of_scope = [r for q, r in pairs if not q.in_scope]
    resolved = sum(
        _answered(r, q.intents) or _offered(r, q.intents, max_options) for q, r in in_scope
    )
    return Figures(
        questions=len(pairs),
        in_scope=len(in_scope),
        out_of_scope=len(out_of_scope),
        in_scope_accuracy=_share(sum(_answered(r, q.intents) for q, r in in_scope), len(in_scope)),
        in_scope_resolved=_share(resolved, len(in_scope)),
        false_answer_rate=_share(sum(_false_answer(q, r) for q, r in pairs), len(pairs)),
        out_of_scope_recall=_share(
            sum(r.outcome is Outcome.FALLBACK for r in out_of_scope), len(out_of_scope)
        ),
        outcomes=dict(Counter(str(r.outcome) for _, r in pairs)),
    )


def _language_order(language: str) -> int:
    return LANGUAGES.index(language) if language in LANGUAGES else len(LANGUAGES)


def kind_group(item: LabelledQuestion | Miss) -> str:
    """The group a line is reported in: its kind, or `NO_KIND`."""
    return NO_KIND if item.kind is None else item.kind


def _miss(question: LabelledQuestion, result: MatchResult, max_options: int) -> Miss:
    return Miss(
        question.text,
        tuple(sorted(question.intents)),
        question.kind,
        str(result.outcome),
        result.intent,
        round(result.score, 4),
        tuple(c.intent for c in result.candidates[:max_options]),
    )


def _answered(result: MatchResult, intents: frozenset[str]) -> bool:
    return result.outcome is Outcome.ANSWER and result.intent in intents


def _offered(result: MatchResult, intents: frozenset[str], max_options: int) -> bool:
    if result.outcome is not Outcome.CLARIFY:
        return False
    options: tuple[Candidate, ...] = result.candidates[:max_options]
    return any(c.intent in intents for c in options)


def _false_answer(question: LabelledQuestion, result: MatchResult) -> bool:
    return (
        result.outcome is Outcome.ANSWER
        and result.intent is not None
        and result.intent not in question.intents
    )


def _handled(question: LabelledQuestion, result: MatchResult) -> bool:
    if not question.in_scope:
        return result.outcome is Outcome.FALLBACK
    return _answered(result, question.intents)


def _share(count: int, total: int) -> float:
    return count / total if total else 0.0
