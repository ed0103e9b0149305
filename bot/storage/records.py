"""What storage takes and gives back: immutable values, and the one error of the domain."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType

from intents import Candidate, MatchResult, Outcome

CHANNELS = frozenset({"telegram", "cli"})


class StorageError(Exception):
    """The database could not be used; the message says what to do about it."""


class DatabaseUnavailable(StorageError):
    """The database refuses writes for now (locked, read-only, full, I/O error): the same
    write may succeed once the operator fixes that, so it is worth keeping and retrying."""


class ExchangeGone(StorageError):
    """The exchange a button refers to is no longer recorded (/forget, retention): expected
    for old buttons, and retrying can never help."""

    @classmethod
    def of(cls, what: str, record_id: int) -> ExchangeGone:
        """`no exchange #12 (…)`: `what` ("exchange", "visit") is what the button named."""
        return cls(
            f"no {what} #{record_id} (it may have been purged or forgotten at the user's request)"
        )


class NotTheAsker(StorageError):
    """A vote pressed under someone else's answer (in a group chat, everyone sees the
    buttons): only the person who asked rates what they were told."""


def pressed_by_someone_else(owner: str | None, presser: str | None) -> bool:
    """Whether `presser` (a pseudonym) pressed a button under a record of another user: in a
    group chat, everyone sees the buttons. A record without an owner (the terminal chat) is
    anyone's."""
    return owner is not None and presser is not None and owner != presser


class ReviewState(StrEnum):
    """Where an unanswered question is in KT staff's review."""

    OPEN = "open"
    RESOLVED = "resolved"
    """A topic now covers it (`topic` says which)."""
    IGNORED = "ignored"
    """Out of scope, spam or a test (`reason` says why); it stays ignored, and a later
    repeat of the same question is recorded ignored with the same reason."""


@dataclass(frozen=True, slots=True)
class NewExchange:
    """One question and the matcher's decision, as the conversation service records it."""

    channel: str
    user_key: str | None
    """Pseudonym from `bot.pseudonym.user_key`, never a raw id or name."""
    question: str
    result: MatchResult
    kb_version: str
    update_id: int | None = None
    """Telegram's update id: a redelivered update is recorded once."""
    at: datetime | None = None
    """When it was asked (timezone-aware); None means now."""
    language: str | None = None
    """The language the question is written in (`intents.text.language`)."""

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"channel must be one of {sorted(CHANNELS)}, got {self.channel!r}")
        if self.at is not None and self.at.tzinfo is None:
            raise ValueError("NewExchange.at must be timezone-aware (use datetime.now(UTC))")


@dataclass(frozen=True, slots=True)
class Exchange:
    """A recorded exchange with what followed it (feedback, choice, review)."""

    id: int
    asked_at: datetime
    channel: str
    user_key: str | None
    question: str
    outcome: Outcome
    intent: str | None
    score: float
    alternatives: tuple[Candidate, ...]
    kb_version: str
    update_id: int | None
    helpful: bool | None = None
    """The 👍 (True) / 👎 (False) vote, if any."""
    choice: str | None = None
    """The topic picked from a 'did you mean…', if any."""
    review_state: ReviewState | None = None
    """Fallbacks are reviewed, and clarifications answered with "None of these"; None for
    everything else."""
    language: str | None = None
    """The language of the question; None for exchanges recorded before languages were."""


@dataclass(frozen=True, slots=True)
class UnansweredQuestion:
    """A question the bot could not answer, as KT staff review it: a fallback, or a
    'did you mean…' the user answered with "None of these"."""

    id: int
    """The exchange id: what `ktbot unanswered resolve ID` takes."""
    asked_at: datetime
    question: str
    score: float
    alternatives: tuple[Candidate, ...]
    """The nearest topics and their scores, best first: why it missed (for a "None of
    these", the topics that were offered)."""
    state: ReviewState
    channel: str
    user_key: str | None
    kb_version: str
    topic: str | None = None
    """The topic that now covers it (RESOLVED)."""
    reason: str | None = None
    """Why it was ignored (IGNORED)."""
    reviewed_at: datetime | None = None
    language: str | None = None
    """The language of the question; None for questions recorded before languages were."""

    @property
    def nearest(self) -> Candidate | None:
        return self.alternatives[0] if self.alternatives else None


@dataclass(frozen=True, slots=True)
class TopicCount:
    topic: str
    count: int


@dataclass(frozen=True, slots=True)
class TopicFeedback:
    topic: str
    helpful: int
    unhelpful: int

    @property
    def total(self) -> int:
        return self.helpful + self.unhelpful


@dataclass(frozen=True, slots=True)
class WeekCount:
    """Exchanges in the ISO week starting on `week` (a Monday, UTC)."""

    week: date
    total: int
    answered: int
    clarified: int
    fallback: int


CurrentId = Callable[[str], str | None]
"""A topic's current id (`KnowledgeBase.current_id`): a renamed topic's new id, None for an id
the knowledge base no longer knows."""


def current_topic(topic: str, current_id: CurrentId | None) -> str:
    """`topic` as counted: under its current id, or as logged when unknown or not asked."""
    return (current_id and current_id(topic)) or topic


def merged_counts(pairs: Iterable[tuple[str, int]], current_id: CurrentId | None) -> dict[str, int]:
    """Counts per topic with a renamed topic's former ids counted under its current one:
    exchanges keep the id they were answered with, and a rename must not split a topic."""
    counts: dict[str, int] = {}
    for topic, n in pairs:
        now = current_topic(topic, current_id)
        counts[now] = counts.get(now, 0) + n
    return counts


@dataclass(frozen=True, slots=True)
class UsageStats:
    """Usage since a date: what `ktbot stats` and `/stats` show."""

    since: datetime | None
    total: int
    by_outcome: Mapping[Outcome, int] = field(default_factory=dict)
    top_topics: tuple[TopicCount, ...] = ()
    """Topics users got, most first: answers plus topics picked after a 'did you mean…'."""
    feedback: tuple[TopicFeedback, ...] = ()
    """👍/👎 per topic, most votes first."""
    weekly: tuple[WeekCount, ...] = ()
    """Oldest week first."""
    open_unanswered: int = 0
    """Unanswered questions of the period still waiting for review."""
    by_language: Mapping[str, int] = field(default_factory=dict)
    """Questions per language, most first; "" for those recorded before languages were."""

    def __post_init__(self) -> None:
        counts = {outcome: self.by_outcome.get(outcome, 0) for outcome in Outcome}
        object.__setattr__(self, "by_outcome", MappingProxyType(counts))
        object.__setattr__(self, "by_language", MappingProxyType(dict(self.by_language)))

    @property
    def answered(self) -> int:
        return self.by_outcome[Outcome.ANSWER]

    @property
    def clarified(self) -> int:
        return self.by_outcome[Outcome.CLARIFY]

    @property
    def fallback(self) -> int:
        return self.by_outcome[Outcome.FALLBACK]

    def rate(self, outcome: Outcome) -> float:
        """Share of exchanges with `outcome`, 0 when nothing was asked."""
        return self.by_outcome[outcome] / self.total if self.total else 0.0

    def under_current_ids(
        self, current_id: CurrentId | None, *, top: int | None = None
    ) -> UsageStats:
        """The same usage with each topic counted under `current_id(topic)` (a renamed
        topic's former id is its new one; None keeps the id as logged): exchanges keep the
        id they were answered with, and a rename must not split a topic's figures. Topics
        and votes in their reported order (most served first; most votes, then most 👎,
        first), the first `top` of each if given."""

        counts = merged_counts(((t.topic, t.count) for t in self.top_topics), current_id)
        votes: dict[str, tuple[int, int]] = {}
        for vote in self.feedback:
            topic = current_topic(vote.topic, current_id)
            up, down = votes.get(topic, (0, 0))
            votes[topic] = (up + vote.helpful, down + vote.unhelpful)
        served = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        voted = sorted(votes.items(), key=lambda item: (-sum(item[1]), -item[1][1], item[0]))
        return replace(
            self,
            top_topics=tuple(TopicCount(t, n) for t, n in served[:top]),
            feedback=tuple(TopicFeedback(t, up, down) for t, (up, down) in voted[:top]),
        )


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """A Telegram update taken from Telegram and not handled before the bot stopped."""

    update_id: int
    payload: str
    """The update as JSON, as Telegram sent it."""
    replays: int
    """How many times it has been replayed, this time included."""
