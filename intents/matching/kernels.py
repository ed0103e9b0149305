"""The loops every message runs through, compiled to machine code by numba.

Scoring a message against the index is a sum over its features' postings (`add_products`)
and then, per topic, a blend of its prototype's and its closest example's and name's
similarity (`blend_rows`). In numpy each takes a dozen array calls of a few microseconds and
temporary arrays of every posting touched; compiled, each is one pass over the data.
Measured on the shipped knowledge base (bench/latency.py's queries, 2026-12-03): 158 -> 24 µs
for a median message and 318 -> 71 µs for the longest, the largest single share of `match()`.

Reading a message's words into term frequencies is a count per feature of some 700 feature
occurrences for a long message, then a weighted sum over its sentences (`count_parts`): a
dict and a Python step per feature cost 60-100 µs of it, one compiled pass a few.

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


def _local_ids(keys: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    """Per key, a small id of its own: 0 for the first distinct key, 1 for the next, ...
    Found in an open-addressing table the size of `keys`, where an array indexed by feature
    id cost an allocation of the whole feature space on every message (38,459 features on
    the shipped knowledge base, two arrays of 150 KB: a third of counting a message)."""
    size = 16
    while size < 2 * keys.shape[0]:
        size *= 2
    mask = size - 1
    table_keys = np.full(size, -1, dtype=np.int64)
    table_ids = np.empty(size, dtype=np.int32)
    local = np.empty(keys.shape[0], dtype=np.int32)
    n_distinct = 0
    for k in range(keys.shape[0]):
        key = np.int64(keys[k])
        slot = (key * 2654435761) & mask  # Knuth's multiplicative hash
        while table_keys[slot] != key and table_keys[slot] >= 0:
            slot = (slot + 1) & mask
        if table_keys[slot] < 0:
            table_keys[slot] = key
            table_ids[slot] = n_distinct
            n_distinct += 1
        local[k] = table_ids[slot]
    return local


def _count_parts(
    keys: npt.NDArray[np.int32],
    ends: npt.NDArray[np.int64],
    discounted: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float64],
    discount: float,
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int32],
    npt.NDArray[np.float64],
    npt.NDArray[np.int32],
    npt.NDArray[np.float64],
]:
    n_in = keys.shape[0]
    local = local_ids(keys)
    in_part = np.full(n_in, -1, dtype=np.int32)  # per local id (fewer than n_in)
    in_total = np.full(n_in, -1, dtype=np.int32)
    part_ptr = np.zeros(ends.shape[0] + 1, dtype=np.int64)
    part_keys = np.empty(n_in, dtype=np.int32)
    part_locals = np.empty(n_in, dtype=np.int32)
    part_counts = np.empty(n_in, dtype=np.float64)
    total_keys = np.empty(n_in, dtype=np.int32)
    total_counts = np.empty(n_in, dtype=np.float64)
    n_part = n_total = start = 0
    for part in range(ends.shape[0]):
        first = n_part
        end = ends[part]
        for k in range(start, end):
            key = keys[k]
            value = 1.0 if k < end - discounted[part] else -discount
            slot = in_part[local[k]]
            if slot < first:  # unseen, or seen in an earlier part only
                in_part[local[k]] = n_part
                part_keys[n_part] = key
                part_locals[n_part] = local[k]
                part_counts[n_part] = value
                n_part += 1
            else:
                part_counts[slot] += value
        part_ptr[part + 1] = n_part
        if weights[part] > 0:
            for slot in range(first, n_part):
                key = part_locals[slot]
                value = weights[part] * part_counts[slot]
                if in_total[key] < 0:
                    in_total[key] = n_total
                    total_keys[n_total] = part_keys[slot]
                    total_counts[n_total] = value
                    n_total += 1
                else:
                    total_counts[in_total[key]] += value
        start = end
    return (
        part_ptr,
        part_keys[:n_part].copy(),
        part_counts[:n_part].copy(),
        total_keys[:n_total].copy(),
        total_counts[:n_total].copy(),
    )


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

local_ids: Callable[[npt.NDArray[np.int32]], npt.NDArray[np.int32]] = _compiled(_local_ids)
"""Per key, its rank among the distinct keys in order of first occurrence (`_local_ids`)."""

count_parts: Callable[..., tuple[npt.NDArray[Any], ...]] = _compiled(_count_parts)
"""A message's term frequencies, per part and in all: `keys` are the feature ids of its
parts one after the other (part p's end at `ends[p]`), each occurrence counting one but the
last `discounted[p]` of each part, which take `discount` off (a corrected word's features,
repeated). Returns each part's distinct features in the order they first occur and their
counts (part p's at `part_ptr[p]:part_ptr[p + 1]`), then the features of the parts of a
positive weight, first occurrence first, with their counts times their part's weight added
up part after part: what a `Counter` per part and a dict of running sums gave, to the last
bit, without a Python step per feature (a long message has some 700)."""

blend_rows: Callable[..., npt.NDArray[np.float64]] = _compiled(_blend_rows)
"""Per query (rows of `similarity`: the topics' prototypes, then their example-or-name rows)
and topic: (1 - example_weight) × its prototype's similarity + example_weight × its closest
example's, at least name_weight × its closest name's (0 without a name); the declined topics
by declined_weight × their closest text alone; times vague_factor for a vague query; in
[0, 1]. Every topic has at least one text. Similarities are never negative."""
