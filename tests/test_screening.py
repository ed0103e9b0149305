"""The closest example of each topic found from an 8-bit copy of the embeddings and the
exact products of a few rows (`intents.matching.semantic.ScreenedRows`), against its plain
definition: `np.maximum.reduceat(examples @ message, starts)`, to the last bit. And the two
parts it rests on: the screen never leaves out a group's largest product
(`kernels.screen_rows`), and the products of the rows kept are BLAS's own
(`semantic.exact_products`, `kernels.blas_order_products`)."""

from __future__ import annotations

import ctypes
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intents.knowledge.loader import load_knowledge
from intents.matching import semantic
from intents.matching.kernels import product_bounds, screen_rows
from intents.matching.matcher import Matcher
from intents.matching.semantic import (
    ScreenedRows,
    SemanticIndex,
    exact_products,
    exact_products_agree,
)
from intents.text.embeddings import shipped_embedder

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
MODELLED_CORES = {"SkylakeX", "Haswell", "Zen"}
"""OpenBLAS targets whose float32 matrix-vector kernel is the Haswell micro-kernel
`kernels.blas_order_products` follows (checked on SkylakeX, this project's machines)."""


def bounds_of(
    screened: ScreenedRows, message: npt.NDArray[np.float32]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Every row's lower and upper bound on its product with `message`."""
    return product_bounds(
        screened.quantized,
        screened.scales,
        screened.residuals,
        screened.magnitudes,
        message,
        screened.slack,
    )


def openblas_core() -> str | None:
    """The kernel target numpy's OpenBLAS chose for this processor, if it says."""
    libs = Path(np.__file__).parent.parent / "numpy.libs"
    for lib in sorted(libs.glob("*openblas*")):
        for symbol in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename"):
            corename = getattr(ctypes.CDLL(str(lib)), symbol, None)
            if corename is not None:
                corename.restype = ctypes.c_char_p
                return bytes(corename()).decode()
    return None


needs_modelled_blas = pytest.mark.skipif(
    openblas_core() not in MODELLED_CORES,
    reason=f"OpenBLAS core {openblas_core()!r}: not one blas_order_products follows",
)


def unit_rows(rng: np.random.Generator, n: int, dims: int) -> npt.NDArray[np.float32]:
    rows = rng.standard_normal((n, dims)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True).astype(np.float32)
    return rows


def with_near_ties(rng: np.random.Generator, rows: npt.NDArray[np.float32]) -> None:
    """Some rows made copies of others, or off by a last bit: the products of a group are
    then tied or as close as float32 allows, where a screen too tight would drop one."""
    n = len(rows)
    for _ in range(n // 3):
        a, b = rng.integers(0, n, size=2)
        rows[b] = rows[a]
        if rng.random() < 0.5:
            rows[b, rng.integers(0, rows.shape[1])] = np.nextafter(rows[b, 0], np.float32(np.inf))


@st.composite
def grouped_tables(
    draw: st.DrawFn,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.intp], npt.NDArray[np.float32]]:
    """A table of unit rows in 1-8 groups of 1-40 rows, some tied, and a unit message that
    is often close to one of them."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    counts = draw(st.lists(st.integers(1, 40), min_size=1, max_size=8))
    dims = draw(st.sampled_from([16, 64, 256]))
    table = unit_rows(rng, sum(counts), dims)
    with_near_ties(rng, table)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.intp)
    message = rng.standard_normal(dims).astype(np.float32)
    if draw(st.booleans()):  # near a row: large products, decided in the last bits
        message = table[rng.integers(0, len(table))] + np.float32(1e-3) * message
    message /= np.float32(np.linalg.norm(message))
    return table, starts, message


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([16, 64, 256]), st.floats(0.0, 4.0))
def test_each_rows_product_lies_within_its_bounds(seed: int, dims: int, along: float) -> None:
    # The message leans toward what a row's 8 bits miss: its estimate is then off by nearly
    # the whole residual, the error the bound must cover.
    rng = np.random.default_rng(seed)
    table = unit_rows(rng, 50, dims)
    screened = ScreenedRows.of(table)
    row = rng.integers(0, len(table))
    missed = table[row] - (screened.quantized[row] * screened.scales[row]).astype(np.float32)
    message = table[row] + np.float32(along / max(float(np.linalg.norm(missed)), 1e-30)) * missed
    message /= np.float32(np.linalg.norm(message))
    low, high = bounds_of(screened, message)
    whole = (table @ message).astype(np.float64)
    assert np.all(low <= whole)
    assert np.all(whole <= high)
    assert np.all(high - low < 0.1)  # and narrow enough to leave most rows out


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_rows_the_8_bits_hold_exactly_are_bounded_by_the_rounding_of_their_sums(
    seed: int,
) -> None:
    # No residual at all (each row 127 and smaller multiples of a power of two): the bounds
    # are the sums' rounding alone, which the estimate and BLAS's product both have.
    rng = np.random.default_rng(seed)
    levels = rng.integers(-127, 128, size=(40, 256))
    levels[:, 0] = 127
    table = (levels * 2.0**-10).astype(np.float32)
    screened = ScreenedRows.of(table)
    assert not screened.residuals.any()
    message = rng.standard_normal(256).astype(np.float32)
    low, high = bounds_of(screened, message)
    whole = (table @ message).astype(np.float64)
    assert np.all(low <= whole)
    assert np.all(whole <= high)


@settings(max_examples=300, deadline=None)
@given(grouped_tables())
def test_the_screen_keeps_every_groups_largest_product(
    case: tuple[npt.NDArray[np.float32], npt.NDArray[np.intp], npt.NDArray[np.float32]],
) -> None:
    table, starts, message = case
    whole = table @ message
    screened = ScreenedRows.of(table)
    rows, group_starts = screen_rows(
        screened.quantized,
        screened.scales,
        screened.residuals,
        screened.magnitudes,
        starts,
        message,
        screened.slack,
    )
    assert np.all(np.diff(rows) > 0)
    assert np.array_equal(
        np.maximum.reduceat(whole[rows], group_starts), np.maximum.reduceat(whole, starts)
    )


@needs_modelled_blas
@settings(max_examples=200, deadline=None)
@given(st.integers(1, 70), st.sampled_from([4, 12, 16, 64, 100, 256]), st.integers(0, 2**32 - 1))
def test_the_products_of_some_rows_are_blass_to_the_last_bit(n: int, dims: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    table = rng.standard_normal((n, dims)).astype(np.float32)
    message = rng.standard_normal(dims).astype(np.float32)
    rows = np.sort(rng.choice(n, size=rng.integers(1, n + 1), replace=False)).astype(np.int64)
    assert np.array_equal(exact_products(table, rows, message), (table @ message)[rows])


@pytest.fixture(scope="module")
def shipped() -> SemanticIndex:
    semantic = Matcher.build(load_knowledge(KNOWLEDGE)).semantic
    assert semantic is not None
    return semantic


@needs_modelled_blas
def test_the_shipped_examples_are_screened(shipped: SemanticIndex) -> None:
    # Else every message multiplies the whole table, as before: right, but not fast.
    assert exact_products_agree(shipped.examples)
    assert shipped._screened is not None


def test_each_topics_closest_example_is_the_plain_products_maximum(
    shipped: SemanticIndex,
) -> None:
    # Messages near the examples themselves (their closest is decided in the last bits)
    # and between them, as a message made of several sentences is.
    rng = np.random.default_rng(7)
    examples = shipped.examples
    picks = rng.integers(0, len(examples), size=(300, 3))
    messages = examples[picks[:, 0]] + rng.random((300, 1)).astype(np.float32) * (
        examples[picks[:, 1]] - examples[picks[:, 2]]
    )
    for message in messages:
        message /= np.float32(np.linalg.norm(message))
        plain = np.maximum.reduceat(examples @ message, shipped.starts)
        assert np.array_equal(shipped.closest(message), plain)


def test_where_blas_sums_otherwise_every_example_is_multiplied(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Another processor's kernel, or BLAS threads sharing the rows out: no screen, and the
    # closest examples are the plain products' still.
    monkeypatch.setattr(semantic, "exact_products_agree", lambda table: False)
    index = SemanticIndex.build(
        shipped_embedder(),
        [["What does a licence cost?", "fees"], ["Where are you?"]],
        [False, True],
    )
    assert index._screened is None
    message = index.examples[0] + index.examples[2]
    message /= np.float32(np.linalg.norm(message))
    plain = np.maximum.reduceat(index.examples @ message, index.starts)
    assert np.array_equal(index.closest(message), plain)
