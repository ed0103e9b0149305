"""The benchmarks are run by hand, so nothing else notices when a refactor breaks one: each
must at least start and explain itself."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bench import clinc150

BENCH = Path(__file__).resolve().parent.parent / "bench"
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if '__name__ == "__main__"' in p.read_text())
"""The runnable ones (`synthetic.py` is a module the others import)."""


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_benchmark_starts_and_prints_its_usage(script: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "usage" in done.stdout.lower()


def test_the_clinc_split_spread_scores_every_split_with_its_own_threshold() -> None:
    val = [(f"q{k}", f"intent{k % 3}") for k in range(12)]
    oos = [(f"o{k}", "oos") for k in range(10)]

    def scorer(queries: Sequence[str]) -> clinc150.Scored:
        # In scope: right, scoring 0.9; out of scope: scores 0.0 to 0.9, so a threshold
        # declining 70 % of them exists on every half.
        return clinc150.Scored(
            [f"intent{int(q[1:]) % 3}" if q[0] == "q" else "intent0" for q in queries],
            np.array([0.9 if q[0] == "q" else int(q[1:]) / 10 for q in queries]),
        )

    accuracy, recall = clinc150.split_spread(scorer, val, oos, seeds=5, min_oos_recall=0.7)
    assert len(accuracy) == len(recall) == 5
    assert np.all(accuracy == 1.0)
    assert np.all((recall >= 0.4) & (recall <= 1.0))
    # Each seed deals its own halves: one split reused for every seed would give one recall.
    assert len(set(recall.tolist())) > 1


def test_the_clinc_semantic_weight_is_the_one_best_on_the_tuning_half_alone() -> None:
    train = [(text, intent) for intent, texts in CLINC_TOY.items() for text in texts]
    tune = clinc150.Split("tuning", [("what fee do you charge", "price")], [("sing", "oos")])
    built: list[float] = []

    def build(weight: float) -> clinc150.Matcher:
        built.append(weight)
        return clinc150.build_matcher(train, None, (), weight)

    weight, matcher, (in_scope, gold, _) = clinc150.choose_semantic_weight(
        build, [0.0, 0.5], tune, min_oos_recall=0.0
    )
    assert built == [0.0, 0.5]
    # Words alone share nothing with "what fee do you charge"; meaning ranks "price" first.
    assert weight == 0.5
    assert matcher.kb.settings.semantic_weight == 0.5
    assert (in_scope.predicted, gold) == (["price"], ["price"])


def test_a_clinc_split_already_scored_is_not_scored_again() -> None:
    asked: list[str] = []

    def scorer(queries: Sequence[str]) -> clinc150.Scored:
        asked.extend(queries)
        return clinc150.Scored(["a"] * len(queries), np.full(len(queries), 0.5))

    tune = clinc150.Split("tuning", [("t", "a")], [("t-oos", "oos")])
    report = clinc150.Split("report", [("r", "a")], [("r-oos", "oos")])
    known = {"tuning": clinc150.score_split(scorer, tune)}
    asked.clear()
    clinc150.run_variant("toy", scorer, tune, [report], 0.0, known=known)
    assert asked == ["r", "r-oos"]


CLINC_TOY = {
    "price": ("how much does it cost", "what is the price", "is it expensive"),
    "address": ("where is your office", "what is your postal address", "where are you based"),
}
