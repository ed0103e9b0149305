"""How much one example edit moves the answers: the shipped knowledge base with one example
question removed, many times over, scored on labelled questions.

KT staff edit the YAML every week. A matcher whose answers swing when one unrelated example is
added or removed makes every edit a gamble and every figure partly luck. This benchmark removes
one randomly chosen example question (seeded), rebuilds the matcher and scores the labelled
files, `--samples` times, for the shipped training (prototypes averaged over the correction
passes) and, as the in-run baseline, the last correction pass alone. It prints the accuracy of
the unchanged knowledge base, and the mean, spread (standard deviation) and range over the
edited ones.

Run by hand (it prints figures, asserts nothing):

    .venv/bin/python bench/stability.py                        # dev.jsonl + public.jsonl
    .venv/bin/python bench/stability.py --samples 30 FILE ...
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the bot does (intents/__init__.py)
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intents.knowledge.base import KnowledgeBase
from intents.knowledge.loader import load_knowledge
from intents.matching.evaluation import LabelledQuestion, evaluate, read_labelled
from intents.matching.index import IndexConfig
from intents.matching.matcher import Matcher
from intents.matching.prototypes import RefineConfig

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval"
DEFAULT_FILES = (EVAL / "dev.jsonl", EVAL / "public.jsonl")
SEED = 11
TRAININGS = {
    "averaged over passes (shipped)": IndexConfig(refine=RefineConfig(averaged=True)),
    "last pass only (baseline)": IndexConfig(refine=RefineConfig(averaged=False)),
}


def without_one_example(kb: KnowledgeBase, rng: random.Random) -> KnowledgeBase:
    topic = rng.choice(list(kb.topics.values()))
    drop = rng.randrange(len(topic.questions))
    questions = topic.questions[:drop] + topic.questions[drop + 1 :]
    edited = topic.model_copy(update={"questions": questions})
    return dataclasses.replace(kb, topics={**kb.topics, topic.id: edited})


def accuracy(kb: KnowledgeBase, config: IndexConfig, questions: list[LabelledQuestion]) -> float:
    return evaluate(Matcher.build(kb, config), questions).in_scope_accuracy


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="labelled JSON lines")
    parser.add_argument("--knowledge", type=Path, default=REPO / "knowledge")
    parser.add_argument("--samples", type=int, default=20, help="edited knowledge bases")
    args = parser.parse_args(argv)
    files = args.files or [f for f in DEFAULT_FILES if f.exists()]
    if not files:
        parser.error(f"no labelled files given and none in {EVAL}")
    questions = [q for f in files for q in read_labelled(f)]
    kb = load_knowledge(args.knowledge)
    print(
        f"{len(questions)} labelled questions ({', '.join(f.name for f in files)}); "
        f"{args.samples} knowledge bases with one example question removed (seed {SEED})"
    )
    for name, config in TRAININGS.items():
        start = time.perf_counter()
        rng = random.Random(SEED)  # the same edits for both trainings
        unchanged = accuracy(kb, config, questions)
        edited = np.array(
            [accuracy(without_one_example(kb, rng), config, questions) for _ in range(args.samples)]
        )
        print(
            f"  {name:<32} unchanged {unchanged:.3f}   one example removed: mean "
            f"{edited.mean():.3f}, sd {edited.std():.3f}, range {edited.min():.3f}-"
            f"{edited.max():.3f}   ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
