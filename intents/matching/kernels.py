"""The loops every message runs through, compiled to machine code by numba.

Scoring a message against the index is a sum over its features' postings (`add_products`)
and then, per topic, a blend of its prototype's and its closest example's and name's
similarity (`blend_rows`). In numpy each takes a dozen array calls of a few microseconds and
temporary arrays of every posting touched; compiled, each is one pass over the data.
Measured on the shipped knowledge base (bench/latency.py's queries, 2026-12-03): 158 -> 24 µs
for a median message and 318 -> 71 µs for the longest, the largest single share of `match()`.

Reading a message's words into term frequencies is a count per feature of some 700 feature
occurrences for a long message, then a weighted sum over its sentences (`sum_by_key`): a
dict and a Python step per feature cost 60-100 µs of it, a compiled pass a few.

All are the plain definitions written as loops; the tests check them against numpy's or
Python's (`tests/test_sparse.py`, `tests/test_kernels.py`). Compiled on first use, or read
from numba's cache in `__pycache__` (`TopicIndex.warm_up` does it when the knowledge base
loads).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

_compiled = njit(cache=True, nogil=True)


def _add_products(
    out: npt.NDArray[np.float64],
    ids: npt.NDArray[np.int32],
    weights: npt.NDArray[np.float32],
    dense_slot: npt.NDArray[np.int32],
    dense: npt.NDArray[np.float32],
    postings_ptr: npt.NDArray[np.int64],
    postings_rows: npt.NDArray[np.integer[Any]],
    postings_values: npt.NDArray[np.float32],
) -> None:
    for k in range(ids.shape[0]):
        feature = ids[k]
        weight = weights[k]
        slot = dense_slot[feature]
        if slot >= 0:
            column = dense[slot]
            for row in range(out.shape[0]):
                out[row] += weight * column[row]
        else:
            for posting in range(postings_ptr[feature], postings_ptr[feature + 1]):
                out[postings_rows[posting]] += weight * postings_values[posting]


def _sum_by_key(
    keys: npt.NDArray[np.int32], values: npt.NDArray[np.float64], n_keys: int
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]]:
    slot = np.full(n_keys, -1, dtype=np.int32)
    found = np.empty(keys.shape[0], dtype=np.int32)
    sums = np.empty(keys.shape[0], dtype=np.float64)
    n = 0
    for k in range(keys.shape[0]):
        key = keys[k]
        if slot[key] < 0:
            slot[key] = n
            found[n] = key
            sums[n] = values[k]
            n += 1
        else:
            sums[slot[key]] += values[k]
    return found[:n].copy(), sums[:n].copy()


def _blend_rows(
    similarity: npt.NDArray[np.float64],
    n_topics: int,
    text_starts: npt.NDArray[np.int32],
    is_name: npt.NDArray[np.bool_],
    declined: npt.NDArray[np.bool_],
    vague: npt.NDArray[np.bool_],
    example_weight: float,
    name_weight: float,
    declined_weight: float,
    vague_factor: float,
) -> npt.NDArray[np.float64]:
    n_texts = similarity.shape[1] - n_topics
    out = np.empty((similarity.shape[0], n_topics))
    for query in range(similarity.shape[0]):
        row = similarity[query]
        for topic in range(n_topics):
            start = text_starts[topic]
            end = text_starts[topic + 1] if topic + 1 < n_topics else n_texts
            closest = row[n_topics + start]
            closest_name = 0.0
            for text in range(start, end):
                value = row[n_topics + text]
                closest = max(closest, value)
                if is_name[text]:
                    closest_name = max(closest_name, value)
            if declined[topic]:
                score = declined_weight * closest
            else:
                score = (1 - example_weight) * row[topic] + example_weight * closest
                score = max(score, name_weight * closest_name)
            if vague[query]:
                score *= vague_factor
            out[query, topic] = min(max(score, 0.0), 1.0)
    return out


# numba ships no annotations: the compiled functions are typed here as the loops they compile.
add_products: Callable[..., None] = _compiled(_add_products)
"""`out[row] += Σ weight × matrix[row, feature]` over the vector (`ids`, `weights`), for the
matrix stored as `FeatureMatrix` stores it: products in float32 as the values are stored,
summed in float64."""

sum_by_key: Callable[
    [npt.NDArray[np.int32], npt.NDArray[np.float64], int],
    tuple[npt.NDArray[np.int32], npt.NDArray[np.float64]],
] = _compiled(_sum_by_key)
"""The distinct `keys` (each in [0, n_keys)), in the order they first occur, and the sum of
their `values`, added in the order they occur: what `Counter` or a dict of running sums gives,
to the last bit, without a Python step per key (a long message has some 700 features)."""

blend_rows: Callable[..., npt.NDArray[np.float64]] = _compiled(_blend_rows)
"""Per query (rows of `similarity`: the topics' prototypes, then their example-or-name rows)
and topic: (1 - example_weight) × its prototype's similarity + example_weight × its closest
example's, at least name_weight × its closest name's (0 without a name); the declined topics
by declined_weight × their closest text alone; times vague_factor for a vague query; in
[0, 1]. Every topic has at least one text. Similarities are never negative."""
