"""Sparse vectors and the row-by-feature matrix every score is computed with.

A `FeatureMatrix` stores frequent features as dense columns and the long tail as posting
lists. The split is what keeps both matching and index training fast at every size: a
feature shared by most rows ("wha", "the") is one contiguous vector, multiplied in bulk (by
BLAS when training, in one compiled loop when matching: `kernels.add_products`), while a rare
one ("medicis") touches only the few rows that contain it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from intents.matching.kernels import add_products

Ids = npt.NDArray[np.int32]
Floats = npt.NDArray[np.float32]
RowIds = npt.NDArray[np.integer[Any]]
"""Row numbers of postings: 16 bits wide when the rows are few enough (`NARROW_ROWS`)."""

DENSE_SHARE = 0.125
"""A feature present in at least this share of the rows is stored densely: at that density a
dense column costs at most twice the memory of its postings, and a contiguous pass over it
costs about what scattered adds over its postings would."""
_MIN_DENSE_ROWS = 4
NARROW_ROWS = 2**16
"""Up to this many rows, the postings' row numbers are stored in 16 bits rather than 32: a
quarter less memory to stream through for every message (the postings are 2.8 MB on the
shipped knowledge base, more than a core's cache), which scores a long message's features a
quarter to a third faster. Same values: only where they are added changes width."""
_CHUNK_CELLS = 100_000
"""Bound on the temporary (vectors × rows) blocks of `dot_rows`: small blocks stay in cache
(measured: 100k cells builds the 10,000-example index twice as fast as 4M)."""


@dataclass(frozen=True, slots=True)
class SparseVector:
    """Feature ids (each once) and their weights."""

    ids: Ids
    weights: Floats


@dataclass(frozen=True, slots=True)
class SparseRows:
    """Many sparse vectors in compressed-row form (the layout of scipy's CSR)."""

    indptr: npt.NDArray[np.int64]
    indices: Ids
    data: Floats

    def __len__(self) -> int:
        return len(self.indptr) - 1

    @property
    def row_of_entry(self) -> Ids:
        return np.repeat(np.arange(len(self), dtype=np.int32), np.diff(self.indptr))

    def select(self, rows: npt.NDArray[np.integer]) -> SparseRows:
        starts = self.indptr[rows]
        lengths = self.indptr[rows + 1] - starts
        take = expand_ranges(starts, lengths)
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        return SparseRows(indptr, self.indices[take], self.data[take])


def group_keys(
    keys: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64], npt.NDArray[np.intp]]:
    """Sort `keys` and group equal ones: (sorting order, distinct keys, start of each group).

    A stable argsort is a radix sort on integers: twice as fast as `np.unique` here."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    first = np.empty(len(ordered), dtype=bool)
    first[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return order, ordered[starts], starts


def expand_ranges(
    starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Concatenated `range(start, start + length)` for every pair, without a Python loop."""
    ends = np.cumsum(lengths)
    if not len(ends) or ends[-1] == 0:
        return np.zeros(0, dtype=np.int64)
    return np.repeat(starts - ends + lengths, lengths) + np.arange(ends[-1], dtype=np.int64)


@dataclass(frozen=True, slots=True)
class FeatureMatrix:
    """Rows (topics or examples) × features, for computing `row · vector` for every row."""

    n_rows: int
    dense_slot: Ids
    """Per feature: its row in `dense`, or -1 when it lives in the postings."""
    dense: Floats
    """(dense features × rows), one contiguous vector per frequent feature."""
    postings_ptr: npt.NDArray[np.int64]
    """Per feature f: its postings are `postings_rows/values[ptr[f]:ptr[f + 1]]`."""
    postings_rows: RowIds
    postings_values: Floats

    @classmethod
    def from_entries(
        cls,
        n_rows: int,
        n_features: int,
        rows: Ids,
        features: Ids,
        values: Floats,
        dense_share: float = DENSE_SHARE,
    ) -> FeatureMatrix:
        """Build from (row, feature, value) triples; repeated pairs are summed. Features in
        at least `dense_share` of the rows are stored densely (0: all of them)."""
        order, key, starts = group_keys(features.astype(np.int64) * n_rows + rows)
        summed = np.add.reduceat(values[order], starts) if len(order) else values[:0]
        summed = summed.astype(np.float32)
        feature_of = (key // n_rows).astype(np.int32)
        row_of = (key % n_rows).astype(np.int32)
        counts = np.bincount(feature_of, minlength=n_features)
        dense_at = max(_MIN_DENSE_ROWS, int(np.ceil(dense_share * n_rows))) if dense_share else 0
        is_dense = counts >= dense_at
        dense_slot = np.full(n_features, -1, dtype=np.int32)
        dense_slot[is_dense] = np.arange(int(is_dense.sum()), dtype=np.int32)
        dense = np.zeros((int(is_dense.sum()), n_rows), dtype=np.float32)
        in_dense = is_dense[feature_of]
        dense[dense_slot[feature_of[in_dense]], row_of[in_dense]] = summed[in_dense]
        sparse_feature = feature_of[~in_dense]
        ptr = np.zeros(n_features + 1, dtype=np.int64)
        np.cumsum(np.bincount(sparse_feature, minlength=n_features), out=ptr[1:])
        # `key` is sorted by feature then row, so the postings come out grouped already.
        postings_rows: RowIds = row_of[~in_dense]
        if n_rows <= NARROW_ROWS:
            postings_rows = postings_rows.astype(np.uint16)
        return cls(n_rows, dense_slot, dense, ptr, postings_rows, summed[~in_dense])

    @property
    def n_features(self) -> int:
        return len(self.dense_slot)

    def dot(self, vector: SparseVector) -> npt.NDArray[np.float64]:
        """`row · vector` for every row (the hot path of every message: compiled)."""
        out = np.zeros(self.n_rows)
        self._add_to(out, vector)
        return out

    def dot_many(self, vectors: Sequence[SparseVector]) -> npt.NDArray[np.float64]:
        """`row · v` for every row (columns) and each of `vectors` (rows of the result)."""
        out = np.zeros((len(vectors), self.n_rows))
        for row, vector in zip(out, vectors, strict=True):
            self._add_to(row, vector)
        return out

    def _add_to(self, out: npt.NDArray[np.float64], vector: SparseVector) -> None:
        add_products(
            out,
            vector.ids,
            vector.weights,
            self.dense_slot,
            self.dense,
            self.postings_ptr,
            self.postings_rows,
            self.postings_values,
        )

    def entries(self) -> tuple[Ids, Ids, Floats]:
        """(row, feature, value) of every stored non-zero value."""
        dense_features = np.flatnonzero(self.dense_slot >= 0).astype(np.int32)
        slot_of, row_of = np.nonzero(self.dense)
        posting_feature = np.repeat(
            np.arange(self.n_features, dtype=np.int32), np.diff(self.postings_ptr)
        )
        return (
            np.concatenate([row_of.astype(np.int32), self.postings_rows]),
            np.concatenate([dense_features[slot_of], posting_feature]),
            np.concatenate([self.dense[slot_of, row_of], self.postings_values]),
        )

    def dot_rows(self, vectors: SparseRows) -> npt.NDArray[np.float32]:
        """`row · v` for every vector v (as rows of the result) and every row."""
        out = np.zeros((len(vectors), self.n_rows), dtype=np.float32)
        step = max(1, _CHUNK_CELLS // max(1, self.n_rows, len(self.dense)))
        for start in range(0, len(vectors), step):
            part = vectors.select(np.arange(start, min(start + step, len(vectors))))
            out[start : start + len(part)] = self._dot_chunk(part)
        return out

    def _dot_chunk(self, part: SparseRows) -> npt.NDArray[np.float32]:
        n = len(part)
        row_of_entry = part.row_of_entry
        slots = self.dense_slot[part.indices]
        in_dense = slots >= 0
        block = np.zeros((n, len(self.dense)), dtype=np.float32)
        block[row_of_entry[in_dense], slots[in_dense]] = part.data[in_dense]
        out = block @ self.dense
        rare = part.indices[~in_dense]
        starts = self.postings_ptr[rare]
        lengths = self.postings_ptr[rare + 1] - starts
        take = expand_ranges(starts, lengths)
        if len(take):
            owner = np.repeat(row_of_entry[~in_dense].astype(np.int64), lengths)
            values = np.repeat(part.data[~in_dense], lengths) * self.postings_values[take]
            flat = np.bincount(
                owner * self.n_rows + self.postings_rows[take],
                weights=values,
                minlength=n * self.n_rows,
            )
            out += flat.reshape(n, self.n_rows).astype(np.float32)
        return out

    def row_norms(self) -> npt.NDArray[np.float32]:
        squares: npt.NDArray[np.float64] = (self.dense.astype(np.float64) ** 2).sum(axis=0)
        squares += np.bincount(
            self.postings_rows,
            weights=self.postings_values.astype(np.float64) ** 2,
            minlength=self.n_rows,
        )
        return np.sqrt(squares).astype(np.float32)
