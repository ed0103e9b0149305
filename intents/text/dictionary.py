"""Real words of the languages the bot reads, to tell a misspelling from a word we do not use.

A word the knowledge base has never seen is either a typo of one it has ("licnse") or a real
word it simply does not use ("spare", "found"). Only the first may be corrected: "corrected"
into the nearest knowledge-base word, a real word invents a match ("spare" -> "space"). The
English word-frequency list that pyspellchecker ships says which is which; only the words
common enough to be typed on purpose are kept.
"""

from __future__ import annotations

import gzip
import json
from functools import cache
from importlib import resources

from intents.text.features import stem
from intents.text.normalize import canonical_spelling, fold

LANGUAGE = "en"
"""Real words for spelling correction are English only: most messages are in English, and a
foreign word one letter from an English knowledge-base word is usually that word ("projet" ->
"project"), so correcting it helps."""
MIN_FREQUENCY = 100
"""Words seen fewer times in the lists' corpora are left out: they are mostly misspellings
themselves ("recieve"), which must stay correctable."""


EVERYDAY_LANGUAGES = ("en", "fr", "de", "it", "es")
"""The languages the bot reads (`intents.text.language`)."""
EVERYDAY_FREQUENCY = 10_000
"""Seen this often in a language's list, a word is everyday vocabulary: "mit", "con", "eso",
"ill" (counts in the millions for function words; "eth" or "psi" stay in the hundreds)."""


@cache
def real_words() -> frozenset[str]:
    """The common English words, spelt and stemmed as the matcher reads words (about
    0.1 s and 3 MB, once per process)."""
    return frozenset(
        stem(canonical_spelling(fold(word)))
        for word, count in _frequencies(LANGUAGE).items()
        if count >= MIN_FREQUENCY
    )


@cache
def everyday_words() -> frozenset[str]:
    """Words common in any of the languages the bot reads, lower case and accents folded
    (about 0.4 s once per process: only read when the knowledge base lists an acronym)."""
    return frozenset(
        fold(word)
        for language in EVERYDAY_LANGUAGES
        for word, count in _frequencies(language).items()
        if count >= EVERYDAY_FREQUENCY
    )


def _frequencies(language: str) -> dict[str, int]:
    """pyspellchecker's word-frequency list for `language` (word -> count in its corpus)."""
    package = resources.files("spellchecker").joinpath("resources")
    with gzip.open(package.joinpath(f"{language}.json.gz").open("rb")) as data:
        frequencies: dict[str, int] = json.load(data)
    return frequencies
