"""CLINC150 benchmark: the matcher as an intent classifier with out-of-scope detection.

Builds a knowledge base from the CLINC150 train split (all 100 examples per intent, and a
10-per-intent few-shot variant), chooses the answer threshold on one half of the validation
split, and reports in-scope accuracy (answered with the right intent) and out-of-scope recall
(out-of-scope queries declined) on the other half. The naive baseline in the same run is the
nearest example by `rapidfuzz.fuzz.token_sort_ratio`, with its threshold chosen the same way.

Run by hand (it prints figures, asserts nothing):

    .venv/bin/python bench/clinc150.py                       # tune on half of val, report on half
    .venv/bin/python bench/clinc150.py --min-oos-recall 0.5  # another operating point
    .venv/bin/python bench/clinc150.py --test FILE           # also held-out: test, oos_test
    .venv/bin/python bench/clinc150.py --reference           # with scikit-learn installed
    .venv/bin/python bench/clinc150.py --seeds 40            # and the spread over 40 splits

Protocol: `val` and `oos_val` are each split in two halves, deterministically (a seeded
shuffle, then each intent's queries dealt alternately to the halves, so both halves hold 10
queries per intent and 50 out-of-scope ones). The threshold is the lowest score that declines
at least `MIN_OOS_RECALL` of the tuning half's out-of-scope queries (the operating point:
accuracy at ≥ 0.70 out-of-scope recall); the figures are printed on both halves, so how well
the threshold transfers to unseen queries is visible, and on `--test` if given. The "did you
mean…" outcome is switched off here (clarify threshold = answer threshold, margin 0): CLINC
scores a single answer per query.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the bot does (intents/__init__.py)
import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intents.knowledge.base import KnowledgeBase
from intents.knowledge.models import MatchingSettings, Topic
from intents.matching.matcher import Matcher

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/clinc150/train_val.json"
MIN_OOS_RECALL = 0.70
"""The operating point: the lowest threshold declining this share of out-of-scope queries."""
SEMANTIC_WEIGHTS = (0.0, 0.2, 0.35, 0.5, 0.75)
"""The knowledge base's `semantic_weight` settings tried; chosen on the tuning half, like the
threshold (a setting of the knowledge base, not of the engine)."""
SPLIT_SEED = 150
"""Seed of the shuffle that splits the validation data into a tuning and a report half."""
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


@dataclass(frozen=True, slots=True)
class Split:
    """In-scope and out-of-scope queries scored together, under one name."""

    name: str
    in_scope: Pairs
    oos: Pairs


def halves(pairs: Pairs, seed: int = SPLIT_SEED) -> tuple[Pairs, Pairs]:
    """Two halves of `pairs`: a seeded shuffle, then each intent's pairs dealt alternately, so
    every intent is split evenly (one more in the first half when its count is odd)."""
    order = np.random.default_rng(seed).permutation(len(pairs))
    dealt: Counter[str] = Counter()
    first: Pairs = []
    second: Pairs = []
    for i in order:
        text, intent = pairs[i]
        (first if dealt[intent] % 2 == 0 else second).append((text, intent))
        dealt[intent] += 1
    return first, second


def clinc_knowledge_base(
    train: Pairs, shots: int | None, declined: Sequence[str] = (), semantic_weight: float = 0.0
) -> KnowledgeBase:
    """One topic per intent, with its first `shots` training examples as questions, and
    `declined` as the questions the knowledge base declines (CLINC's `oos_train`)."""
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
    settings = MatchingSettings(
        answer_threshold=0.0,
        clarify_threshold=0.0,
        clarify_margin=0.0,
        semantic_weight=semantic_weight,
    )
    return KnowledgeBase(
        topics,
        {},
        {},
        settings,
        f"clinc150-{shots or 'full'}",
        Path("."),
        out_of_scope=tuple(declined),
    )


def examples_of(train: Pairs, shots: int | None) -> tuple[list[str], list[str]]:
    """The example questions the matcher is given (`clinc_knowledge_base`) and their intents,
    for the baselines trained on the same examples."""
    kb = clinc_knowledge_base(train, shots)
    texts = [q for t in kb.topics.values() for q in t.questions]
    owners = [t.id for t in kb.topics.values() for _ in t.questions]
    return texts, owners


def matcher_scores(matcher: Matcher, queries: Sequence[str]) -> Scored:
    """The best intent per query; a query closer to the declined questions than to it scores
    0, as the bot declines it whatever the threshold."""
    found = [matcher.evidence(q) for q in queries]
    return Scored(
        [e.ranked[0].intent if e.ranked else "" for e in found],
        np.array(
            [
                e.ranked[0].score if e.ranked and e.ranked[0].score > e.out_of_scope else 0.0
                for e in found
            ]
        ),
    )


def fuzzy_scores(train: Pairs, shots: int | None, queries: Sequence[str]) -> Scored:
    """Naive baseline: the intent of the nearest example by token_sort_ratio."""
    texts, owners = examples_of(train, shots)
    matrix = process.cdist(queries, texts, scorer=fuzz.token_sort_ratio, dtype=np.uint8, workers=-1)
    best = matrix.argmax(axis=1)
    return Scored([owners[i] for i in best], matrix.max(axis=1).astype(float) / 100)


def sklearn_scorer(train: Pairs, shots: int | None) -> Callable[[Sequence[str]], Scored] | None:
    """The issue's reference: scikit-learn TF-IDF (words 1-2 + characters 2-5) with logistic
    regression, confidence = the top class probability; None when scikit-learn is absent
    (it is not a dependency: `pip install scikit-learn` to compare)."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-not-found]
        from sklearn.linear_model import LogisticRegression  # type: ignore[import-not-found]
        from sklearn.pipeline import make_union  # type: ignore[import-not-found]
    except ImportError:
        return None
    texts, owners = examples_of(train, shots)
    features = make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
    )
    model = LogisticRegression(C=30, max_iter=2000).fit(features.fit_transform(texts), owners)

    def score(queries: Sequence[str]) -> Scored:
        probabilities = model.predict_proba(features.transform(list(queries)))
        return Scored(
            [str(c) for c in model.classes_[probabilities.argmax(axis=1)]],
            probabilities.max(axis=1),
        )

    return score


def choose_threshold(in_scope: Scored, oos: Scored, min_oos_recall: float) -> float:
    """Lowest threshold declining at least `min_oos_recall` of the out-of-scope queries."""
    candidates = np.unique(np.concatenate([in_scope.scores, oos.scores, [np.inf]]))
    for threshold in candidates:
        if np.mean(oos.scores < threshold) >= min_oos_recall:
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


def build_matcher(
    train: Pairs, shots: int | None, declined: Sequence[str], semantic_weight: float
) -> Matcher:
    return Matcher.build(clinc_knowledge_base(train, shots, declined, semantic_weight))


ScoredSplit = tuple[Scored, list[str], Scored]
"""A split scored: in-scope scores, their gold intents, out-of-scope scores."""


def score_split(scorer: Callable[[Sequence[str]], Scored], split: Split) -> ScoredSplit:
    return (
        scorer([t for t, _ in split.in_scope]),
        [i for _, i in split.in_scope],
        scorer([t for t, _ in split.oos]),
    )


def choose_semantic_weight(
    build: Callable[[float], Matcher], weights: Sequence[float], tune: Split, min_oos_recall: float
) -> tuple[float, Matcher, ScoredSplit]:
    """The `semantic_weight` setting with the best in-scope accuracy on the tuning half, each
    at its own threshold (chosen on the same half, as `run_variant` does), its matcher and its
    scores of the tuning half; the build time and figures of every weight tried are printed."""
    best: tuple[float, float, Matcher, ScoredSplit] | None = None
    for weight in weights:
        start = time.perf_counter()
        matcher = build(weight)
        built = time.perf_counter() - start
        scored = score_split(partial(matcher_scores, matcher), tune)
        in_scope, gold, oos = scored
        result = figures(in_scope, gold, oos, choose_threshold(in_scope, oos, min_oos_recall))
        print(
            f"    semantic_weight {weight:.2f}: built in {built:.2f} s, "
            f"tuning half accuracy {result.accuracy:.3f}",
            flush=True,
        )
        if best is None or result.accuracy > best[0]:
            best = (result.accuracy, weight, matcher, scored)
    assert best is not None, "no semantic weight to try"
    return best[1], best[2], best[3]


def run_variant(
    name: str,
    scorer: Callable[[Sequence[str]], Scored],
    tune: Split,
    reports: Sequence[Split],
    min_oos_recall: float,
    known: Mapping[str, ScoredSplit] | None = None,
) -> dict[str, Figures]:
    """Choose the threshold on `tune`; the figures on `tune` and on each of `reports`.
    `known`: splits already scored by this scorer, by name (not scored again)."""
    start = time.perf_counter()
    known = known or {}
    scored = {
        split.name: known[split.name] if split.name in known else score_split(scorer, split)
        for split in (tune, *reports)
    }
    tuning_in_scope, _, tuning_oos = scored[tune.name]
    threshold = choose_threshold(tuning_in_scope, tuning_oos, min_oos_recall)
    results = {
        split: figures(in_scope, gold, oos, threshold)
        for split, (in_scope, gold, oos) in scored.items()
    }
    elapsed = time.perf_counter() - start
    print(f"  {name}: threshold {threshold:.3f} ({elapsed:.1f} s)", flush=True)
    width = max(len(split) for split in results) + 2
    for split, result in results.items():
        print(
            f"    {split:<{width}}accuracy {result.accuracy:.3f}  "
            f"oos recall {result.oos_recall:.3f}  top-1 {result.top1:.3f}",
            flush=True,
        )
    return results


def split_spread(
    scorer: Callable[[Sequence[str]], Scored],
    val: Pairs,
    oos: Pairs,
    seeds: int,
    min_oos_recall: float,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Report-half accuracy and out-of-scope recall over `seeds` seeded splits of the
    validation data (each query scored once): how much the one reported split owes to luck."""
    in_scope, out = scorer([t for t, _ in val]), scorer([t for t, _ in oos])
    gold = [i for _, i in val]
    accuracy, recall = [], []
    for seed in range(seeds):
        # Halves of indices, dealt by intent exactly as `halves` deals the queries.
        tune_val, report_val = halves([(str(k), i) for k, (_, i) in enumerate(val)], seed)
        tune_oos, report_oos = halves([(str(k), i) for k, (_, i) in enumerate(oos)], seed)
        tv, rv = (np.array([int(k) for k, _ in h]) for h in (tune_val, report_val))
        to, ro = (np.array([int(k) for k, _ in h]) for h in (tune_oos, report_oos))
        threshold = choose_threshold(pick(in_scope, tv), pick(out, to), min_oos_recall)
        result = figures(pick(in_scope, rv), [gold[k] for k in rv], pick(out, ro), threshold)
        accuracy.append(result.accuracy)
        recall.append(result.oos_recall)
    return np.array(accuracy), np.array(recall)


def pick(scored: Scored, rows: npt.NDArray[np.int64]) -> Scored:
    return Scored([scored.predicted[k] for k in rows], scored.scores[rows])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="train_val.json")
    parser.add_argument("--test", type=Path, help="held-out split (keys test, oos_test)")
    parser.add_argument(
        "--min-oos-recall",
        type=float,
        default=MIN_OOS_RECALL,
        help=f"out-of-scope recall the threshold must reach on the tuning half "
        f"(default {MIN_OOS_RECALL})",
    )
    parser.add_argument("--no-baseline", action="store_true", help="skip the rapidfuzz NN")
    parser.add_argument(
        "--semantic-weights",
        type=lambda text: [float(w) for w in text.split(",")],
        default=list(SEMANTIC_WEIGHTS),
        help="the `semantic_weight` settings tried; the one with the best accuracy on the "
        "tuning half is reported (default %(default)s; one value to fix it, 0 for words only)",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        default=0,
        help="also report mean and sd of the report-half figures over this many seeded "
        "splits (0: only the reported split)",
    )
    parser.add_argument(
        "--reference",
        action="store_true",
        help="also run the issue's reference, TF-IDF + logistic regression (needs "
        "scikit-learn, which ktbot does not depend on)",
    )
    parser.add_argument(
        "--no-declined",
        dest="declined",
        action="store_false",
        help="leave out oos_train (by default its 100 queries are the declined questions)",
    )
    args = parser.parse_args(argv)
    data = json.loads(args.data.read_text(encoding="utf-8"))
    train: Pairs = [(t, i) for t, i in data["train"]]
    val, oos_val = [(t, i) for t, i in data["val"]], [(t, i) for t, i in data["oos_val"]]
    val_tune, val_report = halves(val)
    oos_tune, oos_report = halves(oos_val)
    tune = Split("tuning half", val_tune, oos_tune)
    reports = [Split("report half", val_report, oos_report)]
    if args.test:
        held = json.loads(args.test.read_text(encoding="utf-8"))
        test, oos_test = [(t, i) for t, i in held["test"]], [(t, i) for t, i in held["oos_test"]]
        reports.append(Split(args.test.name, test, oos_test))
    print(
        f"CLINC150: thresholds chosen on the tuning half of val ({len(val_tune)} in-scope, "
        f"{len(oos_tune)} out-of-scope queries, seed {SPLIT_SEED}) at ≥ {args.min_oos_recall:.2f}"
        f" out-of-scope recall; reported on "
        + ", ".join(f"{s.name} ({len(s.in_scope)} + {len(s.oos)})" for s in reports)
    )

    declined = [t for t, _ in data["oos_train"]] if args.declined else []

    def spread(scorer: Callable[[Sequence[str]], Scored]) -> None:
        if not args.seeds:
            return
        accuracy, recall = split_spread(scorer, val, oos_val, args.seeds, args.min_oos_recall)
        print(
            f"    over {args.seeds} splits (report half): accuracy {accuracy.mean():.3f} "
            f"(sd {accuracy.std():.3f}), oos recall {recall.mean():.3f} "
            f"(sd {recall.std():.3f}, {np.mean(recall >= args.min_oos_recall):.0%} of "
            f"splits at or above {args.min_oos_recall:.2f})",
            flush=True,
        )

    for shots in (None, 10):
        label = "full (100/intent)" if shots is None else f"{shots}-shot"
        print(f"\n{label}:")
        weight, matcher, tuned = choose_semantic_weight(
            partial(build_matcher, train, shots, declined),
            args.semantic_weights,
            tune,
            args.min_oos_recall,
        )
        run_variant(
            f"ktbot matcher, semantic_weight {weight:.2f}",
            partial(matcher_scores, matcher),
            tune,
            reports,
            args.min_oos_recall,
            known={tune.name: tuned},
        )
        spread(partial(matcher_scores, matcher))
        reference = sklearn_scorer(train, shots) if args.reference else None
        if reference is not None:
            run_variant(
                "reference: TF-IDF + logistic regression",
                reference,
                tune,
                reports,
                args.min_oos_recall,
            )
            spread(reference)
        elif args.reference:
            print("  reference skipped: scikit-learn is not installed")
        if not args.no_baseline:
            run_variant(
                "naive NN (token_sort_ratio)",
                partial(fuzzy_scores, train, shots),
                tune,
                reports,
                args.min_oos_recall,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
