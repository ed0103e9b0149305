"""Staff-edited synonyms: the words users write, read as the words the knowledge base uses.

A user who wants to "commercialise" a technology, asks for an "NDA" or for "beam time" means
what the knowledge base calls licensing, confidentiality or facilities. The synonym groups in
`knowledge/vocabulary.yaml` say so once, for every topic, instead of every topic repeating
every variant in its examples. Variants are rewritten to their canonical words in example
questions and in messages alike, so both sides of a comparison speak the same vocabulary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

Phrase = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Phrase rewrites over normalised, stemmed words (see `intents.text.features.terms`)."""

    rewrites: Mapping[Phrase, Phrase] = field(default_factory=dict)
    """Variant phrase -> canonical phrase."""
    sizes_by_first: Mapping[str, tuple[int, ...]] = field(init=False)
    """First word of a variant -> the lengths of the variants it starts, longest first: at
    each word `rewrite` tries only those (most words start none)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "rewrites", MappingProxyType(dict(self.rewrites)))
        object.__setattr__(self, "sizes_by_first", sizes_by_first_word(self.rewrites))

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[Phrase, Phrase]]) -> Vocabulary:
        """Build from (variant, canonical) phrases, each already normalised and stemmed.
        A variant that is its own canonical form, or empty, is no rewrite and is skipped."""
        rewrites = {
            variant: canonical for variant, canonical in pairs if variant and variant != canonical
        }
        return cls(rewrites)

    def __bool__(self) -> bool:
        return bool(self.rewrites)

    def rewrite(self, words: Sequence[str]) -> list[str]:
        """`words` with every variant phrase replaced by its canonical words, longest first,
        left to right; a replacement is not rewritten again (no loops, bounded time)."""
        if not self.rewrites or self.sizes_by_first.keys().isdisjoint(words):
            # No word starts a variant (most messages): one set operation in C instead of a
            # Python step per word.
            return list(words)
        out: list[str] = []
        i, n = 0, len(words)
        while i < n:
            for size in self.sizes_by_first.get(words[i], ()):
                canonical = self.rewrites.get(tuple(words[i : i + size])) if size <= n - i else None
                if canonical is not None:
                    out.extend(canonical)
                    i += size
                    break
            else:
                out.append(words[i])
                i += 1
        return out


def sizes_by_first_word(phrases: Iterable[Phrase]) -> Mapping[str, tuple[int, ...]]:
    """First word -> the lengths of the phrases it starts, longest first."""
    sizes: dict[str, set[int]] = {}
    for phrase in phrases:
        if phrase:
            sizes.setdefault(phrase[0], set()).add(len(phrase))
    return MappingProxyType({w: tuple(sorted(v, reverse=True)) for w, v in sizes.items()})
