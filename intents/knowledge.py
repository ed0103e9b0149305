"""The loaded, validated and immutable knowledge base."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from intents.models import Category, Contact, MatchingSettings, Topic


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    topics: Mapping[str, Topic]
    """Topics by id, in file order."""
    contacts: Mapping[str, Contact]
    categories: Mapping[str, Category]
    settings: MatchingSettings
    version: str
    """Short content hash: logs record which knowledge answered a question."""
    root: Path
    topic_files: Mapping[str, Path] = field(default_factory=dict)
    """Which YAML file defines each topic (used to promote questions into it)."""

    def __post_init__(self) -> None:
        for name in ("topics", "contacts", "categories", "topic_files"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def topic(self, topic_id: str) -> Topic:
        try:
            return self.topics[topic_id]
        except KeyError:
            raise KeyError(f"no topic with id {topic_id!r}") from None

    def topics_in(self, category_id: str) -> tuple[Topic, ...]:
        return tuple(t for t in self.topics.values() if t.category == category_id)

    def contacts_of(self, topic: Topic) -> tuple[Contact, ...]:
        return tuple(self.contacts[c] for c in topic.contacts if c in self.contacts)

    def related_of(self, topic: Topic) -> tuple[Topic, ...]:
        return tuple(self.topics[r] for r in topic.related if r in self.topics)
