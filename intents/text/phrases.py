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

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from intents.text.normalize import words

Forms = tuple[frozenset[str], ...]
"""The forms each word of a phrase may take in a message, word by word."""


def _forms(word: str) -> frozenset[str]:
    """A phrase's word and its plural: "vacancy" finds "vacancies", "internship"
    "internships", so staff write each matter once."""
    if len(word) > 2 and word.endswith("y") and word[-2] not in "aeiou":
        return frozenset({word, word[:-1] + "ies"})
    return frozenset({word, word + "s", word + "es"})


@dataclass(frozen=True, slots=True)
class Phrases:
    starting: Mapping[str, tuple[tuple[Forms, str], ...]]
    """A form of a phrase's first word -> the phrases it may start (their words' forms, and
    the phrase as staff wrote it), longest first. As `OtherOrganisations.names_any` does,
    only the words that may start a phrase are looked at: a tenth of the cost of one
    pattern of every phrase tried at every word."""

    @classmethod
    def build(cls, phrases: Iterable[str]) -> Phrases:
        """From the phrases as staff wrote them."""
        keyed = {" ".join(words(phrase)): phrase.strip() for phrase in phrases}
        keyed.pop("", None)
        starting: dict[str, list[tuple[Forms, str]]] = {}
        # Longest first, so "stock exchange listing" is reported whole, not as "stock exchange".
        for key in sorted(keyed, key=len, reverse=True):
            forms = tuple(_forms(word) for word in key.split(" "))
            for first in forms[0]:
                starting.setdefault(first, []).append((forms, keyed[key]))
        return cls(MappingProxyType({first: tuple(found) for first, found in starting.items()}))

    def all_in(self, text: str) -> tuple[str, ...]:
        """Every listed phrase found in `text` (not overlapping), as staff wrote it."""
        return tuple(self._found(text))

    def find(self, text: str) -> str | None:
        """The first listed phrase in `text` (the longest where several start at the same
        word), as staff wrote it; else None."""
        return next(self._found(text), None)

    def _found(self, text: str) -> Iterator[str]:
        if not self.starting:
            return
        found = words(text)
        at = 0
        while at < len(found):
            step = 1
            for forms, spelled in self.starting.get(found[at], ()):
                end = at + len(forms)
                if end <= len(found) and all(
                    word in form for word, form in zip(found[at:end], forms, strict=True)
                ):
                    yield spelled
                    step = len(forms)
                    break
            at += step
