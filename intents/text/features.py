"""From words to weighted features: stems, word pairs and character n-grams.

Stems and word pairs carry meaning ("ion therapy" is not "therapy"); character n-grams
inside each word make near-misses overlap ("gantries"/"gantry", "radioisotopes"/
"radio-isotope", most typos) without any dictionary.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

from intents.text.normalize import words
from intents.text.vocabulary import Vocabulary

MAX_QUERY_TERMS = 160
"""Only the first words of a message are matched, so time stays bounded. Long enough for the
four or five sentences of a polite enquiry whose question comes last; a pasted document is
better handed to a person anyway."""

MAX_SYNONYM_WORDS = 16
"""Words of a synonym that count: more is a sentence, not a synonym."""

WORD, PAIR, CHARS = "w", "p", "c"
FEATURE_KINDS = (WORD, PAIR, CHARS)
"""Feature kinds (the prefix of each feature string)."""


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """Which features a text yields and how much each kind counts in a comparison."""

    ngram_min: int = 3
    ngram_max: int = 5
    word_weight: float = 1.0
    pair_weight: float = 1.0
    chars_weight: float = 1.0
    compound_max_part: int = 4
    """Adjacent words are also read joined ("start up" -> "startup", "euro sig" -> "eurosig")
    when one of them is this short: split compounds and acronyms are common."""

    def weight_of(self, kind: str) -> float:
        return {WORD: self.word_weight, PAIR: self.pair_weight, CHARS: self.chars_weight}[kind]


def stem(word: str) -> str:
    """A light plural stemmer (Harman's S-stemmer): `gantries` -> `gantry`, `isotopes` ->
    `isotope`. Heavier stemmers conflate words staff keep apart (`university`/`universe`)."""
    if len(word) <= 3 or not word.endswith("s") or word.isdigit():
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith(("us", "ss", "is")):
        return word
    return word[:-1]


def terms(
    text: str, limit: int = MAX_QUERY_TERMS, vocabulary: Vocabulary | None = None
) -> list[str]:
    """Stemmed words of `text`, at most `limit` of them, with the synonyms of `vocabulary`
    read as their canonical words."""
    found = words(text)
    if _SPELT_LETTERS.search(" " + " ".join(found)):
        found = _joined_spelt_letters(found)
    stemmed = [_matching_term(w) for w in found[:limit]]
    return vocabulary.rewrite(stemmed) if vocabulary else stemmed


_CHAT_LETTERS = frozenset("aiunry")
"""Letters that stand for words in chat and French ("r u a bot", "i", "y a-t-il"): they do
not count towards a run being an acronym spelt out."""
_SPELT_RUN = 3
_SPELT_PLAIN = 2
_SPELT_LETTERS = re.compile(rf" [^\W\d_](?: [^\W\d_]){{{_SPELT_RUN - 1}}}(?!\S)")
"""`_SPELT_RUN` words of one letter in a row, in the words joined by spaces after one more
space: what a run to join needs (a letter here is any word character but a digit or "_", a
superset of `str.isalpha`), found in C rather than by a Python step per word; messages with an
"a" or an "I" but no run (most) are left as they are without `_joined_spelt_letters`. Led by
the space before the run's first letter, not by a lookbehind: a literal first character, which
the engine looks for in C instead of trying the pattern at every character (1.2 against
3.9 µs for a message of 25 words)."""


def _joined_spelt_letters(found: list[str]) -> list[str]:
    """Runs of single letters read as the word they spell: dictated, "c m a a c" and
    "i c t r p h e" are CMAAC and ICTRPHE (a recogniser writes an acronym letter by letter).
    A run needs three letters, two of them no chat word: "r u a bot", "y a t il" and "S, W
    and P" stay as they are."""
    joined: list[str] = []
    run: list[str] = []
    for word in [*found, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        plain = sum(letter not in _CHAT_LETTERS for letter in run)
        if len(run) >= _SPELT_RUN and plain >= _SPELT_PLAIN:
            joined.append("".join(run))
        else:
            joined.extend(run)
        run = []
        if word:
            joined.append(word)
    return joined


@lru_cache(maxsize=16_384)
def _matching_term(word: str) -> str:
    # Cached: a message's words are read several times (each sentence, the question, its
    # names) and the same few thousand words recur from message to message.
    return stem(unstretched(word))


_STRETCHED = re.compile(r"([a-z])\1{2,}")


def unstretched(word: str) -> str:
    """A word typed with a letter held down, as it is spelt: "heyyy" -> "hey", "hiii" ->
    "hi", "pleeease" -> "please". No English word repeats a letter three times; a word of one
    letter only ("iii" of "phase III", "www") is left as it is."""
    if not _STRETCHED.search(word) or len(set(word)) == 1:
        return word
    return _STRETCHED.sub(r"\1", word)


def synonym_key(text: str) -> tuple[str, ...]:
    """A synonym (variant or canonical) as the matcher reads it: normalised, stemmed words."""
    return tuple(terms(text, limit=MAX_SYNONYM_WORDS))


def term_features(term: str, config: FeatureConfig) -> list[str]:
    """The word itself and its character n-grams, padded so word edges count."""
    padded = f" {term} "
    grams = [
        f"{CHARS}:{padded[i : i + n]}"
        for n in range(config.ngram_min, config.ngram_max + 1)
        for i in range(len(padded) - n + 1)
    ]
    return [f"{WORD}:{term}", *grams]


def pair_features(sequence: Sequence[str], config: FeatureConfig) -> list[str]:
    """Each pair of adjacent words, and their compound when one of them is short."""
    features = []
    for first, second in pairwise(sequence):
        features.append(f"{PAIR}:{first} {second}")
        if min(len(first), len(second)) <= config.compound_max_part:
            features.append(f"{WORD}:{first}{second}")
    return features


def kind_of(feature: str) -> str:
    return feature[0]
