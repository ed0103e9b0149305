"""Text normalisation shared by the loader, the index and every query.

One function decides what "the same words" means, so that an example question, an alias
and a user's message are compared on equal terms: Unicode compatibility forms (NFKC), case,
accents, punctuation, whitespace and British/American spelling variants are all folded away.
"""

from __future__ import annotations

import re
import unicodedata

MAX_INPUT_CHARS = 4096
"""Longer text is cut before any work (Telegram's own message limit): bounded time."""

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


def fold(text: str) -> str:
    """NFKC, case-folded, accents removed; punctuation is kept (see `words`)."""
    text = text[:MAX_INPUT_CHARS]
    if text.isascii():  # the common case, and all of the work below is then a no-op
        return text.lower()
    text = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    # Combining marks go (é -> e); NFKC again so what remains is in canonical form.
    return unicodedata.normalize(
        "NFKC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


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


def words(text: str) -> list[str]:
    """The words of `text`, folded and spelled canonically, in order."""
    text = fold(text)
    # Each rewrite is skipped when its character is absent: most messages have none.
    if any(a in text for a in _APOSTROPHES):
        text = _APOSTROPHE.sub("", _POSSESSIVE.sub("", text))
    if "&" in text:
        text = _JOINING_AMPERSAND.sub("", text)
    if "." in text:
        text = _ABBREVIATION_DOT.sub("", text)
    if "-" in text:
        text = _HYPHENATED.sub(_hyphenated, text)
    return [canonical_spelling(w) for w in _NON_WORD.sub(" ", text).split()]


def _hyphenated(match: re.Match[str]) -> str:
    whole = match.group(0)
    return SPELLING_VARIANTS.get(whole, whole)


def normalize_text(text: str) -> str:
    """Comparable form of `text`: `"  Licence d'exploitation, CERN’s R&D! "` ->
    `"license dexploitation cern rd"`. Used to spot duplicate example questions."""
    return " ".join(words(text))
