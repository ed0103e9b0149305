"""Text normalisation shared by the loader, the index and every query.

One function decides what "the same words" means, so that an example question, an alias
and a user's message are compared on equal terms: Unicode compatibility forms (NFKC), case,
accents, punctuation, whitespace and British/American spelling variants are all folded away.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from intents.text.limits import TELEGRAM_MESSAGE_LIMIT

MAX_INPUT_CHARS = TELEGRAM_MESSAGE_LIMIT
"""Longer text is cut before any work (Telegram's own message limit): bounded time."""

INVISIBLE_CHARS = frozenset(
    "\u00ad"  # soft hyphen: copied from web pages, PDF and Word inside words ("MEDI\u00adCIS")
    "\u200b\u200c\u200d"  # zero-width space, non-joiner, joiner
    "\u2060"  # word joiner
    "\ufeff"  # byte-order mark / zero-width no-break space
    "\u200e\u200f"  # left-to-right and right-to-left marks
    "\u202a\u202b\u202c\u202d\u202e"  # bidi embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # bidi isolates
)
"""Format characters that change no word: removed, not turned into spaces, so a soft hyphen
or a zero-width space inside a word leaves the word whole."""
_INVISIBLE = re.compile(f"[{''.join(sorted(INVISIBLE_CHARS))}]")

# British spellings (and a few common alternatives) folded to one form. Only whole words are
# rewritten, so "source" or "four" are never touched the way a blind "-our" rule would.
SPELLING_VARIANTS: dict[str, str] = {
    "licence": "license",
    "licences": "licenses",
    "licenced": "licensed",
    "licencing": "licensing",
    "tumour": "tumor",
    "tumours": "tumors",
    "centre": "center",
    "centres": "centers",
    "programme": "program",
    "programmes": "programs",
    "colour": "color",
    "behaviour": "behavior",
    "favour": "favor",
    "honour": "honor",
    "labour": "labor",
    "neighbour": "neighbor",
    "neighbouring": "neighboring",
    "humour": "humor",
    "travelling": "traveling",
    "travelled": "traveled",
    "modelling": "modeling",
    "labelling": "labeling",
    "fibre": "fiber",
    "metre": "meter",
    "metres": "meters",
    "litre": "liter",
    "defence": "defense",
    "offence": "offense",
    "catalogue": "catalog",
    "dialogue": "dialog",
    "analogue": "analog",
    "haemoglobin": "hemoglobin",
    "haematology": "hematology",
    "oesophagus": "esophagus",
    "oestrogen": "estrogen",
    "paediatric": "pediatric",
    "paediatrics": "pediatrics",
    "anaesthesia": "anesthesia",
    "orthopaedic": "orthopedic",
    "grey": "gray",
    "aluminium": "aluminum",
    "cheque": "check",
    "enquiry": "inquiry",
    "enquiries": "inquiries",
    "enquire": "inquire",
    "e-mail": "email",
    "start-up": "startup",
    "start-ups": "startups",
    "spin-off": "spinoff",
    "spin-offs": "spinoffs",
}

# "-ise/-isation" verbs: only the long, unambiguous suffixes ("organisation", "optimised").
# Short "-ise" words (advise, promise, exercise) are English in both spellings.
_BRITISH_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("isations", "izations"),
    ("isation", "ization"),
    ("ising", "izing"),
    ("ised", "ized"),
    ("yse", "yze"),
    ("ysed", "yzed"),
    ("ysing", "yzing"),
)
_SUFFIX_ENDINGS = tuple(british for british, _ in _BRITISH_SUFFIXES)
_SUFFIX_MIN_STEM = 4
"""`organ|isation`, `optim|ised`: the stem must be long enough that the suffix is one."""

_APOSTROPHES = "'’ʼ`´"
# French and Italian elision: the article, pronoun or preposition before an apostrophe is
# dropped, so "l'accélérateur", "dell'acceleratore" and "qu'est-ce" match "accélérateur",
# "acceleratore" and "est-ce" rather than becoming "laccelerateur". Only these words, at the
# start of a word and followed by a letter: English contractions (don't, I'm, o'clock) are
# untouched.
_ELIDED = (
    # French: le/la, de, je, me, te, ne, se, ce, que (and the words ending in it)
    *("l", "d", "j", "m", "t", "n", "s", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"),
    # Italian: articles and articulated prepositions, quello/bello/santo, cosa
    *("dell", "all", "dall", "nell", "sull", "coll", "un", "quell", "bell", "sant", "cos"),
)
_ELISION = re.compile(rf"\b(?:{'|'.join(_ELIDED)})[{_APOSTROPHES}](?=\w)")
# "CERN's" -> "CERN"; other apostrophes vanish ("don't" -> "dont").
_POSSESSIVE = re.compile(rf"[{_APOSTROPHES}]s\b")
_APOSTROPHE = re.compile(rf"[{_APOSTROPHES}]")
# "R&D" -> "rd": one token, like the acronym it is, rather than two single letters.
_JOINING_AMPERSAND = re.compile(r"(?<=\w)&(?=\w)")
# "e.g." / "U.S." -> "eg" / "us": dots between single letters belong to an abbreviation.
_ABBREVIATION_DOT = re.compile(r"(?<=\b\w)\.(?=\w\b)")
# Hyphenated words are looked up whole first ("start-up"), then split into parts.
_HYPHENATED = re.compile(r"\w+(?:-\w+)+")
_NON_WORD = re.compile(r"[\W_]+")


class _WithoutCombiningMarks(dict[int, int | None]):
    """A `str.translate` table that deletes combining marks (the accent of a decomposed é),
    filled as characters are first met: every later lookup is a plain dict hit in C, where a
    per-character Python test cost a third of folding a long French message."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.combining(chr(code)) else code
        self[code] = kept
        return kept


_COMBINING_MARKS = _WithoutCombiningMarks()


def fold(text: str) -> str:
    """NFKC, case-folded, accents removed; punctuation is kept (see `words`)."""
    text = text[:MAX_INPUT_CHARS]
    if text.isascii():  # the common case, and all of the work below is then a no-op
        return text.lower()
    text = unicodedata.normalize("NFKC", strip_invisible(text)).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    # Combining marks go (é -> e); NFKC again so what remains is in canonical form.
    return unicodedata.normalize("NFKC", decomposed.translate(_COMBINING_MARKS))


def strip_invisible(text: str) -> str:
    """`text` without the INVISIBLE_CHARS (zero-width, soft hyphen, BOM, bidi marks)."""
    return text if text.isascii() else _INVISIBLE.sub("", text)


def canonical_spelling(word: str) -> str:
    """One spelling per word: `licence` -> `license`, `organisation` -> `organization`."""
    mapped = SPELLING_VARIANTS.get(word)
    if mapped is not None:
        return mapped
    if not word.endswith(_SUFFIX_ENDINGS):
        return word
    for british, american in _BRITISH_SUFFIXES:
        if word.endswith(british) and len(word) - len(british) >= _SUFFIX_MIN_STEM:
            return word[: -len(british)] + american
    return word


I_AM = r"(?:i m|im|i am)"
"""'I am' as `words` writes it ("I'm" -> "im"), for patterns over normalised words."""
WE_ARE = r"(?:we re|were|we are)"
"""'We are' as `words` writes it: the apostrophe goes, so "we're" reads "were"."""


def written_as(name: str, text: str) -> bool:
    """Whether `text` contains `name` exactly as spelt (capitals included), as a word of its
    own: "CLEAR" in "slots at CLEAR", not in "is it clear" or "CLEARED"."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text) is not None


def words(text: str) -> list[str]:
    """The words of `text`, folded and spelled canonically, in order."""
    return list(_words(text))


@lru_cache(maxsize=512)
def _words(text: str) -> tuple[str, ...]:
    # Cached: the matcher reads one message several times (its sentences, its questions, its
    # names, its health cues), and folding accents is the costly part of a French message.
    text = fold(text)
    # Each rewrite is skipped when its character is absent: most messages have none.
    if any(a in text for a in _APOSTROPHES):
        text = _APOSTROPHE.sub("", _POSSESSIVE.sub("", _ELISION.sub("", text)))
    if "&" in text:
        text = _JOINING_AMPERSAND.sub("", text)
    if "." in text:
        text = _ABBREVIATION_DOT.sub("", text)
    if "-" in text:
        text = _HYPHENATED.sub(_hyphenated, text)
    return tuple(canonical_spelling(w) for w in _NON_WORD.sub(" ", text).split())


def _hyphenated(match: re.Match[str]) -> str:
    whole = match.group(0)
    return SPELLING_VARIANTS.get(whole, whole)


def normalize_text(text: str) -> str:
    """Comparable form of `text`: `"  Licence d'exploitation, CERN’s R&D! "` ->
    `"license exploitation cern rd"`. Used to spot duplicate example questions."""
    return " ".join(words(text))


def question_key(text: str) -> str:
    """The form two questions are compared in: the matcher's own normalisation (case,
    accents, punctuation, spelling variants), so that what the matcher cannot tell apart
    counts as the same question (duplicate examples, an ignored question asked again).

    Stored in the database (`unanswered.question_key`): changing it needs a migration."""
    return normalize_text(text)
