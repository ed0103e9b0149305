"""The language a message is written in, among the five the bot reads.

The detector is py3langid (a naive Bayes model over byte n-grams, shipped inside the package:
nothing is downloaded) restricted to English, French, German, Italian and Spanish. It was
chosen by figures (`bench/language.py`): every non-English line of the dev set right, 0.02 ms
a call, a 4.6 MB wheel, where lingua scored lower with a 96 MB wheel.

The model is read as py3langid reads it, to the last bit, but with its automaton walked in
compiled code and its table laid out by feature (`_Reader`; py3langid's own reading where
they would differ): for a message never seen before, detection took 50-90 µs on the latency
benchmark's queries and up to 210 µs for its longest, most of it a Python step per byte and
five cache lines per feature.

A short message carries little evidence ("NIMMS?", "flash", "ok"), so the detector only
overrides the prior (the user's Telegram `language_code`, else English) when it is sure.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import islice
from typing import TYPE_CHECKING, Final, Literal, cast, get_args

import numpy as np
import numpy.typing as npt
from numba import njit

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
    return _reader().best(evidence)


def _feature_counts(
    next_state: npt.NDArray[np.uint32],
    row_base: npt.NDArray[np.int64],
    output: npt.NDArray[np.int32],
    data: npt.NDArray[np.uint8],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    found = np.empty(data.shape[0], dtype=np.int64)
    n_found = 0
    state = 0
    for byte in data:
        state = next_state[row_base[state] + byte]
        if output[state] >= 0:
            found[n_found] = output[state]
            n_found += 1
    found = found[:n_found]
    # Distinct features in the order they first occur, and how often each does.
    order = np.argsort(found, kind="mergesort")  # stable: equal ones by position
    firsts = np.empty(n_found, dtype=np.int64)
    counts = np.empty(n_found, dtype=np.int64)
    n_distinct = 0
    for k in range(n_found):
        if k == 0 or found[order[k]] != found[order[k - 1]]:
            firsts[n_distinct] = order[k]
            counts[n_distinct] = 0
            n_distinct += 1
        counts[n_distinct - 1] += 1
    by_position = np.argsort(firsts[:n_distinct])
    return found[firsts[:n_distinct][by_position]], counts[:n_distinct][by_position]


feature_counts: Callable[..., tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]] = njit(
    cache=True, nogil=True
)(_feature_counts)
"""The byte n-gram features py3langid's automaton finds in `data` (its states' next state per
byte at `next_state[row_base[state] + byte]`, the feature a state outputs or -1), each once
in the order it first occurs, and how often each does: what `py3langid.langid.visit_counts`
returns as a `Counter`, in one compiled pass instead of a Python step per byte."""


@dataclass(frozen=True, slots=True)
class _Reader:
    """py3langid's model, read as `LanguageIdentifier.rank` reads it, to the last bit, with the
    automaton walked in compiled code and its table laid out by feature. Its own walk is a
    Python step per byte through a Python list and a 39 MB array, and its table of 100,053
    features × 5 languages (float16) is stored language by language, so each feature read five
    cache lines: for a message the bot had not seen, 30 µs of a short one's detection and
    most of a long one's 100-250 µs."""

    identifier: LanguageIdentifier
    next_state: npt.NDArray[np.uint32]
    row_base: npt.NDArray[np.int64]
    output: npt.NDArray[np.int32]
    by_feature: npt.NDArray[np.float16]
    """The identifier's `nb_ptc` (features × languages) in row-major order."""

    @classmethod
    def of(cls, identifier: LanguageIdentifier) -> _Reader:
        return cls(
            identifier,
            np.frombuffer(identifier.tk_nextmove, dtype=np.uint32),
            np.asarray(identifier.tk_row, dtype=np.int64) << 8,
            np.asarray(identifier.tk_output, dtype=np.int32),
            np.ascontiguousarray(identifier.nb_ptc),
        )

    def best(self, text: str) -> tuple[str, float]:
        """The most probable language and its probability (`rank(text)[0]`)."""
        scores = self.probabilities(text)
        best = int(np.argmax(scores))  # the first of equal ones, as `rank`'s stable sort
        return self.identifier.nb_classes[best], float(scores[best])

    def probabilities(self, text: str) -> npt.NDArray[np.float32]:
        """Per language (`nb_classes`), its probability: `LanguageIdentifier._decide`."""
        if text.isupper():
            text = text.lower()
        data = unicodedata.normalize("NFC", text).encode("utf8", errors="surrogatepass")
        ids, counts = feature_counts(
            self.next_state, self.row_base, self.output, np.frombuffer(data, dtype=np.uint8)
        )
        if len(ids):
            scores = (
                np.log1p(counts.astype(np.float32)) @ self.by_feature[ids] + self.identifier.nb_pc
            )
        else:
            scores = np.zeros(len(self.identifier.nb_classes), dtype=np.float32)
        # The temperature: the square root of the length in bytes keeps the softmax
        # calibrated across lengths.
        scores *= 1.0 / math.sqrt(len(data) or 1)
        np.exp(scores - scores.max(), out=scores)
        scores /= scores.sum()
        return cast(npt.NDArray[np.float32], scores)

    def agrees(self, texts: tuple[str, ...]) -> bool:
        """Whether it gives the identifier's own `rank` for `texts`, to the last bit (a
        py3langid release that reads its model otherwise would not)."""
        for text in texts:
            expected = dict(self.identifier.rank(text))
            got = self.probabilities(text).tolist()
            if [expected[c] for c in self.identifier.nb_classes] != got:
                return False
        return True


PROBES: Final = (
    "How can my company license a CERN technology?",
    "Comment mon entreprise peut-elle acheter une licence pour un brevet ?",
    "Welche Bedingungen gelten für eine Lizenz auf ein Patent?",
    "Quali sono le condizioni per ottenere la licenza di un brevetto?",
    "¿Cuáles son las condiciones para obtener la licencia de una patente?",
    "OK",
    "",
    "🙂 12 345",
)
"""Texts the compiled reading is checked on against py3langid's own when the model loads."""


@cache
def _reader() -> _Reader | _Identified:
    """The compiled reading of the model, or the identifier's own `rank` where they differ
    (another py3langid release, a model with aliased labels)."""
    identifier = _identifier()
    reader = _Reader.of(identifier)
    if identifier._alias_pairs or not reader.agrees(PROBES):
        return _Identified(identifier)
    return reader


@dataclass(frozen=True, slots=True)
class _Identified:
    """py3langid's own reading."""

    identifier: LanguageIdentifier

    def best(self, text: str) -> tuple[str, float]:
        best, probability = self.identifier.rank(text)[0]
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
    _reader()
