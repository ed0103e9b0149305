"""Topic prototypes: centroids of their examples, then corrected where an example sits too
close to a rival topic, and averaged over the correction passes."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from intents.matching.prototypes import RefineConfig, train_prototypes
from intents.matching.sparse import FeatureMatrix, SparseRows

# Two topics over three features; every feature occurs in both topics (a rare feature is
# only corrected where its topic already has it). Example 1 of topic A leans to topic B.
EXAMPLES = np.array(
    [
        [0.9, 0.1, 0.1],  # A
        [0.5, 0.6, 0.2],  # A, close to B
        [0.3, 0.8, 0.3],  # B
        [0.1, 0.5, 0.8],  # B
    ]
)
TOPICS = np.array([0, 0, 1, 1], dtype=np.int32)


def unit(matrix: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return matrix / np.linalg.norm(matrix, axis=-1, keepdims=True)


def rows_of(vectors: npt.NDArray[np.float64]) -> SparseRows:
    n, width = vectors.shape
    return SparseRows(
        np.arange(0, n * width + 1, width, dtype=np.int64),
        np.tile(np.arange(width, dtype=np.int32), n),
        vectors.ravel().astype(np.float32),
    )


def dense(matrix: FeatureMatrix) -> npt.NDArray[np.float64]:
    out = np.zeros((matrix.n_rows, matrix.n_features))
    row, feature, value = matrix.entries()
    out[row, feature] = value
    return out


def trained(config: RefineConfig) -> npt.NDArray[np.float64]:
    return dense(train_prototypes(rows_of(unit(EXAMPLES)), TOPICS, 2, 3, config))


def test_without_correction_a_prototype_is_the_direction_of_its_examples_sum() -> None:
    x = unit(EXAMPLES)
    centroids = unit(np.stack([x[:2].sum(0), x[2:].sum(0)]))
    np.testing.assert_allclose(trained(RefineConfig(rounds=0)), centroids, atol=1e-6)


def test_one_pass_adds_the_late_example_to_its_topic_and_takes_it_from_the_rival() -> None:
    x = unit(EXAMPLES)
    sums = np.stack([x[:2].sum(0), x[2:].sum(0)])
    late = x[1]
    assert late @ unit(sums[0]) - late @ unit(sums[1]) < RefineConfig().margin  # the premise
    corrected = sums + np.stack([late, -late])
    np.testing.assert_allclose(
        trained(RefineConfig(rounds=1, averaged=False)), unit(corrected), atol=1e-6
    )


def test_averaged_prototypes_are_the_mean_of_the_prototypes_before_and_after_each_pass() -> None:
    # The last pass alone depends on every example's exact wording; the mean over passes
    # does not swing with it (bench/stability.py measures the difference on the shipped KB).
    x = unit(EXAMPLES)
    sums = np.stack([x[:2].sum(0), x[2:].sum(0)])
    late = x[1]
    corrected = sums + np.stack([late, -late])
    np.testing.assert_allclose(
        trained(RefineConfig(rounds=1, averaged=True)), unit((sums + corrected) / 2), atol=1e-6
    )


def test_the_default_training_averages_over_the_passes() -> None:
    # The shipped index trains with the default config: it must be the averaged one.
    np.testing.assert_allclose(
        trained(RefineConfig(rounds=1)), trained(RefineConfig(rounds=1, averaged=True)), atol=0
    )
    assert not np.allclose(
        trained(RefineConfig(rounds=1)), trained(RefineConfig(rounds=1, averaged=False))
    )
