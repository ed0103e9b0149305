"""How the vectorizer reads a message's words into feature ids, against the steps it took
before they were merged (`Vectorizer._add_terms`): the same ids in the same order."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from intents.knowledge.loader import load_knowledge
from intents.matching.matcher import Matcher
from intents.matching.vectorizer import _known, known_pairs
from intents.text.features import FeatureConfig, pair_features, terms

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
SHIPPED = Matcher.build(load_knowledge(KNOWLEDGE))
VECTORIZER = SHIPPED.index.vectorizer
KNOWN_TERMS = sorted(VECTORIZER.term_ids)


def pairs_as_before(sequence: list[str], config: FeatureConfig) -> list[int]:
    """The ids `_add_terms` took of a part's pairs: `pair_features`, then those known."""
    return _known(VECTORIZER.feature_ids, pair_features(sequence, config), [])


def test_known_pairs_are_those_of_the_pair_features_on_every_example() -> None:
    kb = SHIPPED.kb
    rng = random.Random(3)
    texts = [text for topic in kb.topics.values() for text in (topic.title, *topic.questions)]
    config = VECTORIZER.config
    for text in [*texts, *kb.out_of_scope]:
        words = terms(text, vocabulary=VECTORIZER.vocabulary)
        shuffled = rng.sample(words, len(words))
        for sequence in (words, shuffled):
            found = known_pairs(VECTORIZER.feature_ids, sequence, config.compound_max_part)
            assert found == pairs_as_before(sequence, config)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(KNOWN_TERMS), st.text("abcdefrstu", min_size=1, max_size=6)),
        max_size=12,
    ),
    st.integers(0, 8),
)
def test_known_pairs_are_those_of_the_pair_features_for_any_word_length(
    sequence: list[str], short: int
) -> None:
    config = FeatureConfig(compound_max_part=short)
    assert known_pairs(VECTORIZER.feature_ids, sequence, short) == pairs_as_before(sequence, config)
