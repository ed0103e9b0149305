"""The loaded, validated and immutable knowledge base."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from intents.knowledge.errors import Problem
from intents.knowledge.models import (
    Category,
    Contact,
    FreshnessSettings,
    MatchingSettings,
    SpecialIds,
    SynonymGroup,
    Topic,
)


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
    synonyms: tuple[SynonymGroup, ...] = ()
    """Staff-edited vocabulary (see `intents.text.vocabulary`)."""
    out_of_scope: tuple[str, ...] = ()
    """Example questions the bot declines (see `KnowledgeFile.out_of_scope`)."""
    other_organisations: tuple[str, ...] = ()
    """Organisations whose own business the bot declines (see `intents.matching.elsewhere`)."""
    sellers: tuple[str, ...] = ()
    """Companies a topic names whose own prices the bot declines (see `seller_of`)."""
    declined_matters: tuple[str, ...] = ()
    """What the bot declines whatever project is named (see `intents.text.phrases`)."""
    freshness: FreshnessSettings = field(default_factory=FreshnessSettings)
    """When topics are due for review (`intents.knowledge.freshness` compares with today)."""
    review_places: Mapping[str, tuple[Path, int]] = field(default_factory=dict)
    """Where each topic's review date is written (`review_by:`, else `reviewed:`, else its
    id), as problems show it: a freshness warning points at the line to update."""
    warnings: tuple[Problem, ...] = ()
    """What `ktbot check` reports without refusing the knowledge base (sorted); warnings
    that depend on today's date come from `intents.knowledge.freshness` instead."""
    former_ids: Mapping[str, str] = field(default_factory=dict)
    """A renamed topic's old id -> its current id (`Topic.former_ids`)."""
    special: SpecialIds = field(default_factory=SpecialIds)
    """The topics and contact the bot's own messages use (`special:` in settings.yaml)."""

    def __post_init__(self) -> None:
        for name in (
            "topics",
            "contacts",
            "categories",
            "topic_files",
            "review_places",
            "former_ids",
        ):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        object.__setattr__(self, "warnings", tuple(sorted(self.warnings)))

    def topic(self, topic_id: str) -> Topic:
        try:
            return self.topics[topic_id]
        except KeyError:
            raise KeyError(f"no topic with id {topic_id!r}") from None

    def current_id(self, topic_id: str) -> str | None:
        """`topic_id` if it is a topic, the id of the topic it was renamed to, else None."""
        if topic_id in self.topics:
            return topic_id
        return self.former_ids.get(topic_id)

    def find_topic(self, topic_id: str) -> Topic | None:
        """The topic named `topic_id`, now or before a rename (deep links, old buttons)."""
        current = self.current_id(topic_id)
        return self.topics[current] if current is not None else None

    @property
    def welcome_topic(self) -> Topic | None:
        """What /start and /help show, if the knowledge base names one."""
        return self._special_topic(self.special.welcome_topic)

    @property
    def contact_topic(self) -> Topic | None:
        """What /contact shows, if the knowledge base names one."""
        return self._special_topic(self.special.contact_topic)

    @property
    def default_contact(self) -> Contact | None:
        """Whom replies without a contact of their own point to: the `default_contact` of
        `special:`, else the first contact defined (None only with no contacts at all)."""
        chosen = self.special.default_contact
        if chosen is not None and chosen in self.contacts:
            return self.contacts[chosen]
        return next(iter(self.contacts.values()), None)

    def _special_topic(self, topic_id: str | None) -> Topic | None:
        # The loader has checked the id; `get` keeps a hand-built knowledge base safe too.
        return self.topics.get(topic_id) if topic_id is not None else None

    def topics_in(self, category_id: str) -> tuple[Topic, ...]:
        return tuple(t for t in self.topics.values() if t.category == category_id)

    def courtesy_topics(self) -> frozenset[str]:
        """Ids of the greetings, thanks and goodbyes (topics of a `courtesy` category)."""
        courteous = {c.id for c in self.categories.values() if c.courtesy}
        return frozenset(t.id for t in self.topics.values() if t.category in courteous)

    def contacts_of(self, topic: Topic) -> tuple[Contact, ...]:
        return tuple(self.contacts[c] for c in topic.contacts if c in self.contacts)

    def related_of(self, topic: Topic) -> tuple[Topic, ...]:
        return tuple(self.topics[r] for r in topic.related if r in self.topics)
