"""The matcher: knowledge base in, one decision per message out.

Pure and synchronous, and knows nothing of Telegram. `Matcher.build` does all the expensive
work (normalising, indexing, training the topic prototypes) once per knowledge-base load;
`match` is then a read-only computation that is safe to call from any number of threads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from intents.decision import decide
from intents.index import IndexConfig, TopicIndex, TopicTexts
from intents.knowledge import KnowledgeBase
from intents.models import Topic
from intents.result import Candidate, MatchResult

RANKED = 5
"""Candidates kept per message: enough for any `max_alternatives` (at most 5)."""


def topic_texts(topic: Topic) -> TopicTexts:
    """Everything that says what `topic` is about, for the index."""
    return TopicTexts(
        topic.id, (topic.title, *topic.questions, *topic.keywords), tuple(topic.aliases)
    )


@dataclass(frozen=True, slots=True)
class Matcher:
    kb: KnowledgeBase
    index: TopicIndex

    @classmethod
    def build(cls, kb: KnowledgeBase, config: IndexConfig | None = None) -> Matcher:
        index = TopicIndex.build([topic_texts(topic) for topic in kb.topics.values()], config)
        return cls(kb, index)

    def match(self, text: str) -> MatchResult:
        """Decide what to reply to `text`; never raises, whatever the string."""
        return decide(text, self.rank(text), self.kb.settings)

    def rank(self, text: str) -> tuple[Candidate, ...]:
        """The best few topics for `text`, best first, before any threshold is applied."""
        scores = self.index.score(text).scores
        # A stable sort: equal scores keep the knowledge base's order, run after run.
        best = np.argsort(-scores, kind="stable")[:RANKED]
        return tuple(Candidate(self.index.topic_ids[i], float(scores[i])) for i in best)
