"""Short phrases staff list, found as whole words in a message.

Used for the matters the bot declines whatever project a question names (`declined_matters:`,
see `Matcher.evidence`): "Are there summer internships in the NIMMS team?", "What is GTT's
share price doing?". A name is strong evidence for its topic, and in a long message the few
words that say what is asked ("internships", "share price") weigh too little against it; the
declined example questions compete on words alone, so they lose there.

Phrases and messages are read the same way (`words`: case, accents and spelling variants
folded), and each word of a phrase also finds its plural, so staff write a matter once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from intents.text.normalize import words


def _word_pattern(word: str) -> str:
    """A phrase's word and its plural: "vacancy" finds "vacancies", "internship"
    "internships", so staff write each matter once."""
    escaped = re.escape(word)
    if len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou":
        return f"{re.escape(word[:-1])}(?:y|ies)"
    return f"{escaped}(?:s|es)?"


@dataclass(frozen=True, slots=True)
class Phrases:
    pattern: re.Pattern[str] | None
    """Any listed phrase, as whole words of the message's normalised text."""
    spelled: Mapping[str, str]
    """A phrase as matched (its pattern group name) -> as staff wrote it."""

    @classmethod
    def build(cls, phrases: Iterable[str]) -> Phrases:
        """From the phrases as staff wrote them."""
        keyed = {" ".join(words(phrase)): phrase.strip() for phrase in phrases}
        keyed.pop("", None)
        if not keyed:
            return cls(None, MappingProxyType({}))
        groups = {f"m{i}": key for i, key in enumerate(keyed)}
        # Longest first, so "stock exchange listing" is reported whole, not as "stock exchange".
        alternatives = sorted(groups.items(), key=lambda item: len(item[1]), reverse=True)
        pattern = "|".join(
            f"(?P<{group}>{' '.join(_word_pattern(w) for w in key.split(' '))})"
            for group, key in alternatives
        )
        return cls(
            re.compile(rf"(?<!\S)(?:{pattern})(?!\S)"),
            MappingProxyType({group: keyed[key] for group, key in groups.items()}),
        )

    def all_in(self, text: str) -> tuple[str, ...]:
        """Every listed phrase found in `text` (not overlapping), as staff wrote it."""
        if self.pattern is None:
            return ()
        return tuple(
            self.spelled[found.lastgroup]
            for found in self.pattern.finditer(" ".join(words(text)))
            if found.lastgroup is not None
        )

    def find(self, text: str) -> str | None:
        """The first listed phrase in `text` (the longest where several start at the same
        word), as staff wrote it; else None."""
        if self.pattern is None:
            return None
        found = self.pattern.search(" ".join(words(text)))
        if found is None or found.lastgroup is None:
            return None
        return self.spelled[found.lastgroup]
