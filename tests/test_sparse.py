"""The sparse row-by-feature matrix every score is computed with, against plain dense numpy.

`FeatureMatrix` stores frequent features as dense columns and the rest as postings; whatever
the split, `dot`, `dot_rows`, `entries` and `row_norms` must give what the dense matrix gives.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import intents.matching.sparse
from intents.matching.sparse import (
    FeatureMatrix,
    SparseRows,
    SparseVector,
    expand_ranges,
    group_keys,
)

Triples = tuple[npt.NDArray[np.int32], npt.NDArray[np.int32], npt.NDArray[np.float32]]


def triples(*entries: tuple[int, int, float]) -> Triples:
    rows, features, values = zip(*entries, strict=True) if entries else ((), (), ())
    return (
        np.array(rows, dtype=np.int32),
        np.array(features, dtype=np.int32),
        np.array(values, dtype=np.float32),
    )


def dense_of(n_rows: int, n_features: int, entries: Triples) -> npt.NDArray[np.float64]:
    """The reference: rows × features, repeated (row, feature) pairs summed."""
    matrix = np.zeros((n_rows, n_features), dtype=np.float64)
    rows, features, values = entries
    np.add.at(matrix, (rows, features), values.astype(np.float64))
    return matrix


def vector(ids: list[int], weights: list[float]) -> SparseVector:
    return SparseVector(np.array(ids, dtype=np.int32), np.array(weights, dtype=np.float32))


def sparse_rows(rows: list[dict[int, float]]) -> SparseRows:
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(row) for row in rows], out=indptr[1:])
    indices = np.array([f for row in rows for f in row], dtype=np.int32)
    data = np.array([w for row in rows for w in row.values()], dtype=np.float32)
    return SparseRows(indptr, indices, data)


@st.composite
def matrices(draw: st.DrawFn) -> tuple[int, int, Triples, float]:
    n_rows = draw(st.integers(1, 12))
    n_features = draw(st.integers(1, 10))
    entry = st.tuples(
        st.integers(0, n_rows - 1),
        st.integers(0, n_features - 1),
        st.floats(-4, 4, allow_nan=False, width=32),
    )
    entries = triples(*draw(st.lists(entry, max_size=60)))
    share = draw(st.sampled_from([0.0, 0.125, 0.5, 1.0]))
    return n_rows, n_features, entries, share


@st.composite
def queries(draw: st.DrawFn, n_features: int) -> dict[int, float]:
    ids = draw(st.lists(st.integers(0, n_features - 1), unique=True, max_size=n_features))
    return {i: draw(st.floats(-4, 4, allow_nan=False, width=32)) for i in ids}


@settings(max_examples=200, deadline=None)
@given(data=st.data(), shape=matrices())
def test_dot_is_the_dense_product_whatever_the_split(
    data: st.DataObject, shape: tuple[int, int, Triples, float]
) -> None:
    n_rows, n_features, entries, share = shape
    matrix = FeatureMatrix.from_entries(n_rows, n_features, *entries, dense_share=share)
    query = data.draw(queries(n_features))

    got = matrix.dot(vector(list(query), list(query.values())))

    weights = np.zeros(n_features)
    weights[list(query)] = list(query.values())
    np.testing.assert_allclose(got, dense_of(n_rows, n_features, entries) @ weights, atol=1e-3)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), shape=matrices())
def test_dot_many_is_the_dense_product_for_each_vector_whatever_the_split(
    data: st.DataObject, shape: tuple[int, int, Triples, float]
) -> None:
    n_rows, n_features, entries, share = shape
    matrix = FeatureMatrix.from_entries(n_rows, n_features, *entries, dense_share=share)
    drawn = [data.draw(queries(n_features)) for _ in range(data.draw(st.integers(1, 4)))]

    got = matrix.dot_many([vector(list(q), list(q.values())) for q in drawn])

    weights = np.zeros((len(drawn), n_features))
    for k, q in enumerate(drawn):
        weights[k, list(q)] = list(q.values())
    expected = weights @ dense_of(n_rows, n_features, entries).T
    np.testing.assert_allclose(got, expected, atol=1e-3)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), shape=matrices())
def test_rows_stored_in_16_or_32_bits_score_the_same_to_the_last_bit(
    data: st.DataObject, shape: tuple[int, int, Triples, float]
) -> None:
    n_rows, n_features, entries, share = shape
    narrow = FeatureMatrix.from_entries(n_rows, n_features, *entries, dense_share=share)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(intents.matching.sparse, "NARROW_ROWS", n_rows - 1)
        wide = FeatureMatrix.from_entries(n_rows, n_features, *entries, dense_share=share)
    assert narrow.postings_rows.dtype == np.uint16 and wide.postings_rows.dtype == np.int32
    query = data.draw(queries(n_features))
    vectors = [vector(list(query), list(query.values()))]
    assert np.array_equal(narrow.dot_many(vectors), wide.dot_many(vectors))
    assert np.array_equal(
        narrow.dot_rows(sparse_rows([query])), wide.dot_rows(sparse_rows([query]))
    )
    for got, expected in zip(narrow.entries(), wide.entries(), strict=True):
        assert np.array_equal(got, expected)


def test_the_row_numbers_of_a_large_matrix_are_32_bits_wide() -> None:
    rows = FeatureMatrix.from_entries(2**16 + 1, 1, *triples((2**16, 0, 1.0)), dense_share=1.0)
    assert rows.postings_rows.dtype == np.int32
    np.testing.assert_array_equal(rows.dot(vector([0], [2.0]))[-2:], [0.0, 2.0])


@settings(max_examples=200, deadline=None)
@given(data=st.data(), shape=matrices())
def test_dot_rows_is_the_dense_product_for_each_vector(
    data: st.DataObject, shape: tuple[int, int, Triples, float]
) -> None:
    n_rows, n_features, entries, share = shape
    matrix = FeatureMatrix.from_entries(n_rows, n_features, *entries, dense_share=share)
    rows = data.draw(st.lists(queries(n_features), max_size=6))

    got = matrix.dot_rows(sparse_rows(rows))

    vectors = np.zeros((len(rows), n_features))
    for i, row in enumerate(rows):
        vectors[i, list(row)] = list(row.values())
    expected = vectors @ dense_of(n_rows, n_features, entries).T
    assert got.shape == (len(rows), n_rows)
    np.testing.assert_allclose(got, expected, atol=1e-3)


@settings(max_examples=200, deadline=None)
@given(shape=matrices())
def test_entries_give_back_the_matrix_and_row_norms_its_row_lengths(
    shape: tuple[int, int, Triples, float],
) -> None:
    n_rows, n_features, entries, share = shape
    matrix = FeatureMatrix.from_entries(n_rows, n_features, *entries, dense_share=share)
    expected = dense_of(n_rows, n_features, entries)

    rebuilt = dense_of(n_rows, n_features, matrix.entries())

    np.testing.assert_allclose(rebuilt, expected, atol=1e-4)
    np.testing.assert_allclose(matrix.row_norms(), np.linalg.norm(expected, axis=1), atol=1e-3)


def test_repeated_row_feature_pairs_are_summed() -> None:
    matrix = FeatureMatrix.from_entries(2, 2, *triples((0, 1, 1.5), (0, 1, 2.0), (1, 0, 1.0)))

    np.testing.assert_allclose(matrix.dot(vector([1], [1.0])), [3.5, 0.0])
    assert sorted(zip(*(part.tolist() for part in matrix.entries()), strict=True)) == [
        (0, 1, 3.5),
        (1, 0, 1.0),
    ]


@pytest.mark.parametrize(
    ("share", "dense", "postings"),
    [
        # 8 rows, share 0.5: a feature in at least 4 rows is a dense column.
        (0.5, [0], [0, 3, 0]),
        # 0: every feature is dense, even one no row has; nothing is in the postings.
        (0.0, [0, 1, 2], [0, 0, 0]),
        # 0.125 of 8 rows is 1, but a dense column needs at least 4 rows.
        (0.125, [0], [0, 3, 0]),
        (1.0, [], [4, 3, 0]),
    ],
)
def test_frequent_features_are_dense_columns_and_rare_ones_postings(
    share: float, dense: list[int], postings: list[int]
) -> None:
    # Feature 0 is in rows 0-3, feature 1 in rows 0-2, feature 2 in none.
    entries = triples(*[(row, 0, 1.0) for row in range(4)], *[(row, 1, 2.0) for row in range(3)])

    matrix = FeatureMatrix.from_entries(8, 3, *entries, dense_share=share)

    assert np.flatnonzero(matrix.dense_slot >= 0).tolist() == dense
    assert matrix.dense.shape == (len(dense), 8)
    assert np.diff(matrix.postings_ptr).tolist() == postings
    assert matrix.n_features == 3


def test_a_feature_no_row_has_scores_nothing_when_every_stored_feature_is_dense() -> None:
    # No postings at all: the all-dense shortcut must still leave feature 2 (no slot) out.
    entries = triples(*[(row, f, 1.0 + f) for row in range(4) for f in (0, 1)])
    matrix = FeatureMatrix.from_entries(4, 3, *entries, dense_share=0.5)
    assert matrix.dense_slot.tolist() == [0, 1, -1] and not len(matrix.postings_rows)

    np.testing.assert_allclose(matrix.dot(vector([2], [1.0])), [0, 0, 0, 0])
    np.testing.assert_allclose(matrix.dot(vector([1, 2], [1.0, 5.0])), [2, 2, 2, 2])


def test_an_empty_matrix_scores_zero() -> None:
    matrix = FeatureMatrix.from_entries(3, 2, *triples())

    np.testing.assert_array_equal(matrix.dot(vector([0, 1], [1.0, 1.0])), [0, 0, 0])
    np.testing.assert_array_equal(matrix.dot_rows(sparse_rows([{0: 1.0}, {}])), np.zeros((2, 3)))
    assert all(len(part) == 0 for part in matrix.entries())


def test_dot_rows_in_small_chunks_gives_the_same_result(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(7)
    n_rows, n_features = 9, 20
    entries = triples(
        *(
            (int(r), int(f), float(v))
            for r, f, v in zip(
                rng.integers(0, n_rows, 80),
                rng.integers(0, n_features, 80),
                rng.normal(size=80),
                strict=True,
            )
        )
    )
    matrix = FeatureMatrix.from_entries(n_rows, n_features, *entries)
    rows = [{int(f): float(rng.normal()) for f in rng.integers(0, n_features, 5)} for _ in range(7)]
    whole = matrix.dot_rows(sparse_rows(rows))

    monkeypatch.setattr(intents.matching.sparse, "_CHUNK_CELLS", 1)  # one vector per chunk
    chunked = matrix.dot_rows(sparse_rows(rows))

    np.testing.assert_allclose(chunked, whole, atol=1e-5)
    expected = np.array([[matrix.dot(vector(list(r), list(r.values())))] for r in rows])
    np.testing.assert_allclose(chunked, expected.reshape(7, n_rows), atol=1e-4)


def test_select_takes_the_chosen_rows_in_the_order_asked() -> None:
    rows = sparse_rows([{0: 1.0}, {1: 2.0, 2: 3.0}, {}, {3: 4.0}])

    picked = rows.select(np.array([3, 1, 2]))

    assert picked.indptr.tolist() == [0, 1, 3, 3]
    assert picked.indices.tolist() == [3, 1, 2]
    assert picked.data.tolist() == [4.0, 2.0, 3.0]
    assert rows.row_of_entry.tolist() == [0, 1, 1, 3]


def test_group_keys_and_expand_ranges() -> None:
    order, keys, starts = group_keys(np.array([5, 2, 5, 9, 2], dtype=np.int64))
    assert keys.tolist() == [2, 5, 9]
    assert starts.tolist() == [0, 2, 4]
    assert order.tolist() == [1, 4, 0, 2, 3]  # stable: equal keys keep their order

    starts64 = np.array([10, 0, 4], dtype=np.int64)
    lengths = np.array([2, 0, 3], dtype=np.int64)
    assert expand_ranges(starts64, lengths).tolist() == [10, 11, 4, 5, 6]
    assert expand_ranges(starts64[:0], lengths[:0]).tolist() == []
