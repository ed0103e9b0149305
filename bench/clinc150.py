"""CLINC150 benchmark: the matcher as an intent classifier with out-of-scope detection.

Builds a knowledge base from the CLINC150 train split (all 100 examples per intent, and a
10-per-intent few-shot variant), chooses the answer threshold on the validation split, and
reports in-scope accuracy (answered with the right intent) and out-of-scope recall
(out-of-scope queries declined). The naive baseline in the same run is the nearest example by
`rapidfuzz.fuzz.token_sort_ratio`, with its threshold chosen the same way.

Run by hand (it prints figures, asserts nothing):

    .venv/bin/python bench/clinc150.py                 # evaluate on val / oos_val
    .venv/bin/python bench/clinc150.py --test FILE     # held-out split: keys test, oos_test

Protocol: thresholds are picked on `val`/`oos_val` as the lowest score that declines at least
half of the out-of-scope queries (the operating point of the targets: accuracy at ≥ 0.50
out-of-scope recall). Without `--test` the figures are measured on that same split, which
flatters both systems equally. The "did you mean…" outcome is switched off here (clarify
threshold = answer threshold, margin 0): CLINC scores a single answer per query.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intents.knowledge import KnowledgeBase
from intents.matcher import Matcher
from intents.models import MatchingSettings, Topic

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/clinc150/train_val.json"
MIN_OOS_RECALL = 0.5
Pairs = list[tuple[str, str]]
"""(text, intent) pairs; intent "oos" is out of scope."""


@dataclass(frozen=True, slots=True)
class Scored:
    """Per query: the predicted intent and its score."""

    predicted: list[str]
    scores: np.ndarray


@dataclass(frozen=True, slots=True)
class Figures:
    accuracy: float
    oos_recall: float
    top1: float
    """Accuracy if every in-scope query were answered (no threshold)."""
    threshold: float


def clinc_knowledge_base(train: Pairs, shots: int | None) -> KnowledgeBase:
    """One topic per intent, with its first `shots` training examples as questions."""
    examples: dict[str, list[str]] = defaultdict(list)
    for text, intent in train:
        if shots is None or len(examples[intent]) < shots:
            examples[intent].append(text)
    topics = {
        intent: Topic(
            id=intent,
            title=intent.replace("_", " "),
            category="clinc",
            questions=tuple(texts),
            answer=f"(the {intent} intent)",
        )
        for intent, texts in examples.items()
    }
    # Single answer per query: clarify switched off (see the module docstring).
    settings = MatchingSettings(answer_threshold=0.0, clarify_threshold=0.0, clarify_margin=0.0)
    return KnowledgeBase(topics, {}, {}, settings, f"clinc150-{shots or 'full'}", Path("."))


def matcher_scores(matcher: Matcher, queries: Sequence[str]) -> Scored:
    ranked = [matcher.rank(q) for q in queries]
    return Scored(
        [r[0].intent if r else "" for r in ranked],
        np.array([r[0].score if r else 0.0 for r in ranked]),
    )


def fuzzy_scores(train: Pairs, shots: int | None, queries: Sequence[str]) -> Scored:
    """Naive baseline: the intent of the nearest example by token_sort_ratio."""
    kb = clinc_knowledge_base(train, shots)
    texts = [q for t in kb.topics.values() for q in t.questions]
    owners = [t.id for t in kb.topics.values() for _ in t.questions]
    matrix = process.cdist(queries, texts, scorer=fuzz.token_sort_ratio, dtype=np.uint8, workers=-1)
    best = matrix.argmax(axis=1)
    return Scored([owners[i] for i in best], matrix.max(axis=1).astype(float) / 100)


def choose_threshold(in_scope: Scored, oos: Scored) -> float:
    """Lowest threshold declining at least MIN_OOS_RECALL of the out-of-scope queries."""
    candidates = np.unique(np.concatenate([in_scope.scores, oos.scores, [np.inf]]))
    for threshold in candidates:
        if np.mean(oos.scores < threshold) >= MIN_OOS_RECALL:
            return float(threshold)
    return float("inf")


def figures(in_scope: Scored, gold: Sequence[str], oos: Scored, threshold: float) -> Figures:
    right = np.array([p == g for p, g in zip(in_scope.predicted, gold, strict=True)])
    return Figures(
        accuracy=float(np.mean(right & (in_scope.scores >= threshold))),
        oos_recall=float(np.mean(oos.scores < threshold)),
        top1=float(np.mean(right)),
        threshold=threshold,
    )


def run_variant(
    name: str,
    scorer: Callable[[Sequence[str]], Scored],
    val: Pairs,
    oos_val: Pairs,
    test: Pairs,
    oos_test: Pairs,
) -> Figures:
    start = time.perf_counter()
    threshold = choose_threshold(scorer([t for t, _ in val]), scorer([t for t, _ in oos_val]))
    result = figures(
        scorer([t for t, _ in test]),
        [i for _, i in test],
        scorer([t for t, _ in oos_test]),
        threshold,
    )
    elapsed = time.perf_counter() - start
    print(
        f"{name:<34} accuracy {result.accuracy:.3f}  oos recall {result.oos_recall:.3f}  "
        f"top-1 {result.top1:.3f}  threshold {result.threshold:.3f}  ({elapsed:.1f} s)",
        flush=True,
    )
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="train_val.json")
    parser.add_argument("--test", type=Path, help="held-out split (keys test, oos_test)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the rapidfuzz NN")
    args = parser.parse_args(argv)
    data = json.loads(args.data.read_text(encoding="utf-8"))
    train: Pairs = [(t, i) for t, i in data["train"]]
    val: Pairs = [(t, i) for t, i in data["val"]]
    oos_val: Pairs = [(t, i) for t, i in data["oos_val"]]
    if args.test:
        held = json.loads(args.test.read_text(encoding="utf-8"))
        test, oos_test = [(t, i) for t, i in held["test"]], [(t, i) for t, i in held["oos_test"]]
        split = str(args.test)
    else:
        test, oos_test, split = val, oos_val, "val (thresholds chosen on the same split)"
    print(f"CLINC150: {len(test)} in-scope and {len(oos_test)} out-of-scope queries from {split}")

    for shots in (None, 10):
        label = "full (100/intent)" if shots is None else f"{shots}-shot"
        start = time.perf_counter()
        matcher = Matcher.build(clinc_knowledge_base(train, shots))
        built = time.perf_counter() - start
        print(f"\n{label}: {len(matcher.kb.topics)} topics, built in {built:.2f} s")
        run_variant(
            "ktbot matcher",
            lambda qs, m=matcher: matcher_scores(m, qs),
            val,
            oos_val,
            test,
            oos_test,
        )
        if not args.no_baseline:
            run_variant(
                "naive NN (token_sort_ratio)",
                lambda qs, s=shots: fuzzy_scores(train, s, qs),
                val,
                oos_val,
                test,
                oos_test,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
