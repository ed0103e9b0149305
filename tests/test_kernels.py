"""The compiled blend of a message's similarities into topic scores, against numpy's own
definition of it (what `TopicIndex._blend` computed with array operations before it was
compiled): per topic, its prototype blended with its closest example, at least its closest
name, the declined topics by their closest text alone, vague messages weighed down. And the
compiled count of a message's features, against the `Counter` per part and the dict of
running sums `Vectorizer` kept before."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from intents.matching.kernels import (
    add_clipped,
    blend_rows,
    blended_meaning,
    count_parts,
    covered_scores,
    divided_to_float32,
    local_ids,
    ranked_first,
    weigh_counts,
)

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
    unscaled = np.ones(similarity.shape[1])
    got = blend_rows(
        similarity.copy(),
        len(starts),
        starts,
        is_name,
        declined,
        vague,
        EXAMPLE,
        NAME,
        DECLINED,
        VAGUE,
        unscaled,
        False,
    )
    np.testing.assert_allclose(got, numpy_blend(similarity, starts, is_name, declined, vague))


@settings(max_examples=200, deadline=None)
@given(readings(), st.integers(0, 2**32 - 1))
def test_the_blend_scales_its_similarities_as_numpy_does_first(reading: Reading, seed: int) -> None:
    similarity, starts, is_name = reading.similarity, reading.starts, reading.is_name
    declined, vague = reading.declined, reading.vague
    rng = np.random.default_rng(seed)
    scale = np.where(rng.random(similarity.shape[1]) < 0.3, 0.8, 1.0)
    arguments = (len(starts), starts, is_name, declined, vague, EXAMPLE, NAME, DECLINED, VAGUE)
    # What `TopicIndex._scores` did before the blend took the scale: a pass of its own.
    scaled = similarity * scale
    expected = blend_rows(scaled, *arguments, scale, False)
    got = blend_rows(similarity.copy(), *arguments, scale, True)
    assert got.tobytes() == expected.tobytes()


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
        np.ones(5),
        False,
    )
    # max(0.8 × 0.3 + 0.2 × 0.9, 0.6 × 0.9) = 0.54 ; 0.8 × 0.7 = 0.56
    np.testing.assert_allclose(got, [[0.54, 0.56]])


def counted_in_python(
    parts: list[tuple[list[int], list[int], float]], discount: float
) -> tuple[list[dict[int, float]], dict[int, float]]:
    """The reference, as `Vectorizer` counted before it was compiled: per part (its features,
    those of its corrected words among them, and its weight), a `Counter` less a discount for
    each corrected word's feature; the parts of a positive weight added up in a dict of
    running sums."""
    per_part: list[dict[int, float]] = []
    total: dict[int, float] = {}
    for features, corrected, weight in parts:
        counts: dict[int, float] = dict(Counter(features))
        for feature in corrected:
            counts[feature] -= discount
        per_part.append(counts)
        if weight > 0:
            for feature, count in counts.items():
                total[feature] = total.get(feature, 0.0) + weight * count
    return per_part, total


@st.composite
def message_parts(draw: st.DrawFn) -> list[tuple[list[int], list[int], float]]:
    """1-5 parts of up to 15 features among 12, some repeated as a corrected word's. The ids
    are spread over a feature space as wide as the shipped one's, many of them a multiple of
    16 apart: the same slot of `local_ids`' smallest table, so its probing is exercised."""
    parts = []
    ids = st.sampled_from([0, 1, 16, 32, 48, 64, 80, 1024, 4096, 38_458, 2**31 - 1, 7])
    for _ in range(draw(st.integers(1, 5))):
        features = draw(st.lists(ids, max_size=15))
        corrected = draw(st.lists(st.sampled_from(features), max_size=4)) if features else []
        weight = draw(st.sampled_from([1.0, 0.8, 0.45, 0.2, 0.0, 0.3333]))
        parts.append((features, corrected, weight))
    return parts


@settings(max_examples=300, deadline=None)
@given(message_parts())
def test_the_compiled_count_is_a_counter_per_part_and_a_dict_of_running_sums(
    parts: list[tuple[list[int], list[int], float]],
) -> None:
    discount = 1.0 - 0.8
    part_ptr, part_ids, part_counts, ids, counts = count_parts(
        np.array(
            [f for features, corrected, _ in parts for f in (*features, *corrected)], np.int32
        ),
        np.cumsum([len(features) + len(corrected) for features, corrected, _ in parts]),
        np.array([len(corrected) for _, corrected, _ in parts], dtype=np.int64),
        np.array([weight for _, _, weight in parts]),
        discount,
    )
    per_part, total = counted_in_python(parts, discount)
    for part, expected in enumerate(per_part):
        start, end = part_ptr[part], part_ptr[part + 1]
        assert part_ids[start:end].tolist() == list(expected)
        assert part_counts[start:end].tolist() == list(expected.values())  # to the last bit
    assert ids.tolist() == list(total)
    assert counts.tolist() == list(total.values())


def test_a_count_less_its_discounts_is_what_the_vectorizer_counted_before() -> None:
    # Feature 5 typed twice, once in a corrected word: 2 - 0.2, not 1 + 0.8; the second part
    # (weight 0.5) adds half its count of feature 5; the third (weight 0) nothing.
    discount = 1.0 - 0.8
    part_ptr, part_ids, part_counts, ids, counts = count_parts(
        np.array([5, 7, 5, 5, 5, 9], dtype=np.int32),
        np.array([4, 5, 6]),
        np.array([1, 0, 0]),
        np.array([1.0, 0.5, 0.0]),
        discount,
    )
    assert part_ptr.tolist() == [0, 2, 3, 4]
    assert part_ids.tolist() == [5, 7, 5, 9]
    assert part_counts.tolist() == [2.0 - discount, 1.0, 1.0, 1.0]
    assert ids.tolist() == [5, 7]
    assert counts.tolist() == [2.0 - discount + 0.5, 1.0]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 2**31 - 1), st.integers(0, 64).map(lambda k: 16 * k))))
def test_local_ids_number_the_distinct_keys_in_order_of_first_occurrence(keys: list[int]) -> None:
    # The plain definition: a dict keeps its keys in the order they were first inserted.
    first_seen = {key: rank for rank, key in enumerate(dict.fromkeys(keys))}
    got = local_ids(np.array(keys, dtype=np.int32))
    assert got.tolist() == [first_seen[key] for key in keys]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([0.2, 0.45, 0.8, 1.0, 1.8, 2.0, 2.25, 3.0, 7.5]), st.integers(0, 9)
        ),
        max_size=20,
    ),
    st.integers(0, 2**32 - 1),
)
def test_the_compiled_weighing_is_numpys(counted: list[tuple[float, int]], seed: int) -> None:
    counts = np.array([c for c, _ in counted], dtype=np.float64)
    ids = np.array([i for _, i in counted], dtype=np.int32)
    weights = np.random.default_rng(seed).random(10).astype(np.float32)
    # The plain definition, as `Vectorizer._unit` computed it before.
    expected = np.log(np.maximum(counts, 1.0))
    expected += 1.0
    np.copyto(expected, counts, where=counts < 1)
    expected *= weights[ids]
    got = np.log(np.maximum(counts, 1.0))
    weigh_counts(got, counts, weights, ids)
    assert got.tobytes() == expected.tobytes()  # to the last bit
    length = float(np.sqrt(expected @ expected))
    divided = expected.copy()
    if length > 0:
        divided /= length
    assert divided_to_float32(expected, length).tobytes() == divided.astype(np.float32).tobytes()
    assert divided_to_float32(expected, 0.0).tobytes() == expected.astype(np.float32).tobytes()


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 60), st.integers(0, 2**32 - 1))
def test_the_compiled_meaning_blend_is_numpys(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    centroid = rng.uniform(-1, 1, n).astype(np.float32)
    closest = rng.uniform(-1, 1, n).astype(np.float32)
    declined = rng.random(n) < 0.2
    declined[0] = False  # at least one topic
    # The plain definition, as `SemanticIndex.similarity` computed it before.
    blended = 0.5 * (centroid + closest)
    blended[declined] = closest[declined]
    expected = np.zeros(n)
    expected[:] = blended
    scores, topics = blended_meaning(centroid, closest, declined)
    assert scores.tobytes() == expected.tobytes()
    assert topics.tobytes() == expected[~declined].tobytes()


SPECIAL_SCORES = [0.0, -0.0, 0.5, 1.0, 2.0, -1.0, 1e-300, np.inf, -np.inf]


def same_floats(got: npt.NDArray[np.float64], expected: npt.NDArray[np.float64]) -> bool:
    """Equal to the last bit, but for the sign of a NaN (which no score has)."""
    nan = np.isnan(expected)
    return bool(
        np.array_equal(np.isnan(got), nan) and got[~nan].tobytes() == expected[~nan].tobytes()
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from([*SPECIAL_SCORES, np.nan]), st.floats(0, 1, width=16)),
        min_size=1,
        max_size=60,
    ),
    st.integers(1, 8),
)
def test_the_first_ranked_are_those_of_a_stable_sort(values: list[float], k: int) -> None:
    scores = np.array(values)
    expected = (-scores).argsort(kind="stable")[:k]
    best, ranked = ranked_first(scores, k)
    assert best.tolist() == expected.tolist()
    assert ranked.tobytes() == scores[expected].tobytes()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.sampled_from(SPECIAL_SCORES), st.floats(-0.5, 1.5)),
            st.one_of(st.sampled_from(SPECIAL_SCORES), st.floats(-1, 1)),
        ),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from([0.8, 0.93, 1.0]),
    st.sampled_from([0.0, 0.15, 1.0]),
)
def test_covering_and_adding_meaning_are_numpys(
    pairs: list[tuple[float, float]], divisor: float, weight: float
) -> None:
    scores, meaning = (np.array(column) for column in zip(*pairs, strict=True))
    # As `Matcher.evidence` computed them with numpy calls before.
    expected = np.minimum(scores / divisor, 1.0)
    got = covered_scores(scores, divisor)
    assert same_floats(got, expected)
    with np.errstate(invalid="ignore"):
        expected += weight * meaning
    expected.clip(0.0, 1.0, out=expected)
    add_clipped(got, weight, meaning)
    assert same_floats(got, expected)
