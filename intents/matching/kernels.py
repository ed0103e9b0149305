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

Finding each topic's closest example in meaning (`intents.matching.semantic`) is a bound on
every example's product with the message from an 8-bit copy of the table (`product_bounds`,
`screen_rows`), then the exact products of the few rows that can be the largest, summed in
the order BLAS sums them (`blas_order_products`), so that they are BLAS's to the last bit.

All are the plain definitions written as loops; the tests check them against numpy's or
Python's or BLAS's (`tests/test_sparse.py`, `tests/test_kernels.py`,
`tests/test_screening.py`). Compiled on first use, or read from numba's cache in
`__pycache__` (`TopicIndex.warm_up` and `SemanticIndex` do it when the knowledge base loads).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np
import numpy.typing as npt
from llvmlite import ir
from numba import njit, types
from numba.core.typing.templates import Signature
from numba.extending import intrinsic

_compiled = njit(cache=True, nogil=True)


def _fma_intrinsic(
    typingctx: object, a: types.Type, b: types.Type, c: types.Type
) -> tuple[Signature, Callable[..., object]]:
    signature = types.float32(types.float32, types.float32, types.float32)

    def codegen(  # `context`: numba's lowering context, which it does not annotate
        context: Any, builder: ir.IRBuilder, sig: Signature, args: list[ir.Value]
    ) -> ir.Value:
        single = ir.FloatType()
        fma = builder.module.declare_intrinsic(
            "llvm.fma", [single], ir.FunctionType(single, [single, single, single])
        )
        return builder.call(fma, args)

    return signature, codegen


def _prefetch_intrinsic(
    typingctx: object, values: types.Array, index: types.Integer
) -> tuple[Signature, Callable[..., object]]:
    signature = types.void(values, index)

    def codegen(
        context: Any, builder: ir.IRBuilder, sig: Signature, args: list[ir.Value]
    ) -> ir.Value:
        array = context.make_array(sig.args[0])(context, builder, args[0])
        byte = ir.IntType(8).as_pointer()
        flag = ir.IntType(32)
        prefetch = builder.module.declare_intrinsic(
            "llvm.prefetch", [byte], ir.FunctionType(ir.VoidType(), [byte, flag, flag, flag])
        )
        address = builder.bitcast(builder.gep(array.data, [args[1]]), byte)
        # A read (0), kept in every cache level (3), of data (1).
        builder.call(prefetch, [address, flag(0), flag(3), flag(1)])
        return context.get_dummy_value()

    return signature, codegen


_prefetch = cast(Callable[[npt.NDArray[Any], int], None], intrinsic(_prefetch_intrinsic))
"""Ask for the cache line of `values[index]` (a contiguous 1-d array) to be loaded, without
waiting for it: rows of a table read from memory one after the other each wait for the
memory's latency, asked for together they arrive together."""

_fused = cast(Callable[[float, float, float], float], intrinsic(_fma_intrinsic))
"""a × b + c rounded once, in float32, inside compiled code: the FMA instruction BLAS's
kernels use (LLVM's `llvm.fma`; a correctly rounded library call where the processor has
none)."""


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
    scale: npt.NDArray[np.float64],
    scaled: bool,
) -> npt.NDArray[np.float64]:
    n_texts = similarity.shape[1] - n_topics
    out = np.empty((similarity.shape[0], n_topics))
    for query in range(similarity.shape[0]):
        row = similarity[query]
        if scaled:
            # Scaled in place, before anything reads it, as `similarity *= scale` did.
            for column in range(row.shape[0]):
                row[column] *= scale[column]
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


def _row_sums(
    quantized: npt.NDArray[np.int8], levels: npt.NDArray[np.int16]
) -> npt.NDArray[np.int32]:
    out = np.empty(quantized.shape[0], dtype=np.int32)
    for row in range(quantized.shape[0]):
        total = np.int32(0)
        for j in range(levels.shape[0]):
            # 16-bit products summed in 32 bits: what the processor's multiply-add of
            # 16-bit pairs does 16 at a time.
            total = np.int32(total + np.int32(np.int16(quantized[row, j]) * levels[j]))
        out[row] = total
    return out


def _product_bounds(
    quantized: npt.NDArray[np.int8],
    scales: npt.NDArray[np.float64],
    residuals: npt.NDArray[np.float64],
    magnitudes: npt.NDArray[np.float64],
    message: npt.NDArray[np.float32],
    slack: float,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    # The message in 16 bits: `levels` × `step`, off by `error` (a norm).
    peak = norm = 0.0
    for value in message:
        peak = max(peak, abs(float(value)))
        norm += float(value) ** 2
    norm = np.sqrt(norm)
    step = peak / 32767 if peak > 0 else 1.0
    levels = np.empty(message.shape[0], dtype=np.int16)
    error = 0.0
    for j in range(message.shape[0]):
        levels[j] = round(float(message[j]) / step)
        error += (float(message[j]) - levels[j] * step) ** 2
    error = np.sqrt(error)
    sums = row_sums(quantized, levels)
    low = np.empty(quantized.shape[0])
    high = np.empty(quantized.shape[0])
    for row in range(quantized.shape[0]):
        value = scales[row] * step * float(sums[row])
        # What the 8 bits miss of the row and the 16 bits of the message (Cauchy-Schwarz),
        # and the rounding of the exact float32 product.
        bound = residuals[row] * norm + magnitudes[row] * (error + slack * norm)
        low[row] = value - bound
        high[row] = value + bound
    return low, high


def _screen_rows(
    quantized: npt.NDArray[np.int8],
    scales: npt.NDArray[np.float64],
    residuals: npt.NDArray[np.float64],
    magnitudes: npt.NDArray[np.float64],
    starts: npt.NDArray[np.intp],
    message: npt.NDArray[np.float32],
    slack: float,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    low, high = product_bounds(quantized, scales, residuals, magnitudes, message, slack)
    n_rows, n_groups = quantized.shape[0], starts.shape[0]
    rows = np.empty(n_rows, dtype=np.int64)
    group_starts = np.empty(n_groups, dtype=np.int64)
    kept = 0
    for group in range(n_groups):
        start = starts[group]
        end = starts[group + 1] if group + 1 < n_groups else n_rows
        floor = -np.inf  # what the group's closest row surely reaches
        for row in range(start, end):
            floor = max(floor, low[row])
        group_starts[group] = kept
        for row in range(start, end):
            if high[row] >= floor:
                rows[kept] = row
                kept += 1
    return rows[:kept].copy(), group_starts


def _blas_order_products(
    table: npt.NDArray[np.float32],
    rows: npt.NDArray[np.int64],
    message: npt.NDArray[np.float32],
    n_blocked: int,
) -> npt.NDArray[np.float32]:
    dims = message.shape[0]
    flat = table.reshape(-1)
    for k in range(rows.shape[0]):
        for at in range(0, dims, 16):  # a 64-byte cache line holds 16 values
            _prefetch(flat, rows[k] * dims + at)
    out = np.empty(rows.shape[0], dtype=np.float32)
    lanes = np.empty(8, dtype=np.float32)
    for k in range(rows.shape[0]):
        if rows[k] >= n_blocked:
            out[k] = np.nan  # a row BLAS leaves to its other kernels: the caller's to compute
            continue
        row = table[rows[k]]
        lanes[:] = 0
        i = 0
        if dims & 4:  # the kernel's first 4 values, then 8, then 16 at a time (2 × 8 lanes)
            for lane in range(4):
                lanes[lane] = _fused(row[lane], message[lane], lanes[lane])
            i = 4
        if dims & 8:
            for lane in range(8):
                lanes[lane] = _fused(row[i + lane], message[i + lane], lanes[lane])
            i += 8
        while i < dims:
            for half in (0, 8):
                for lane in range(8):
                    at = i + half + lane
                    lanes[lane] = _fused(row[at], message[at], lanes[lane])
            i += 16
        # The upper 4 lanes onto the lower 4, then two horizontal adds.
        out[k] = (lanes[0] + lanes[4] + (lanes[1] + lanes[5])) + (
            lanes[2] + lanes[6] + (lanes[3] + lanes[7])
        )
    return out


def _weigh_counts(
    logs: npt.NDArray[np.float64],
    counts: npt.NDArray[np.float64],
    weights: npt.NDArray[np.float32],
    ids: npt.NDArray[np.int32],
) -> None:
    for k in range(logs.shape[0]):
        value = logs[k] + 1.0 if counts[k] >= 1 else counts[k]
        logs[k] = value * weights[ids[k]]


def _divided_to_float32(values: npt.NDArray[np.float64], length: float) -> npt.NDArray[np.float32]:
    out = np.empty(values.shape[0], dtype=np.float32)
    for k in range(values.shape[0]):
        out[k] = values[k] / length if length > 0 else values[k]
    return out


def _blended_meaning(
    centroid: npt.NDArray[np.float32],
    closest: npt.NDArray[np.float32],
    declined: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    scores = np.empty(centroid.shape[0])
    topics = np.empty(centroid.shape[0] - np.count_nonzero(declined))
    n_topics = 0
    for t in range(centroid.shape[0]):
        if declined[t]:
            scores[t] = closest[t]
        else:
            scores[t] = np.float32(0.5) * (centroid[t] + closest[t])
            topics[n_topics] = scores[t]
            n_topics += 1
    return scores, topics


def _ranked_first(
    scores: npt.NDArray[np.float64], k: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    n = scores.shape[0]
    k = min(k, n)
    taken = np.zeros(n, dtype=np.bool_)
    best = np.empty(k, dtype=np.int64)
    for rank in range(k):
        chosen = -1
        for i in range(n):
            if taken[i]:
                continue
            value, held = scores[i], scores[chosen]
            # Before the one held: higher, or a number where a NaN is held. Equal scores
            # (0.0 and -0.0 too) keep the order of their indices, as a stable sort does.
            if chosen < 0 or value > held or (held != held and value == value):
                chosen = i
        taken[chosen] = True
        best[rank] = chosen
    return best, scores[best]


def _covered_scores(scores: npt.NDArray[np.float64], divisor: float) -> npt.NDArray[np.float64]:
    out = np.empty(scores.shape[0])
    for i in range(scores.shape[0]):
        value = scores[i] / divisor
        out[i] = 1.0 if value > 1.0 else value  # a NaN stays, as in `np.minimum`
    return out


def _add_clipped(
    scores: npt.NDArray[np.float64], weight: float, values: npt.NDArray[np.float64]
) -> None:
    for i in range(scores.shape[0]):
        value = scores[i] + weight * values[i]
        # `np.clip`'s comparisons: -0.0 and a NaN stay as they are.
        if value < 0.0:
            value = 0.0
        elif value > 1.0:
            value = 1.0
        scores[i] = value


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
[0, 1]. Every topic has at least one text. Similarities are never negative. When `scaled`,
`similarity` is first multiplied in place by `scale` (one value per column), the product
`similarity *= scale` gives, without a pass of its own over the array."""

row_sums: Callable[..., npt.NDArray[np.int32]] = _compiled(_row_sums)
"""Per row of `quantized` (8 bits), its product with `levels` (16 bits), exact: at most
d × 127 × 32,767, which 32 bits hold for up to 516 dimensions."""

product_bounds: Callable[..., tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]] = _compiled(
    _product_bounds
)
"""Per row of a float32 table given in 8 bits, bounds within which its float32 product with
`message` (as BLAS computes it) lies, from its 8-bit estimate: see `screen_rows`."""

screen_rows: Callable[..., tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]] = _compiled(
    _screen_rows
)
"""The rows of a float32 table, grouped (group g's first row at `starts[g]`), that may hold
their group's largest product with `message`, in row order, and where each group's start
among them: every row whose product can reach what another row of its group surely reaches.
The table is given in 8 bits (row ≈ `scales` × `quantized`; `residuals`: the norm of
what that misses; `magnitudes`: the row's norm plus its 8-bit form's) and the message in 16
bits, so each estimate is an exact integer sum (`row_sums`): it is off by at most the
residual times the message's norm plus the 8-bit row's norm times what the 16 bits miss of
the message (Cauchy-Schwarz), and the exact float32 product the caller computes for the rows
kept by at most d × float32's epsilon / 2 × the two norms (d the dimensions), which `slack`
(at least d × float32's epsilon) × `magnitudes` × the message's norm covers. The largest
product of a group is always among its rows kept, strictly above every row left out; every
group keeps at least one."""

blas_order_products: Callable[..., npt.NDArray[np.float32]] = _compiled(_blas_order_products)
"""`(table @ message)[rows]` as OpenBLAS's float32 matrix-vector kernel for Haswell and Zen
processors computes it (`sgemv_t_microk_haswell-4.c`), to the last bit, for the rows it
takes in blocks of 4 (those before `n_blocked`; NaN for the others): per row, 8 lanes of
fused multiply-adds over the values (value j in lane j mod 8, in order; a first 4 and 8 when
the dimensions are not a multiple of 16), then lane l + 4 added to lane l and the four sums
added pairwise. Only where it gives BLAS's own products: `semantic.exact_products_agree`."""

weigh_counts: Callable[..., None] = _compiled(_weigh_counts)
"""In place, `logs` (the log of each count, at least 1) turned into a query's feature values:
1 + the log for a count of at least 1, the count itself below (a weighed-down sentence's),
times the feature's weight (`weights[ids]`): what `values += 1.0`, `np.copyto(values, counts,
where=counts < 1)` and `values *= weights[ids]` compute, in one call instead of five."""

divided_to_float32: Callable[..., npt.NDArray[np.float32]] = _compiled(_divided_to_float32)
"""`values / length` (unchanged when `length` is not positive) in float32: what `values /=
length` and `values.astype(np.float32)` compute, in one call instead of two."""

blended_meaning: Callable[..., tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]] = _compiled(
    _blended_meaning
)
"""Per topic, half its centroid's cosine plus half its closest example's, in float32 (the
declined questions: the closest alone), as float64 scores; and the scores of the topics not
declined, in order: what `0.5 * (centroid + closest)`, the declined rows' assignment, the
copy to float64 and the selection of the others compute, in one call instead of six."""

ranked_first: Callable[
    [npt.NDArray[np.float64], int], tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]
] = _compiled(_ranked_first)
"""The indices of the `k` highest `scores`, highest first, equal ones in the order of their
indices and NaN after every number, and their scores: what `(-scores).argsort(kind="stable")
[:k]` and the scores at those indices give, without sorting all of them."""

covered_scores: Callable[[npt.NDArray[np.float64], float], npt.NDArray[np.float64]] = _compiled(
    _covered_scores
)
"""`np.minimum(scores / divisor, 1.0)` in one call instead of two."""

add_clipped: Callable[[npt.NDArray[np.float64], float, npt.NDArray[np.float64]], None] = _compiled(
    _add_clipped
)
"""In place, `scores += weight * values` then `scores.clip(0.0, 1.0, out=scores)`, in one call
instead of three."""
