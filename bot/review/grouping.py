"""Clustering unanswered questions that ask the same thing in different words."""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import fuzz, process

from bot.storage import UnansweredQuestion
from intents import question_key, stem

DEFAULT_GROUP_THRESHOLD = 0.75
"""Similarity (0–1) above which two unanswered questions count as the same question."""

# Words that make two questions look alike without saying what they are about:
# "what is the weather" and "what is the price" must not group.
# fmt: off
_STOPWORDS = frozenset({
    "a", "an", "and", "any", "are", "as", "at", "be", "can", "could", "did", "do", "does",
    "for", "from", "get", "got", "have", "how", "i", "if", "in", "is", "it", "me", "much",
    "my", "of", "on", "or", "our", "please", "should", "some", "tell", "that", "the",
    "there", "this", "to", "was", "we", "what", "when", "where", "which", "who", "why",
    "will", "with", "would", "you", "your",
})
# fmt: on


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    """Unanswered questions that ask the same thing in different words."""

    representative: str
    """The question most like all the others: the group's headline."""
    members: tuple[UnansweredQuestion, ...]
    """Newest first."""
    nearest_topic: str | None
    """The topic most members came closest to: where the answer probably belongs."""

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(m.id for m in self.members)

    @property
    def askers(self) -> int:
        """Distinct people (a question without a user key counts as its own person)."""
        keys = {m.user_key or f"anonymous#{m.id}" for m in self.members}
        return len(keys)

    @property
    def last_asked(self) -> datetime:
        return max(m.asked_at for m in self.members)


def grouping_text(question: str) -> str:
    """Case-, accent- and punctuation-free content words, plurals folded."""
    key = question_key(question)
    # The matcher's stemmer: "prices"/"price" and "gantries"/"gantry" meet here as they do
    # when a question is matched.
    words = [stem(w) for w in key.split() if w not in _STOPWORDS]
    return " ".join(words) or key


def group_similar(
    questions: Sequence[UnansweredQuestion], threshold: float = DEFAULT_GROUP_THRESHOLD
) -> list[QuestionGroup]:
    """Cluster similar questions, largest group first.

    Each group is a star around its most connected question, and every member is similar
    to that centre: chains of "a like b like c" do not merge unrelated questions.
    """
    if not 0 < threshold <= 1:
        raise ValueError("threshold is a similarity between 0 and 1")
    if not questions:
        return []
    # Identical texts are compared once; `owners[k]` are the questions with key k.
    owners: dict[str, list[UnansweredQuestion]] = {}
    for item in questions:
        owners.setdefault(grouping_text(item.question), []).append(item)
    keys = list(owners)
    neighbours = _neighbours(keys, threshold * 100)
    # The centre is the question with the most similar questions around it.
    degree = {i: sum(len(owners[keys[j]]) for j in neighbours[i]) for i in range(len(keys))}
    newest = {i: max(item.asked_at for item in owners[keys[i]]) for i in range(len(keys))}
    order = sorted(range(len(keys)), key=lambda i: (-degree[i], -newest[i].timestamp(), i))
    taken: set[int] = set()
    groups: list[QuestionGroup] = []
    for centre in order:
        if centre in taken:
            continue
        members_idx = [i for i in sorted(neighbours[centre]) if i not in taken]
        taken.update(members_idx)
        members = sorted(
            (item for i in members_idx for item in owners[keys[i]]),
            key=lambda item: (item.asked_at, item.id),
            reverse=True,
        )
        headline = max(owners[keys[centre]], key=lambda item: (item.asked_at, item.id))
        groups.append(
            QuestionGroup(headline.question, tuple(members), _most_common_nearest(members))
        )
    groups.sort(key=lambda g: (-g.count, -g.askers, -g.last_asked.timestamp()))
    return groups


def _neighbours(keys: list[str], cutoff: float) -> list[set[int]]:
    """For each key, the indices of keys at least `cutoff` similar (itself included)."""
    # token_set_ratio ignores word order and extra words ("price of isotopes" vs "isotope
    # prices for hospitals"); but a one-word question is a subset of everything containing
    # that word, so pairs involving one are compared whole (token_sort_ratio). Both scorers
    # are symmetric, so each pair is scored once (later keys only) and recorded both ways.
    single = [len(key.split()) <= 1 for key in keys]
    singles = [j for j, one in enumerate(single) if one]
    multis = [j for j, one in enumerate(single) if not one]
    result: list[set[int]] = [{index} for index in range(len(keys))]
    for index, key in enumerate(keys):
        for pool, scorer in (
            (singles, fuzz.token_sort_ratio),
            (multis, fuzz.token_sort_ratio if single[index] else fuzz.token_set_ratio),
        ):
            later = pool[bisect.bisect_right(pool, index) :]
            matches = process.extract(
                key, [keys[j] for j in later], scorer=scorer, score_cutoff=cutoff, limit=None
            )
            for _, _, position in matches:
                result[index].add(later[position])
                result[later[position]].add(index)
    return result


def _most_common_nearest(members: Iterable[UnansweredQuestion]) -> str | None:
    counts = Counter(m.alternatives[0].intent for m in members if m.alternatives)
    return counts.most_common(1)[0][0] if counts else None


def group_languages(group: QuestionGroup) -> tuple[str, ...]:
    """The languages the group's questions are written in, most frequent first."""
    counts = Counter(m.language for m in group.members if m.language)
    return tuple(language for language, _ in counts.most_common())


def people(group: QuestionGroup) -> str:
    """`1 person`, `9 people`: how many distinct users asked."""
    return f"{group.askers} {'person' if group.askers == 1 else 'people'}"
