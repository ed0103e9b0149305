"""Correct a misspelt word to a word the knowledge base uses ("medisis" -> "medicis").

Only words the index has never seen are corrected, only to words it has, and only when the
word is long enough for one slip to be a typo rather than a different word: "cern" is never
"corrected" into "concern", and "is" never becomes anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

MIN_LENGTH = 7
"""Shorter English words are one letter apart too often ("spare"/"space", "train"/"brain",
"found"/"fund"), and a real word "corrected" into a knowledge-base word invents a match.
Short misspellings still overlap their target through character n-grams."""
INSERTIONS_FROM = 9
"""Below this length only a wrong or swapped letter is corrected ("medisis"): a missing or
extra letter too often makes another real word ("patient"/"patent", "advisor"/"advisory")."""
LONG_WORD = 11
"""From this length on, two slips (or one swap and one slip) still leave the word clear."""
_EDGE = 2
"""One slip leaves either the first or the last two letters intact (words of 5+ letters), so
only known words sharing one of them are compared: tens of candidates instead of thousands."""

SWAPPED_LENGTH = 4
"""With a list of real words, a word of this length is corrected when two neighbouring
letters are swapped ("fudn" -> "fund", "isotpoe" is long enough anyway): a swap keeps every
letter, so it rarely makes another word, while a wrong, missing or extra letter in four
letters often does ("tuch": "touch", "such" or "much"?)."""

Bucket = tuple[str, str, int]
"""("first", "me", 7): known words starting with "me" whose length suits a 7-letter word."""


GUARDED_MIN_LENGTH = 5
"""With a list of real words to rule out "spare" or "found", shorter misspellings are
corrected too, missing and extra letters included ("licnse", "patnet", "donnate")."""


def max_edits(length: int, guarded: bool = False) -> int:
    """Edits allowed for a word of `length`; a swap of two letters ("gatorodi") is one.
    `guarded`: the word is known not to be a real word (see `intents.text.dictionary`)."""
    if length < (GUARDED_MIN_LENGTH if guarded else MIN_LENGTH):
        return 0
    return 2 if length >= LONG_WORD else 1


def max_length_change(length: int, guarded: bool = False) -> int:
    """How much longer or shorter than the typed word its correction may be."""
    if guarded:
        return max_edits(length, guarded)
    return 0 if length < INSERTIONS_FROM else max_edits(length)


@dataclass(frozen=True, slots=True)
class TypoCorrector:
    buckets: Mapping[Bucket, tuple[str, ...]]
    """Candidates per bucket, most frequent first."""
    rank: Mapping[str, int]
    """Each candidate's place by frequency (0: the most frequent), so ties go to it."""
    real_words: frozenset[str] = frozenset()
    """Words of the language that are spelt right: never corrected. With them, shorter
    words and missing or extra letters are corrected too (`guarded`)."""
    swappable: frozenset[str] = frozenset()
    """Known words of `SWAPPED_LENGTH` letters (with real words only): a typed word that is
    one of them with two neighbouring letters swapped is corrected to it."""

    @classmethod
    def build(
        cls, frequency: Mapping[str, int], real_words: frozenset[str] = frozenset()
    ) -> TypoCorrector:
        guarded = bool(real_words)
        shortest = GUARDED_MIN_LENGTH if guarded else MIN_LENGTH
        eligible = sorted(
            (w for w in frequency if len(w) >= shortest and w.isalpha()),
            key=lambda w: (-frequency[w], w),
        )
        swappable = (
            frozenset(w for w in frequency if len(w) == SWAPPED_LENGTH and w.isalpha())
            if guarded
            else frozenset()
        )
        buckets: dict[Bucket, list[str]] = defaultdict(list)
        for word in eligible:
            # A typed word of length n may come from known words of length n ± change(n).
            for length in range(max(shortest, len(word) - 2), len(word) + 3):
                change = max_length_change(length, guarded)
                if max_edits(length, guarded) and abs(len(word) - length) <= change:
                    buckets["first", word[:_EDGE], length].append(word)
                    buckets["last", word[-_EDGE:], length].append(word)
        return cls(
            {key: tuple(words) for key, words in buckets.items()},
            {word: place for place, word in enumerate(eligible)},
            real_words,
            swappable,
        )

    def correct(self, word: str) -> str | None:
        """The known word `word` was probably meant as, or None."""
        if word in self.real_words:
            return None
        if len(word) == SWAPPED_LENGTH and self.swappable:
            return self._unswapped(word)
        edits = max_edits(len(word), guarded=bool(self.real_words))
        if not edits or not word.isalpha():
            return None
        first = self.buckets.get(("first", word[:_EDGE], len(word)), ())
        last = self.buckets.get(("last", word[-_EDGE:], len(word)), ())
        if not first and not last:
            return None
        # extractOne keeps the first of equally close words: the most frequent must come first.
        choices = sorted({*first, *last}, key=self.rank.__getitem__)
        found = process.extractOne(
            word, choices, scorer=OSA.distance, score_cutoff=edits, processor=None
        )
        return None if found is None else found[0]

    def _unswapped(self, word: str) -> str | None:
        """The known word `word` is with two neighbouring letters swapped back, if exactly
        one is: "fudn" -> "fund"; with two ("ofrm": "form" or "from"?), none."""
        found = {
            swapped
            for i in range(len(word) - 1)
            if (swapped := word[:i] + word[i + 1] + word[i] + word[i + 2 :]) in self.swappable
            and swapped != word
        }
        return found.pop() if len(found) == 1 else None
