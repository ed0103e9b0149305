"""Text -> unit-length TF-IDF vector over the features of `intents.text.features`.

Fitted once on the knowledge base's examples. Two choices make scores honest:
- rare words weigh more (inverse document frequency), so "CERN", "what" and "project" count
  for little while "MEDICIS" or "cryostat" decide;
- words the knowledge base has never seen still count in the query's length, so a message
  made mostly of unknown words ("best pizza in geneva") cannot look like a close match just
  because its one known word ("in") matches perfectly.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import chain, pairwise
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from intents.matching.kernels import count_parts, divided_to_float32, weigh_counts
from intents.matching.sparse import Floats, Ids, SparseRows, SparseVector, group_keys
from intents.text.dictionary import real_words
from intents.text.features import (
    FEATURE_KINDS,
    MAX_QUERY_TERMS,
    PAIR,
    WORD,
    FeatureConfig,
    kind_of,
    pair_features,
    term_features,
    terms,
)
from intents.text.typos import TypoCorrector
from intents.text.vocabulary import Vocabulary

TYPO_DISCOUNT = 0.8
"""A corrected word counts a little less than one typed right: the correction is a guess."""
GENERIC_SHARE = 0.4
"""A word used by this share of the topics (and by at least GENERIC_MIN_TOPICS) is generic.
Route words ("license", "contact", "cost") appear in many topics, next to project names
("can we license GaToroid"), yet alone they still say which route is meant: hence this high."""
GENERIC_MIN_TOPICS = 3
MIN_NAME_LENGTH = 4
"""An unknown word this long may be a misspelt name, so a message containing one is not
called vague (its character n-grams can still match)."""
UNKNOWN_TERMS_CACHED = 4096
"""Words the knowledge base does not use whose reading (typo correction, known n-grams) each
vectorizer remembers: they recur from message to message ("quelles", "möchte")."""

UnknownTerm = tuple[str | None, Sequence[int], tuple[str, ...]]
"""An unknown word's correction (or None), the ids of its features, its unknown features."""


@dataclass(frozen=True, slots=True)
class QueryVector:
    vector: SparseVector
    """Unit length (unknown words included in the length)."""
    terms: tuple[str, ...]
    """The words matched, after spelling correction."""
    corrections: Mapping[str, str]
    vague: bool
    """Only generic words, nothing unknown that could be a misspelt name: no topic is meant."""
    coverage: float = 1.0
    """Share of the message's length (its vector norm) made of features the knowledge base
    knows: the highest similarity any topic could reach. Low for messages mostly of words
    the knowledge base never uses."""


@dataclass(frozen=True, slots=True)
class FeatureCounts:
    """How often each feature occurs in (part of) a message: term frequencies."""

    ids: Ids
    """Each feature once, in the order the message first uses it."""
    counts: npt.NDArray[np.float64]

    def as_dict(self) -> dict[int, float]:
        return dict(zip(self.ids.tolist(), self.counts.tolist(), strict=True))


@dataclass(slots=True)
class _Occurrences:
    """The features of a message's parts as they are read, counted all at once by
    `count_parts` when the message is read (see `Vectorizer.read_parts`)."""

    ids: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    discounted: list[int] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)

    def add(self, features: Iterable[int], discounted: int, weight: float) -> int:
        """Add a part's features (the last `discounted` are a corrected word's, repeated),
        weighed by `weight` in the message's sum (not at all when not positive); return its
        position among the parts."""
        self.ids.extend(features)
        self.ends.append(len(self.ids))
        self.discounted.append(discounted)
        self.weights.append(weight)
        return len(self.ends) - 1

    def counted(self) -> tuple[Callable[[int], FeatureCounts], FeatureCounts]:
        """The message's term frequencies (the parts' weighed and summed), and how to get
        each part's by its position: only the parts read alone need theirs."""
        part_ptr, part_ids, part_counts, ids, counts = count_parts(
            np.array(self.ids, dtype=np.int32),
            np.array(self.ends, dtype=np.int64),
            np.array(self.discounted, dtype=np.int64),
            np.array(self.weights, dtype=np.float64),
            1.0 - TYPO_DISCOUNT,
        )

        def part(position: int) -> FeatureCounts:
            start, end = int(part_ptr[position]), int(part_ptr[position + 1])
            return FeatureCounts(part_ids[start:end], part_counts[start:end])

        return part, FeatureCounts(ids, counts)


@dataclass(frozen=True, slots=True)
class Vectorizer:
    config: FeatureConfig
    feature_ids: Mapping[str, int]
    weights: Floats
    """Per feature: kind weight × inverse document frequency."""
    unseen_square: Mapping[str, float]
    """Per feature kind: the squared weight of a feature no example has (maximal rarity)."""
    term_ids: Mapping[str, tuple[int, ...]]
    """Per known word: the ids of its word and character features (precomputed)."""
    typos: TypoCorrector
    generic_terms: frozenset[str]
    """Words most topics use ("cern", "what", "project"): alone, they say nothing."""
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    """Synonyms read as their canonical words, in the examples and in every message."""
    _unknown_term: Callable[[str], UnknownTerm] = field(init=False, repr=False, compare=False)
    """`_read_unknown` of this vectorizer's words, cached (bounded: `UNKNOWN_TERMS_CACHED`)."""

    def __post_init__(self) -> None:
        # Bound to what it reads, not to the vectorizer: no reference cycle keeps a replaced
        # knowledge base's arrays alive until a full garbage collection.
        read = partial(_read_unknown, self.typos, self.term_ids, self.feature_ids, self.config)
        object.__setattr__(self, "_unknown_term", lru_cache(maxsize=UNKNOWN_TERMS_CACHED)(read))

    @classmethod
    def fit(
        cls,
        texts: Sequence[str],
        groups: Sequence[int],
        config: FeatureConfig,
        vocabulary: Vocabulary | None = None,
        weighed: Sequence[bool] | None = None,
    ) -> tuple[Vectorizer, SparseRows]:
        """Learn vocabulary and weights from `texts` (`groups[i]`: the topic of `texts[i]`);
        also return their unit vectors. Texts whose `weighed` flag is false get vectors and
        make their words known, but leave every weight as the other texts set it."""
        feature_ids: dict[str, int] = {}
        term_ids: dict[str, tuple[int, ...]] = {}
        term_counts: Counter[str] = Counter()
        term_groups: dict[str, set[int]] = {}
        documents: list[list[int]] = []
        counted = [True] * len(texts) if weighed is None else list(weighed)
        for text, group, counts in zip(texts, groups, counted, strict=True):
            text_terms = terms(text, limit=10_000, vocabulary=vocabulary)
            term_counts.update(set(text_terms))
            ids: list[int] = []
            for term in text_terms:
                if counts:
                    term_groups.setdefault(term, set()).add(group)
                known = term_ids.get(term)
                if known is None:
                    known = term_ids[term] = tuple(
                        feature_ids.setdefault(f, len(feature_ids))
                        for f in term_features(term, config)
                    )
                ids.extend(known)
            ids.extend(
                feature_ids.setdefault(f, len(feature_ids))
                for f in pair_features(text_terms, config)
            )
            documents.append(ids)

        weights, vectors = _weigh(documents, counted, feature_ids, config)
        n_weighed = sum(counted)
        unseen = math.log(1 + n_weighed) + 1
        vectorizer = cls(
            config=config,
            # Plain dicts, never mutated after this point: looked up ~50 times per message,
            # where a read-only proxy would cost a third more.
            feature_ids=feature_ids,
            weights=weights,
            unseen_square={kind: (unseen * config.weight_of(kind)) ** 2 for kind in FEATURE_KINDS},
            term_ids=term_ids,
            typos=TypoCorrector.build(term_counts, real_words()),
            generic_terms=_generic(
                term_groups, len({g for g, c in zip(groups, counted, strict=True) if c})
            ),
            vocabulary=vocabulary or Vocabulary(),
        )
        return vectorizer, vectors

    def vectorize(self, text: str) -> QueryVector:
        """The unit vector of a user's message (typos corrected, unknown words counted)."""
        return self.read_parts(((text, 1.0),))[0]

    def read_parts(
        self, parts: Sequence[tuple[str, float]], alone: Collection[int] = ()
    ) -> tuple[QueryVector, dict[int, QueryVector]]:
        """One unit vector for a message read as weighted parts (its sentences, weighed by
        their role: each part's words count `weight` times, unknown ones included) and, for
        the parts at the indices `alone`, each part's own vector, as if it were the whole
        message: a message's questions are also read one by one, without reading their words
        twice. A part past the message's word budget is not read, alone or not."""
        corrections: dict[str, str] = {}
        occurrences = _Occurrences()
        unknown: dict[str, float] = {}
        all_terms: list[str] = []
        # Read alone: a part's position among those read, its words, unknown features and
        # the corrections made up to it.
        read_alone: dict[int, tuple[int, list[str], set[str], dict[str, str]]] = {}
        budget = MAX_QUERY_TERMS
        for index, (text, weight) in enumerate(parts):
            if budget <= 0:
                break
            part_terms = terms(text, limit=budget, vocabulary=self.vocabulary)
            budget -= len(part_terms)
            if weight <= 0 and index not in alone:
                continue
            features, discounted, part_unknown = self._add_terms(part_terms, corrections)
            position = occurrences.add(features, discounted, weight)
            if index in alone:
                read_alone[index] = (position, part_terms, part_unknown, dict(corrections))
            if weight <= 0:
                continue
            for name in part_unknown:
                unknown[name] = max(unknown.get(name, 0.0), weight)
            all_terms.extend(part_terms)
        part_tf, tf = occurrences.counted()
        own = {
            index: self._unit(part_tf(position), dict.fromkeys(missing, 1.0), read, fixed)
            for index, (position, read, missing, fixed) in read_alone.items()
        }
        return self._unit(tf, unknown, all_terms, corrections), own

    def term_counts(self, query_terms: list[str], corrections: dict[str, str]) -> FeatureCounts:
        """The term frequencies of words read alone, as `read_parts` counts each part's:
        misspelt words corrected in place (and in `corrections`), counting less."""
        occurrences = _Occurrences()
        features, discounted, _ = self._add_terms(query_terms, corrections)
        occurrences.add(features, discounted, 1.0)
        return occurrences.counted()[1]

    def _unit(
        self,
        tf: FeatureCounts,
        unknown: Mapping[str, float],
        read: Sequence[str],
        corrections: Mapping[str, str],
    ) -> QueryVector:
        """The unit vector of term frequencies `tf`, unknown features counted in its length."""
        ids_array, counts = tf.ids, tf.counts
        # Below one occurrence (a weighed-down sentence), the count scales the weight as is:
        # `np.where(counts >= 1, 1 + log, counts)` times the weights, the log taken by numpy
        # and the rest in one compiled call (`kernels.weigh_counts`).
        values = np.log(np.maximum(counts, 1.0))
        weigh_counts(values, counts, self.weights, ids_array)
        unseen = self.unseen_square
        unknown_square = sum(unseen[kind_of(f)] * w * w for f, w in unknown.items())
        known_square = float(values @ values)
        length = math.sqrt(known_square + unknown_square)
        coverage = math.sqrt(known_square) / length if length > 0 else 0.0
        vague = all(
            term in self.generic_terms
            or (term not in self.term_ids and len(term) < MIN_NAME_LENGTH)
            for term in read
        )
        return QueryVector(
            SparseVector(ids_array, divided_to_float32(values, length)),
            tuple(read),
            MappingProxyType(dict(corrections)),
            vague,
            coverage,
        )

    def _add_terms(
        self, query_terms: list[str], corrections: dict[str, str]
    ) -> tuple[Iterable[int], int, set[str]]:
        """The features of one part's words, once per occurrence (the caller weighs the
        part), then again those of each corrected word, which count `TYPO_DISCOUNT` each
        instead of one (see `count_parts`); how many those are; and the features unknown to
        the knowledge base. Misspelt words are corrected in place."""
        missing: set[str] = set()
        found: list[Sequence[int]] = []
        discounted: list[Sequence[int]] = []
        for position, term in enumerate(query_terms):
            ids: Sequence[int] | None = self.term_ids.get(term)
            if ids is None:
                fixed, ids, unknown = self._unknown_term(term)
                if fixed is not None:
                    corrections[term] = query_terms[position] = fixed
                    discounted.append(ids)
                missing.update(unknown)
            found.append(ids)
        # A new pair of known words is what a paraphrase is made of: it is not evidence
        # against a match, unlike an unknown word, so it does not count in the length.
        pairs = known_pairs(self.feature_ids, query_terms, self.config.compound_max_part)
        return chain(*found, pairs, *discounted), sum(map(len, discounted)), missing


def _known(
    feature_ids: Mapping[str, int], features: Iterable[str], unknown: list[str]
) -> list[int]:
    """Ids of the known `features`; the unknown ones are appended to `unknown`."""
    found: list[int] = []
    lookup = feature_ids.get
    for feature in features:
        index = lookup(feature)
        if index is None:
            unknown.append(feature)
        else:
            found.append(index)
    return found


def known_pairs(feature_ids: Mapping[str, int], sequence: Sequence[str], short: int) -> list[int]:
    """The ids of the known `pair_features` of `sequence` (`short`: the config's
    `compound_max_part`), in their order: one pass, where building the features' list and
    then looking it up took two (3 µs of 8 on a long message)."""
    found: list[int] = []
    lookup = feature_ids.get
    for first, second in pairwise(sequence):
        index = lookup(f"{PAIR}:{first} {second}")
        if index is not None:
            found.append(index)
        if len(first) <= short or len(second) <= short:
            index = lookup(f"{WORD}:{first}{second}")
            if index is not None:
                found.append(index)
    return found


def _read_unknown(
    typos: TypoCorrector,
    term_ids: Mapping[str, tuple[int, ...]],
    feature_ids: Mapping[str, int],
    config: FeatureConfig,
    term: str,
) -> UnknownTerm:
    """A word the knowledge base does not use: the known word it is a typo of, and that
    word's features; else none, its own known features and its unknown ones."""
    fixed = typos.correct(term)
    if fixed is not None:
        return fixed, term_ids[fixed], ()
    unknown: list[str] = []
    ids = _known(feature_ids, term_features(term, config), unknown)
    return None, tuple(ids), tuple(unknown)


def _weigh(
    documents: Sequence[Sequence[int]],
    counted: Sequence[bool],
    feature_ids: Mapping[str, int],
    config: FeatureConfig,
) -> tuple[Floats, SparseRows]:
    """Per feature, its weight (kind weight × IDF over the `counted` documents); per
    document (the feature ids of its terms, repeated as often as they occur), its unit
    vector. All documents at once: unique (document, feature) pairs and their counts."""
    n, n_features = len(documents), max(len(feature_ids), 1)
    n_weighed = sum(counted)
    all_ids = np.fromiter(chain.from_iterable(documents), dtype=np.int64)
    owner = np.repeat(np.arange(n, dtype=np.int64), [len(ids) for ids in documents])
    _, pairs, starts = group_keys(owner * n_features + all_ids)
    tf = np.diff(starts, append=len(all_ids))
    doc, feature = np.divmod(pairs, n_features)
    in_weights = np.asarray(counted, dtype=bool)[doc]
    df = np.bincount(feature[in_weights], minlength=len(feature_ids))
    idf = np.log((1 + n_weighed) / (1 + df)) + 1
    kind_weight = np.empty(len(feature_ids), dtype=np.float64)
    for name, index in feature_ids.items():
        kind_weight[index] = config.weight_of(kind_of(name))
    weights = (idf * kind_weight).astype(np.float32)
    values = (1 + np.log(tf)) * weights[feature]
    norms = np.sqrt(np.bincount(doc, weights=values * values, minlength=n))
    values /= np.maximum(norms, 1e-12)[doc]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(doc, minlength=n), out=indptr[1:])
    vectors = SparseRows(indptr, feature.astype(np.int32), values.astype(np.float32))
    return weights, vectors


def _generic(term_groups: Mapping[str, set[int]], n_groups: int) -> frozenset[str]:
    needed = max(GENERIC_MIN_TOPICS, GENERIC_SHARE * n_groups)
    return frozenset(term for term, groups in term_groups.items() if len(groups) >= needed)
