"""The language a message is written in, among the five the bot reads.

The detector is py3langid (a naive Bayes model over byte n-grams, shipped inside the package:
nothing is downloaded) restricted to English, French, German, Italian and Spanish. It was
chosen by figures (`bench/language.py`): every non-English line of the dev set right, 0.02 ms
a call, a 4.6 MB wheel, where lingua scored lower with a 96 MB wheel.

A short message carries little evidence ("NIMMS?", "flash", "ok"), so the detector only
overrides the prior (the user's Telegram `language_code`, else English) when it is sure.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from itertools import islice
from typing import TYPE_CHECKING, Final, Literal, cast, get_args

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

Language = Literal["en", "fr", "de", "it", "es"]
LANGUAGES: Final[tuple[Language, ...]] = get_args(Language)
DEFAULT_LANGUAGE: Final[Language] = "en"

MIN_LETTERS: Final = 4
"""Fewer letters than this, once names are set aside, is no evidence at all: the prior."""
MIN_CONFIDENCE: Final = 0.7
"""The detector's probability needed to overrule the prior. On the dev set the non-English
questions score 0.83 or more, while the terse English ones it hesitates on ("flash status?",
"start-up incubator", "thanks") stay below 0.7: a user whose app is in French who writes
"gatoroid cost" keeps French."""

# Project names and acronyms (CERN, MEDICIS, GaToroid, KT-MA-Team, EU4Health) are the same in
# every language and mislead the n-grams ("NIMMS?" reads as German): they are set aside.
_NAME = re.compile(r"\b(?:[A-Z0-9][\w-]*[A-Z][\w-]*|[A-Z]{2,})\b")
_URL = re.compile(r"\S+://\S+|\S+@\S+")
_LETTER = re.compile(r"[^\W\d_]")
"""A letter (a word character that is neither a digit nor an underscore)."""


def language_of_code(code: str | None) -> Language | None:
    """The language of a Telegram `language_code` (IETF tag: "fr", "de-CH", "pt-br"), if it
    is one of ours."""
    if not code:
        return None
    primary = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return primary if primary in LANGUAGES else None  # `in` narrows to Language


def detect_language(text: str, prior: str | None = None) -> Language:
    """The language `text` is written in. `prior` (a language code, e.g. the user's Telegram
    `language_code`) is the answer when the text is too short or too ambiguous to tell;
    without one, English."""
    fallback = language_of_code(prior) or DEFAULT_LANGUAGE
    # The URL pattern backtracks over every word; without "://" or "@" it cannot match.
    evidence = _URL.sub(" ", text) if "://" in text or "@" in text else text
    evidence = _NAME.sub(" ", evidence)
    if not _has_letters(evidence, MIN_LETTERS):
        return fallback
    best, probability = _best_guess(evidence)
    if best != fallback and probability < MIN_CONFIDENCE:
        return fallback
    return cast(Language, best)


def _has_letters(text: str, count: int) -> bool:
    """Whether `text` has at least `count` letters: found one by one, so a long message is
    not read to its end."""
    return sum(1 for _ in islice(_LETTER.finditer(text), count)) == count


@lru_cache(maxsize=256)
def _best_guess(evidence: str) -> tuple[str, float]:
    """The detector's best language and its probability. Cached: the matcher (thresholds by
    language) and the conversation (the reply's language, with the user's prior) both ask
    about the same message."""
    best, probability = _identifier().rank(evidence)[0]
    return best, float(probability)


@cache
def _identifier() -> LanguageIdentifier:
    """Loaded on first use (0.5 s, about 80 MB resident): commands that never detect do not
    pay for it."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def load_language_model() -> None:
    """Load the model now (the bot calls this at start, so no user waits for it)."""
    _identifier()
