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
_Try = tuple[int, frozenset[str], dict[Phrase, Phrase]]
"""Variants of one length starting with one word: the length, their second words (none for a
single word) and the variants (`Vocabulary._tries`)."""


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Phrase rewrites over normalised, stemmed words (see `intents.text.features.terms`)."""

    rewrites: Mapping[Phrase, Phrase] = field(default_factory=dict)
    """Variant phrase -> canonical phrase."""
    sizes_by_first: Mapping[str, tuple[int, ...]] = field(init=False)
    """First word of a variant -> the lengths of the variants it starts, longest first: at
    each word `rewrite` tries only those (most words start none)."""
    _tries: dict[str, tuple[_Try, ...]] = field(init=False, repr=False, compare=False)
    """First word of a variant -> per length, longest first, the variants of that length it
    starts and their second words: what `rewrite` looks up, in plain dicts (a read-only
    proxy's `get` is a method call), a phrase built only when its second word is one of a
    variant's. A French sentence of 26 words with eleven first words took 9 µs, 2 µs so."""

    def __post_init__(self) -> None:
        rewrites = dict(self.rewrites)
        object.__setattr__(self, "rewrites", MappingProxyType(rewrites))
        object.__setattr__(self, "sizes_by_first", sizes_by_first_word(rewrites))
        by_first: dict[str, dict[int, dict[Phrase, Phrase]]] = {}
        for variant, canonical in rewrites.items():
            if variant:
                by_first.setdefault(variant[0], {}).setdefault(len(variant), {})[variant] = (
                    canonical
                )
        tries = {
            first: tuple(
                (size, frozenset(v[1] for v in variants[size] if size > 1), variants[size])
                for size in sorted(variants, reverse=True)
            )
            for first, variants in by_first.items()
        }
        object.__setattr__(self, "_tries", tries)

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
        tries = self._tries
        out: list[str] = []
        n = len(words)
        done = 0  # the words before this one are in `out`
        # Only the words that start a variant are tried, found by a comprehension rather
        # than a Python step per word.
        for i in [i for i, word in enumerate(words) if word in tries]:
            if i < done:
                continue  # inside a variant already rewritten: not rewritten again
            for size, seconds, variants in tries[words[i]]:
                if size > n - i or (size > 1 and words[i + 1] not in seconds):
                    continue
                canonical = variants.get(tuple(words[i : i + size]))
                if canonical is not None:
                    out.extend(words[done:i])
                    out.extend(canonical)
                    done = i + size
                    break
        out.extend(words[done:])
        return out


def sizes_by_first_word(phrases: Iterable[Phrase]) -> Mapping[str, tuple[int, ...]]:
    """First word -> the lengths of the phrases it starts, longest first."""
    sizes: dict[str, set[int]] = {}
    for phrase in phrases:
        if phrase:
            sizes.setdefault(phrase[0], set()).add(len(phrase))
    return MappingProxyType({w: tuple(sorted(v, reverse=True)) for w, v in sizes.items()})
