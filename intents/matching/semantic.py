"""How close a message's meaning is to each topic's, beyond the words they share.

The word index (`intents.matching.index`) scores what a message and a topic's examples
literally share. This adds the similarity of their word embeddings (`intents.text.embeddings`):
per topic, half the cosine with the mean of its examples and half the cosine with its closest
example; for the declined questions, the closest one. The matcher adds it, centred on the
mean over the topics, times the knowledge base's `semantic_weight` setting. Centred, a
message close to no topic in particular gains nothing, while the topic it means in other
words than its examples' rises above those that merely share some of its words.

Measured with `bench/clinc150.py` (report half, the weight and threshold chosen on the tuning
half): CLINC150 in-scope accuracy 0.904 -> 0.915 with all 100 examples per intent and 0.727 ->
0.757 with 10, out-of-scope recall 0.64 -> 0.80 and 0.62 -> 0.78. The shipped knowledge base
uses 0.15 (knowledge/settings.yaml gives the figures).

Each topic's closest example is the largest of its examples' products with the message: some
2,700 rows of 256 float32 values on the shipped knowledge base, 2.7 MB, more than a core's
cache, so every message read them from memory (one BLAS call, 50 µs when they happen to be
in cache, 200-300 µs when not). `ScreenedRows` also keeps them in 8 bits (0.7 MB): the 8-bit
products bound every exact one within a few thousandths, which leaves some 75 rows that can
be a topic's closest, and only those are multiplied exactly, as BLAS does
(`exact_products`), so every score is the same to the last bit. Measured on
bench/latency.py's queries, old and new matchers timed on each query in turn: 271 -> 186 µs
per message for this similarity (p99 of the queries 463 -> 250 µs).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

from intents.matching.kernels import blas_order_products, blended_meaning, screen_rows
from intents.text.embeddings import Embedder

SCREENED_DIMENSIONS: Final = 512
"""Embeddings up to this long are screened: the exact 32-bit sums of `kernels.row_sums` hold
them (the shipped ones have 256)."""
BLAS_BLOCK: Final = 4
"""OpenBLAS's float32 matrix-vector kernel for Haswell and Zen processors takes a table's
rows in blocks of this many, each row summed in its own lanes, whatever the rows beside it;
the rows left over at the end go to other kernels (`kernels.blas_order_products`)."""


@dataclass(frozen=True, slots=True)
class ScreenedRows:
    """A float32 table in 8 bits per value, to find cheaply the few rows that can be their
    group's closest to a message (`kernels.screen_rows`): a quarter of the memory to stream
    through, where the float32 table (2.7 MB on the shipped knowledge base) is more than a
    core's cache and is read from memory for every message."""

    quantized: npt.NDArray[np.int8]
    scales: npt.NDArray[np.float64]
    """Per row: row ≈ scale × its quantized row (its largest value at ±127)."""
    residuals: npt.NDArray[np.float64]
    """Per row: the norm of the difference."""
    magnitudes: npt.NDArray[np.float64]
    """Per row: its norm plus its quantized row's (times its scale)."""
    slack: float
    """The rounding allowance of a float32 sum over a row (`kernels.screen_rows`)."""

    @classmethod
    def of(cls, table: npt.NDArray[np.float32]) -> ScreenedRows:
        exact = table.astype(np.float64)
        peaks = np.abs(exact).max(axis=1) if table.shape[1] else np.zeros(len(table))
        scales = np.where(peaks > 0, peaks / 127, 1.0)
        quantized = np.rint(exact / scales[:, None]).astype(np.int8)
        kept = quantized * scales[:, None]
        residuals = np.linalg.norm(exact - kept, axis=1)
        magnitudes = np.linalg.norm(exact, axis=1) + np.linalg.norm(kept, axis=1)
        # Twice the bound of a d-term float32 sum's relative error (d × epsilon / 2).
        slack = 2.0 * table.shape[1] * float(np.finfo(np.float32).eps)
        return cls(quantized, scales, residuals, magnitudes, slack)

    def closest(
        self,
        table: npt.NDArray[np.float32],
        starts: npt.NDArray[np.intp],
        message: npt.NDArray[np.float32],
    ) -> npt.NDArray[np.float32]:
        """`np.maximum.reduceat(table @ message, starts)` to the last bit (`table` being the
        one screened), from the exact products of the few rows that can be the largest."""
        rows, group_starts = screen_rows(
            self.quantized,
            self.scales,
            self.residuals,
            self.magnitudes,
            starts,
            message,
            self.slack,
        )
        return np.maximum.reduceat(exact_products(table, rows, message), group_starts)


def exact_products(
    table: npt.NDArray[np.float32], rows: npt.NDArray[np.int64], message: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """`(table @ message)[rows]` to the last bit, for `rows` in increasing order, multiplying
    those rows only, where `exact_products_agree`: the rows BLAS takes in blocks as its
    kernel sums them, the few left over at the end by BLAS itself, with the block before them
    (never a row alone, which numpy would give to another routine)."""
    blocked = len(table) - len(table) % BLAS_BLOCK
    out = blas_order_products(table, rows, message, blocked)
    if len(rows) and rows[-1] >= blocked:
        first = int(np.searchsorted(rows, blocked))
        start = max(0, blocked - BLAS_BLOCK)
        out[first:] = (table[start:] @ message)[rows[first:] - start]
    return out


def exact_products_agree(table: npt.NDArray[np.float32], probes: int = 3) -> bool:
    """Whether `exact_products` gives `table @ message` to the last bit for this table, on
    random messages, all rows and some: BLAS's kernels are chosen for the processor when
    numpy loads, so what they compute is checked where they run (a different order of sums
    changes the last bit of most rows)."""
    rng = np.random.default_rng(0)
    n = len(table)
    subsets = [
        np.arange(n, dtype=np.int64),
        np.arange(n, dtype=np.int64)[1::3],
        np.sort(rng.choice(n, size=min(n, 37), replace=False)).astype(np.int64),
        np.array([0, n - 1] if n > 1 else [0], dtype=np.int64),
    ]
    for _ in range(probes):
        message = rng.standard_normal((table.shape[1],)).astype(np.float32)
        message /= np.float32(np.linalg.norm(message))
        whole = table @ message
        for rows in subsets:
            if not np.array_equal(exact_products(table, rows, message), whole[rows]):
                return False
    return True


@dataclass(frozen=True, slots=True)
class SemanticIndex:
    """Unit embeddings of every topic's examples, and their normalised means."""

    embedder: Embedder
    centroids: npt.NDArray[np.float32]
    """Row per topic (index order): the normalised mean of its examples' embeddings."""
    examples: npt.NDArray[np.float32]
    """Row per example, the topics' examples one after the other."""
    starts: npt.NDArray[np.intp]
    """Index in `examples` of each topic's first example."""
    declined: npt.NDArray[np.bool_]
    """Per topic: whether it is the declined questions (scored by the closest one alone)."""
    _declined_rows: npt.NDArray[np.intp] = field(init=False, repr=False, compare=False)
    _topic_rows: npt.NDArray[np.intp] = field(init=False, repr=False, compare=False)
    """The rows `declined` marks and the others: found once, not on every message."""
    _screened: ScreenedRows | None = field(init=False, repr=False, compare=False)
    """`examples` in 8 bits, to multiply few of them exactly; None where BLAS's kernels do
    not allow it (`exact_products_agree`): every example is then multiplied."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_declined_rows", np.flatnonzero(self.declined))
        object.__setattr__(self, "_topic_rows", np.flatnonzero(~self.declined))
        screened = (
            ScreenedRows.of(self.examples)
            if self.examples.shape[1] <= SCREENED_DIMENSIONS and exact_products_agree(self.examples)
            else None
        )
        object.__setattr__(self, "_screened", screened)
        # Compiled (or read from numba's cache) now, when the knowledge base loads, not on
        # the first message.
        if screened is not None and len(self.examples):
            screened.closest(self.examples, self.starts, self.examples[0])
        nothing = np.zeros(len(self.centroids), dtype=np.float32)
        blended_meaning(nothing, nothing.copy(), self.declined)

    @classmethod
    def build(
        cls, embedder: Embedder, examples: Sequence[Sequence[str]], declined: Sequence[bool]
    ) -> SemanticIndex:
        """The index of topics given as their example texts, in the word index's order."""
        if any(not texts for texts in examples):
            raise ValueError("every topic needs at least one example text")
        rows = embedder.embed([text for texts in examples for text in texts])
        counts = np.array([len(texts) for texts in examples])
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.intp)
        sums = np.add.reduceat(rows, starts, axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        centroids = np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)
        index = cls(embedder, centroids, rows, starts, np.array(declined, dtype=bool))
        for array in (index.centroids, index.examples, index.starts, index.declined):
            array.flags.writeable = False
        return index

    def similarity(self, parts: Sequence[tuple[str, float]]) -> npt.NDArray[np.float64]:
        """Per topic, how close the message made of weighted `parts` is in meaning, centred
        on the mean over the (not declined) topics; zeros for a message with no weight."""
        parts = [(text, weight) for text, weight in parts if weight > 0]
        if not parts:
            return np.zeros(len(self.centroids))
        weights = np.array([weight for _, weight in parts], dtype=np.float32)
        message = weights @ self.embedder.embed([text for text, _ in parts])
        # What `np.linalg.norm` computes for a vector (the square root of its dot with
        # itself), without its Python steps.
        norm = float(np.sqrt(message.dot(message)))
        if norm == 0:
            return np.zeros(len(self.centroids))
        message /= norm
        # Half the centroid's cosine and half the closest example's (the declined questions:
        # the closest alone), in one compiled call (`kernels.blended_meaning`).
        scores, topics = blended_meaning(
            self.centroids @ message, self.closest(message), self.declined
        )
        # The mean as `np.mean` takes it (the same sum, divided), without its Python steps.
        scores -= np.add.reduce(topics) / len(topics)
        return scores

    def closest(self, message: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Per topic, the cosine of its closest example with the unit vector `message`."""
        if self._screened is None:
            return np.maximum.reduceat(self.examples @ message, self.starts)
        return self._screened.closest(self.examples, self.starts, message)
