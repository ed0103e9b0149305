"""The searchable form of a set of topics, built once and then only read.

Each topic is described by example texts (title, questions, keywords) and names (aliases,
acronyms). A message is compared with every topic in three ways:
- its prototype (see `prototypes`): what the topic's examples have in common and what
  sets them apart from neighbouring topics; good at paraphrases;
- its closest single example: a keyword typed alone ("donate") or a question typed nearly
  verbatim is matched as precisely as it was written;
- its closest name: "Tell me about STELLA" names its topic, whatever else it says.
The score blends the first two; a name match sets a floor under it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from intents.matching.kernels import blend_rows
from intents.matching.prototypes import RefineConfig, train_prototypes
from intents.matching.sparse import FeatureMatrix, Ids, SparseVector
from intents.matching.vectorizer import QueryVector, Vectorizer
from intents.text.features import FeatureConfig
from intents.text.vocabulary import Vocabulary


@dataclass(frozen=True, slots=True)
class IndexConfig:
    """How scores are computed. Measured choices, not staff settings (see bench/README.md)."""

    features: FeatureConfig = field(default_factory=FeatureConfig)
    refine: RefineConfig = field(default_factory=RefineConfig)
    example_weight: float = 0.2
    """Share of the closest example in a topic's score (the rest is the prototype's)."""
    name_weight: float = 0.6
    """A topic scores at least this times the similarity of its closest name."""
    declined_weight: float = 0.8
    """The declined questions' score is this times the closest one's similarity."""
    vague_factor: float = 0.5
    """Scores of a message made only of generic words ("what is the CERN project") are
    multiplied by this: however well such words match, they do not say which topic is meant."""
    unnamed_factor: float = 0.8
    """A declined question naming another organisation, compared with a message naming none,
    counts this times its similarity: its frame alone ("How do I apply for Innosuisse funding
    for my medtech start-up?") must not decline CERN's own questions of the same shape."""


@dataclass(frozen=True, slots=True)
class TopicTexts:
    """What the index knows of one topic."""

    id: str
    examples: tuple[str, ...]
    """Texts that mean the topic: title, questions, keywords."""
    names: tuple[str, ...] = ()
    """Texts that name it: aliases, acronyms."""
    declined: bool = False
    """Questions the bot declines rather than a topic: scored by the closest of them alone,
    and kept out of the prototypes' training, so adding one never shifts what a real topic
    means."""
    naming: tuple[bool, ...] = ()
    """Per example: whether it names another organisation (see `TopicIndex.naming`)."""


@dataclass(frozen=True, slots=True)
class TopicScores:
    query: QueryVector
    scores: npt.NDArray[np.float64]
    """Per topic, in index order, in [0, 1]."""


@dataclass(frozen=True, slots=True)
class TopicIndex:
    topic_ids: tuple[str, ...]
    vectorizer: Vectorizer
    rows: FeatureMatrix
    """One row per topic prototype, then one per example and name, topic by topic: a message
    is compared with all of them in a single pass."""
    text_starts: Ids
    """Where each topic's examples and names start among the rows after the prototypes."""
    is_name: npt.NDArray[np.bool_]
    """Per example-or-name row (after the prototypes): whether it is a name."""
    config: IndexConfig
    declined: npt.NDArray[np.bool_]
    """Per topic: whether it is the declined questions (see `TopicTexts.declined`)."""
    naming: Ids
    """The rows (of `rows`) of the declined questions that name another organisation: a
    message naming none is further from them (`IndexConfig.unnamed_factor`)."""
    _unnamed_scale: npt.NDArray[np.float64] = field(init=False, repr=False, compare=False)
    """Per row: `unnamed_factor` for the `naming` rows, 1 for the others. Multiplying a
    message's similarities by it is one pass, where picking the `naming` columns out and
    back cost a fifth of scoring a long message's features."""

    def __post_init__(self) -> None:
        scale = np.ones(self.rows.n_rows)
        scale[self.naming] = self.config.unnamed_factor
        scale.flags.writeable = False
        object.__setattr__(self, "_unnamed_scale", scale)

    @classmethod
    def build(
        cls,
        topics: Sequence[TopicTexts],
        config: IndexConfig | None = None,
        vocabulary: Vocabulary | None = None,
    ) -> TopicIndex:
        """Index `topics`; each needs at least one example or name."""
        config = config or IndexConfig()
        empty = [topic.id for topic in topics if not topic.examples and not topic.names]
        if empty:
            raise ValueError(f"topics without example texts: {', '.join(empty)}")
        texts = [text for topic in topics for text in (*topic.examples, *topic.names)]
        owner = np.repeat(
            np.arange(len(topics), dtype=np.int32),
            [len(topic.examples) + len(topic.names) for topic in topics],
        )
        is_name = np.array(
            [
                kind
                for topic in topics
                for kind in [False] * len(topic.examples) + [True] * len(topic.names)
            ],
            dtype=bool,
        )
        declined = np.array([topic.declined for topic in topics], dtype=bool)
        naming = len(topics) + np.flatnonzero(
            [
                flag
                for topic in topics
                for flag in (
                    *(topic.naming or (False,) * len(topic.examples)),
                    *(False,) * len(topic.names),
                )
            ]
        ).astype(np.int32)
        vectorizer, vectors = Vectorizer.fit(
            texts, owner.tolist(), config.features, vocabulary, (~declined[owner]).tolist()
        )
        n_features = len(vectorizer.feature_ids)
        trained = np.flatnonzero(~declined[owner])
        prototypes = train_prototypes(
            vectors.select(trained), owner[trained], len(topics), n_features, config.refine
        )
        topic_row, feature, value = prototypes.entries()
        n_rows = len(topics) + len(texts)
        rows = FeatureMatrix.from_entries(
            n_rows,
            n_features,
            np.concatenate([topic_row, len(topics) + vectors.row_of_entry]),
            np.concatenate([feature, vectors.indices]),
            np.concatenate([value, vectors.data]),
        )
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        index = cls(
            tuple(topic.id for topic in topics),
            vectorizer,
            rows,
            starts.astype(np.int32),
            is_name,
            config,
            declined,
            naming,
        )
        index._freeze()
        index.warm_up()
        return index

    def score(self, text: str) -> TopicScores:
        """Scores of `text` read as one whole part."""
        return self.score_reading(((text, 1.0),))[0]

    def score_reading(
        self,
        parts: Sequence[tuple[str, float]],
        alone: Collection[int] = (),
        names_other: bool = True,
    ) -> tuple[TopicScores, dict[int, TopicScores]]:
        """Scores of a message read as weighted parts and, for the parts at the indices
        `alone`, of each of them read on its own (see `Vectorizer.read_parts`).
        `names_other`: whether the message names another organisation at all."""
        query, own = self.vectorizer.read_parts(parts, alone)
        scored = self._score_all([query, *own.values()], names_other)
        return scored[0], dict(zip(own, scored[1:], strict=True))

    def _score_all(
        self, queries: Sequence[QueryVector], names_other: bool = True
    ) -> list[TopicScores]:
        read = [i for i, q in enumerate(queries) if len(q.vector.ids)]
        if len(read) == len(queries):
            scores = self._scores(queries, names_other)  # the usual case: all have words
        else:
            scores = np.zeros((len(queries), len(self.topic_ids)))
            if read:
                scores[read] = self._scores([queries[i] for i in read], names_other)
        return [TopicScores(q, s) for q, s in zip(queries, scores, strict=True)]

    def _scores(self, queries: Sequence[QueryVector], names_other: bool) -> npt.NDArray[np.float64]:
        """Per query (rows) and topic, its score: `queries` have at least a feature each."""
        similarity = self.rows.dot_many([query.vector for query in queries])
        vague = np.array([query.vague for query in queries], dtype=bool)
        # The declined questions naming another organisation count less for a message naming
        # none (times one elsewhere: the same values there), scaled inside the blend.
        return self._blend(similarity, vague, not names_other and len(self.naming) > 0)

    def _blend(
        self,
        similarity: npt.NDArray[np.float64],
        vague: npt.NDArray[np.bool_],
        unnamed: bool = False,
    ) -> npt.NDArray[np.float64]:
        """Per query (rows) and topic: its prototype's and its closest example's similarity,
        blended, at least its closest name's; the declined questions by the closest one
        alone (see `kernels.blend_rows`). All of a message's readings at once. `unnamed`:
        `similarity` is first multiplied, in place, by `_unnamed_scale`."""
        config = self.config
        return blend_rows(
            similarity,
            len(self.topic_ids),
            self.text_starts,
            self.is_name,
            self.declined,
            vague,
            config.example_weight,
            config.name_weight,
            config.declined_weight,
            config.vague_factor,
            self._unnamed_scale,
            unnamed,
        )

    def warm_up(self) -> None:
        """Compile the scoring loops for this index's arrays now (or read them from numba's
        cache), when the knowledge base loads, rather than on the first message."""
        nothing = SparseVector(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))
        self._blend(self.rows.dot_many([nothing]), np.zeros(1, dtype=bool))
        self.vectorizer.read_parts([("warm up", 1.0), ("the counting", 0.5)])

    def _freeze(self) -> None:
        """Read-only arrays: a shared index cannot be changed by accident from any thread."""
        arrays = (
            self.rows.dense,
            self.rows.dense_slot,
            self.rows.postings_ptr,
            self.rows.postings_rows,
            self.rows.postings_values,
            self.text_starts,
            self.is_name,
            self.declined,
            self.naming,
            self.vectorizer.weights,
        )
        for array in arrays:
            array.flags.writeable = False
