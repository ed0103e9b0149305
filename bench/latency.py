"""Latency, build time and memory of the matcher, on the shipped and a large synthetic KB.

Run by hand (prints figures, asserts nothing):

    .venv/bin/python bench/latency.py [--knowledge DIR] [--topics 1000] [--examples 10]

Per-query matching time (p50/p99) is measured on the shipped knowledge base (queries: the
public evaluation questions and variants of the examples) and on a synthetic knowledge base
of 1,000 topics × 10 examples, next to `rapidfuzz.process.extractOne` over the same example
texts as an in-run baseline (the ratio printed is ours / extractOne's). Also: load + index
build time, and the memory held by the built matcher (RSS delta and tracemalloc).

Each query is timed `ROUNDS` times. Two figures are printed for each timed function: the
percentiles of all single timings (raw, as before), and the percentiles over queries of each
query's median timing (per-query median; see `percentiles`).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the bot does (intents/__init__.py)
import numpy as np
from rapidfuzz import fuzz, process

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synthetic import TEMPLATES, InventedWords
from intents.knowledge.base import KnowledgeBase
from intents.knowledge.loader import load_knowledge
from intents.knowledge.models import MatchingSettings, Topic
from intents.matching.evaluation import read_labelled
from intents.matching.matcher import Matcher, topic_texts

REPO = Path(__file__).resolve().parents[1]
PUBLIC_EVAL = REPO.parent / "shared/eval/public.jsonl"
ROUNDS = 5
"""Each query is timed this many times (odd, so a query's median is one of its timings)."""
BUILDS = 3


def synthetic_kb(n_topics: int, per_topic: int, seed: int = 7) -> tuple[KnowledgeBase, list[str]]:
    """Topics of invented words (a few shared, Zipf-like) asked through common templates.

    Also returns queries: unseen phrasings of random topics, and some unrelated noise."""
    rng = random.Random(seed)

    words = InventedWords(rng)
    word = words.word
    topics: dict[str, Topic] = {}
    queries: list[str] = []
    for number in range(n_topics):
        terms = words.topic_terms()
        phrasings: set[str] = set()
        while len(phrasings) < per_topic + 1:
            a, b = rng.sample(terms, 2)
            phrasings.add(rng.choice(TEMPLATES).format(a=a, b=b))
        *questions, held_out = sorted(phrasings)
        rng.shuffle(questions)
        queries.append(held_out)
        topics[f"topic.t{number}"] = Topic(
            id=f"topic.t{number}",
            title=f"{terms[0]} {terms[1]}",
            category="synthetic",
            questions=tuple(questions),
            answer="Synthetic answer.",
        )
    queries += [" ".join(word() for _ in range(rng.randint(2, 8))) for _ in range(n_topics // 5)]
    kb = KnowledgeBase(topics, {}, {}, MatchingSettings(), "synthetic", Path("."))
    return kb, queries


def shipped_queries(kb: KnowledgeBase) -> list[str]:
    """The public evaluation questions, plus lightly altered knowledge-base examples."""
    queries = []
    if PUBLIC_EVAL.is_file():
        queries = [question.text for question in read_labelled(PUBLIC_EVAL)]
    rng = random.Random(3)
    for topic in kb.topics.values():
        for question in rng.sample(list(topic.questions), min(2, len(topic.questions))):
            words = question.split()
            rng.shuffle(words)
            queries.append(" ".join(words[: max(2, len(words) - 1)]))
    return queries


@dataclass(frozen=True)
class Latency:
    """p50 and p99 in milliseconds, two ways (see `percentiles`)."""

    raw: tuple[float, float]
    per_query: tuple[float, float]


def percentiles(run: Callable[[str], object], queries: Sequence[str]) -> Latency:
    """Time `run` on every query, `ROUNDS` rounds over all of them (in the same order, so a
    query never runs twice in a row and finds its data in cache the second time).

    `raw` is over all single timings, as this benchmark always reported it. On this shared
    2-core machine a single timing also measures whatever else the machine did meanwhile (a
    context switch, another process's cache use): with 5 timings per query, the raw p99 is
    about the 9th-slowest of 830 single timings on the shipped knowledge base, so a few
    interrupted calls of any query decide it: 0.75-1.1 ms in consecutive runs of the same
    code (2026-12-02). `per_query` takes each query's median over its rounds first, then
    the percentiles over queries: its p99 is that of the slowest queries themselves, which
    is what changes with the code. Both are printed; the raw figure is the one the targets
    were set on."""
    for query in queries[:50]:  # warm caches and lazy imports
        run(query)
    timings = np.empty((ROUNDS, len(queries)))
    for round_ in timings:
        for i, query in enumerate(queries):
            start = time.perf_counter()
            run(query)
            round_[i] = time.perf_counter() - start
    timings *= 1000
    raw = np.percentile(timings, [50, 99])
    per_query = np.percentile(np.median(timings, axis=0), [50, 99])
    return Latency((float(raw[0]), float(raw[1])), (float(per_query[0]), float(per_query[1])))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(name: str, build: Callable[[], Matcher], queries: Sequence[str]) -> None:
    # Memory first, on a fresh heap: RSS growth while the matcher is built and kept, and
    # what tracemalloc sees still allocated (numpy arrays included) once it is built.
    gc.collect()
    rss_before = rss_mb()
    matcher = build()
    gc.collect()
    rss_delta = rss_mb() - rss_before
    tracemalloc.start()
    traced_matcher = build()
    traced, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del traced_matcher
    # Build time without tracemalloc's overhead; best and median of a few builds, since
    # other work on a shared machine only ever adds time.
    builds = []
    for _ in range(BUILDS):
        start = time.perf_counter()
        build()
        builds.append(time.perf_counter() - start)
    examples = [
        text
        for topic in matcher.kb.topics.values()
        for texts in [topic_texts(topic)]
        for text in (*texts.examples, *texts.names)
    ]
    # The builds above leave garbage; collected now, not by the first timed queries (a cost
    # of building, which the bot pays once per knowledge load, not of matching).
    gc.collect()
    ours = percentiles(matcher.match, queries)
    baseline = percentiles(
        lambda q: process.extractOne(q, examples, scorer=fuzz.token_sort_ratio), queries
    )
    print(
        f"\n{name}: {len(matcher.kb.topics)} topics, {len(examples)} example texts, "
        f"{len(queries)} queries × {ROUNDS}"
    )
    print(
        f"  load + index build      best {min(builds):.3f} s, "
        f"median {float(np.median(builds)):.3f} s ({BUILDS} builds)"
    )
    print(
        f"  memory of the matcher   RSS +{rss_delta:.1f} MB; tracemalloc {traced / 2**20:.1f} MB "
        f"held, {peak / 2**20:.1f} MB peak during build"
    )
    print_latency("all single timings", ours.raw, baseline.raw)
    print_latency("per-query medians", ours.per_query, baseline.per_query)


def print_latency(kind: str, ours: tuple[float, float], baseline: tuple[float, float]) -> None:
    print(f"  {kind}:")
    print(f"    match()               p50 {ours[0]:.3f} ms, p99 {ours[1]:.3f} ms")
    print(f"    extractOne baseline   p50 {baseline[0]:.3f} ms, p99 {baseline[1]:.3f} ms")
    print(
        f"    ratio ours/extractOne p50 {ours[0] / baseline[0]:.2f}, "
        f"p99 {ours[1] / baseline[1]:.2f}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--knowledge", type=Path, default=REPO / "knowledge")
    parser.add_argument("--topics", type=int, default=1000)
    parser.add_argument("--examples", type=int, default=10, help="examples per synthetic topic")
    args = parser.parse_args(argv)

    shipped = load_knowledge(args.knowledge)
    measure(
        f"shipped knowledge base ({args.knowledge})",
        lambda: Matcher.build(load_knowledge(args.knowledge)),
        shipped_queries(shipped),
    )
    # Titles are indexed as examples too, so the synthetic KB holds `examples` + 1 per topic.
    kb, queries = synthetic_kb(args.topics, args.examples - 1)
    measure("synthetic knowledge base", lambda: Matcher.build(kb), queries)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
