"""Patterns of words looked for only where a word starts, in a message's plain words.

The cue patterns (a patient's words, asking for a person, taking CERN for a clinic) are
alternations of word sequences, each alternative starting a word (`\\b`, then a letter or a
digit). Searched as they are, Python's regular-expression engine tries every alternative at
every character of the text: 27-40 µs for a message of 25 words against the twelve of
`identity._FOR_A_PERSON`. Led by the space before the word, the pattern has a literal first
character, which the engine looks for in C, and the alternatives are only tried where a word
starts: 3 µs for the same message.

The two searches find the same matches in `plain`, the words of a text joined by single
spaces (`intents.text.normalize.normalize_text`): its words are letters and digits only
(`words`), so a word starts exactly at the text's start or after a space. That holds only for
alternatives that start with a word character and have no lookbehind reaching before their
start; `tests/test_cues.py` checks each cue pattern against its source on every example and
labelled message.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable


def word_cues(source: str) -> re.Pattern[str]:
    """`source` (an alternation whose alternatives all start a word) compiled to be looked for
    with `cued`: led by the space before that word."""
    return re.compile(f" (?:{source})")


def cued(cues: re.Pattern[str], plain: str) -> bool:
    """Whether `plain`, words joined by single spaces, holds one of `cues` (`word_cues`)."""
    return cues.search(" " + plain) is not None


_ESCAPE = re.compile(r"\\.")
_CAPITAL = re.compile(r"[A-Z]")
_CODED = re.compile(r"\\[uUxN0-9]")
"""A character given by its code or a group by its number: not read here, so not allowed."""


def spells_lower_case(source: str) -> bool:
    """Whether `source` names no capital letter (its escapes, `\\W` or `\\S`, set aside) and
    no character that is an ASCII letter ignoring case ("ſ" is an "s", the Kelvin sign a "k"):
    then, on an ASCII text, it matches ignoring case where it matches the text in lower case."""
    if _CAPITAL.search(_ESCAPE.sub("", source)) or _CODED.search(source):
        return False
    others = {c for c in source if not c.isascii()}
    return not any(
        re.fullmatch(re.escape(c), letter, re.IGNORECASE)
        for c in others
        for letter in string.ascii_letters
    )


def _lower_case_twin(pattern: str, source: str, flags: int) -> re.Pattern[str] | None:
    """`pattern` (written around `source`) compiled without ignoring case, to be looked for
    in an ASCII text in lower case, when `flags` ignore case and `source` allows it
    (`spells_lower_case`); else None."""
    if not flags & re.IGNORECASE or not spells_lower_case(source):
        return None
    return re.compile(pattern, flags & ~re.IGNORECASE)


class WordStarts:
    """A pattern whose alternatives all start a word (`\\b`, then a word character), in any
    text: `search` and `sub` give what the pattern's own give, but find first whether it
    matches anywhere with a copy led by the character before that word (`\\W`, a set of
    characters the engine looks for in C, as `word_cues` does with a space), which tries the
    alternatives only where a word starts. Most sentences hold none of these patterns (a
    pleasantry, an aside): for them, that first search is all. A text that holds one is
    searched again, at the match found.

    A pattern that ignores case is looked for that first time in the text in lower case,
    without ignoring case, when the text is ASCII and the pattern names no capital: Python's
    engine compares characters ignoring case at a third of the speed, and on ASCII letters
    ignoring case is comparing in lower case (the letters it also matches, such as "ſ" for
    "s" or the Kelvin sign for "k", are not ASCII). On a message of 25 words, the request
    and aside patterns took 8-14 µs each ignoring case, 5-7 µs this way."""

    __slots__ = ("_led", "_led_lower", "pattern")

    def __init__(self, source: str, flags: int = 0) -> None:
        self.pattern = re.compile(source, flags)
        led = rf"\W(?:{source})"
        self._led = re.compile(led, flags)
        self._led_lower = _lower_case_twin(led, source, flags)

    def _first_start(self, text: str) -> int | None:
        """Where the pattern's first match in `text` starts, if it has one. Led by a space,
        the text's first word is led by a non-word character too. (A lower-case ASCII text
        has its characters where the text has them.)"""
        if self._led_lower is not None and text.isascii():
            led = self._led_lower.search(" " + text.lower())
        else:
            led = self._led.search(" " + text)
        return None if led is None else led.start()

    def search(self, text: str) -> re.Match[str] | None:
        """`self.pattern.search(text)`."""
        start = self._first_start(text)
        return None if start is None else self.pattern.match(text, start)

    def sub(self, replacement: str | Callable[[re.Match[str]], str], text: str) -> str:
        """`self.pattern.sub(replacement, text)`."""
        return text if self._first_start(text) is None else self.pattern.sub(replacement, text)


class CaseFree:
    """A pattern that ignores case, looked for in an ASCII text in lower case without ignoring
    case when it names no capital (see `WordStarts`): `search`, `match` and `split` give what
    the pattern's own give. A text it matches is matched again by the pattern itself, at the
    place found, for the match's groups as the text spells them."""

    __slots__ = ("_lower", "pattern")

    def __init__(self, source: str, flags: int = re.IGNORECASE) -> None:
        self.pattern = re.compile(source, flags)
        self._lower = _lower_case_twin(source, source, flags)

    def _in_lower_case(self, text: str) -> re.Pattern[str] | None:
        """The pattern to look for in `text.lower()`, if `text` allows it."""
        return self._lower if self._lower is not None and text.isascii() else None

    def search(self, text: str) -> re.Match[str] | None:
        """`self.pattern.search(text)`."""
        lower = self._in_lower_case(text)
        if lower is None:
            return self.pattern.search(text)
        found = lower.search(text.lower())
        return None if found is None else self.pattern.match(text, found.start())

    def match(self, text: str) -> re.Match[str] | None:
        """`self.pattern.match(text)`."""
        lower = self._in_lower_case(text)
        if lower is not None and lower.match(text.lower()) is None:
            return None
        return self.pattern.match(text)

    def split(self, text: str, maxsplit: int = 0) -> list[str]:
        """`self.pattern.split(text, maxsplit)`."""
        lower = self._in_lower_case(text)
        if lower is not None and lower.search(text.lower()) is None:
            return [text]
        return self.pattern.split(text, maxsplit)
