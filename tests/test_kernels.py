"""The compiled blend of a message's similarities into topic scores, against numpy's own
definition of it (what `TopicIndex._blend` computed with array operations before it was
compiled): per topic, its prototype blended with its closest example, at least its closest
name, the declined topics by their closest text alone, vague messages weighed down. And the
compiled sum by key, against the dict of running sums `Vectorizer` kept before."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from intents.matching.kernels import blend_rows, sum_by_key

EXAMPLE, NAME, DECLINED, VAGUE = 0.2, 0.6, 0.8, 0.5


def numpy_blend(
    similarity: npt.NDArray[np.float64],
    starts: npt.NDArray[np.int32],
    is_name: npt.NDArray[np.bool_],
    declined: npt.NDArray[np.bool_],
    vague: npt.NDArray[np.bool_],
) -> npt.NDArray[np.float64]:
    n_topics = len(starts)
    texts = similarity[:, n_topics:]
    closest = np.maximum.reduceat(texts, starts, axis=1)
    blended = (1 - EXAMPLE) * similarity[:, :n_topics] + EXAMPLE * closest
    closest_name = np.maximum.reduceat(np.where(is_name, texts, 0), starts, axis=1)
    np.maximum(blended, NAME * closest_name, out=blended)
    blended[:, declined] = DECLINED * closest[:, declined]
    blended[vague] *= VAGUE
    return np.clip(blended, 0.0, 1.0)


@dataclass(frozen=True)
class Reading:
    similarity: npt.NDArray[np.float64]
    starts: npt.NDArray[np.int32]
    is_name: npt.NDArray[np.bool_]
    declined: npt.NDArray[np.bool_]
    vague: npt.NDArray[np.bool_]


@st.composite
def readings(draw: st.DrawFn) -> Reading:
    """Similarities of 1-4 readings of a message to 1-6 topics of 1-5 texts each."""
    counts = draw(st.lists(st.integers(1, 5), min_size=1, max_size=6))
    n_texts, n_queries = sum(counts), draw(st.integers(1, 4))
    values = st.floats(0.0, 1.5, allow_nan=False, width=32)
    similarity = np.array(
        draw(
            st.lists(
                values,
                min_size=(len(counts) + n_texts) * n_queries,
                max_size=(len(counts) + n_texts) * n_queries,
            )
        ),
        dtype=np.float64,
    ).reshape(n_queries, len(counts) + n_texts)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int32)

    def flags(n: int) -> npt.NDArray[np.bool_]:
        return np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)

    return Reading(similarity, starts, flags(n_texts), flags(len(counts)), flags(n_queries))


@settings(max_examples=200, deadline=None)
@given(readings())
def test_the_compiled_blend_is_numpys(reading: Reading) -> None:
    similarity, starts, is_name = reading.similarity, reading.starts, reading.is_name
    declined, vague = reading.declined, reading.vague
    got = blend_rows(
        similarity, len(starts), starts, is_name, declined, vague, EXAMPLE, NAME, DECLINED, VAGUE
    )
    np.testing.assert_allclose(got, numpy_blend(similarity, starts, is_name, declined, vague))


def test_a_name_lifts_its_topic_and_a_declined_topic_counts_its_closest_text_alone() -> None:
    # Topic 0: prototype 0.3, texts 0.2 (example) and 0.9 (name). Topic 1, declined: text 0.7.
    similarity = np.array([[0.3, 0.1, 0.2, 0.9, 0.7]])
    starts = np.array([0, 2], dtype=np.int32)
    is_name = np.array([False, True, False])
    got = blend_rows(
        similarity,
        2,
        starts,
        is_name,
        np.array([False, True]),
        np.array([False]),
        EXAMPLE,
        NAME,
        DECLINED,
        VAGUE,
    )
    # max(0.8 × 0.3 + 0.2 × 0.9, 0.6 × 0.9) = 0.54 ; 0.8 × 0.7 = 0.56
    np.testing.assert_allclose(got, [[0.54, 0.56]])


def running_sums(keys: list[int], values: list[float]) -> dict[int, float]:
    """The reference: a dict of running sums, keys in the order they first occur."""
    sums: dict[int, float] = {}
    for key, value in zip(keys, values, strict=True):
        sums[key] = sums.get(key, 0.0) + value
    return sums


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 12), st.floats(-3.0, 3.0, allow_nan=False)),
        max_size=40,
    )
)
def test_the_compiled_sum_by_key_is_a_dict_of_running_sums(
    entries: list[tuple[int, float]],
) -> None:
    keys = [key for key, _ in entries]
    values = [value for _, value in entries]
    found, sums = sum_by_key(np.array(keys, dtype=np.int32), np.array(values), 13)
    expected = running_sums(keys, values)
    assert found.tolist() == list(expected)
    assert sums.tolist() == list(expected.values())  # to the last bit: added in the same order


def test_a_count_less_its_discounts_is_what_the_vectorizer_counted_before() -> None:
    # Feature 5 typed twice, once in a corrected word: 2 - 0.2, not 1 + 0.8.
    discount = -(1.0 - 0.8)
    found, sums = sum_by_key(
        np.array([5, 7, 5, 5], dtype=np.int32), np.array([1.0, 1.0, 1.0, discount]), 8
    )
    assert found.tolist() == [5, 7]
    assert sums.tolist() == [2.0 + discount, 1.0]
