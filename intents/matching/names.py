"""Names in a message: "who do I contact about GaToroid" is about GaToroid, whatever else.

A topic's aliases are its names (project names, acronyms, their usual misspellings). A name in
a message is strong evidence for its topic even when the rest of the message is about
something else (a route: contact, licensing, costs) or is long and mostly unknown words.
Names are found whole, as word sequences, and single-word names also approximately
("medcis", "gatoriod") with rapidfuzz, so a misspelt name still counts.

A name that is also an ordinary word ("CLEAR", "FLASH" next to "it is not clear") only counts
when the message writes it as the name is written, or when the message has no capitals at all
(people who type in lower case type names in lower case too).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from types import MappingProxyType

from rapidfuzz import fuzz, process

from intents.text.features import terms
from intents.text.normalize import written_as
from intents.text.vocabulary import sizes_by_first_word

FUZZY_MIN_LENGTH = 5
"""Shorter names and words are too often one letter apart from something else."""
FUZZY_CUTOFF = 84.0
"""rapidfuzz ratio (0-100): "medcis"/"medicis" is 92, "seiist"/"seeiist" 92, "gatoriod"/
"gatoroid" 88; "medical"/"medicis" is 71."""
SHARED_SHARE = 0.08
"""Share of the topics whose examples may also use a name before it stops being a name
("MEDICIS" in a donations example is still MEDICIS; "KT" in six topics' is no name)."""
MIN_SHARED_TOPICS = 3
"""Other topics that may always use a name, however small the knowledge base."""
FUZZY_QUALITY = 0.85
"""A name found approximately is a little weaker evidence than one typed right."""
CLOSEST_NAMES_CACHED = 4096
"""Words whose closest name (or none) each spotter remembers: the unknown words of messages
recur ("quelles", "möchte"), and each costs a fuzzy search."""


@dataclass(frozen=True, slots=True)
class NameHit:
    topic: int
    """Index of the topic in the index's order."""
    quality: float
    """1.0 for a name typed right, less for an approximate one."""
    name: str
    siblings: tuple[int, ...] = ()
    """Other topics whose examples use the same name ("MEDICIS isotopes" for MEDICIS): a
    message naming it may be about them just as well."""


@dataclass(frozen=True, slots=True)
class NameSpotter:
    phrases: Mapping[tuple[str, ...], tuple[int, ...]]
    """Name as stemmed words -> the topics it names."""
    users: Mapping[tuple[str, ...], tuple[int, ...]]
    """Name -> the topics whose examples use it (its own topics included)."""
    cased: Mapping[tuple[str, ...], tuple[str, ...]]
    """Names that are also ordinary words -> the spellings that count (as written in YAML)."""
    fuzzy_words: Mapping[str, tuple[str, ...]]
    """Single-word names long enough to be found approximately, by their first letter: a
    misspelling keeps it ("medcis", "gatorid"), so a word is compared with a few names."""
    known: frozenset[str]
    """Words the knowledge base uses: never taken for a misspelt name."""
    sizes_by_first: Mapping[str, tuple[int, ...]]
    """First word of a name -> the lengths of the names it starts, longest first."""
    strict: frozenset[tuple[str, ...]] = frozenset()
    """Names that count only as written, even in a message without capitals (a keyword
    such as "CLEAR": in lower case it is the everyday word)."""
    _closest: Callable[[str], tuple[str, float] | None] = field(
        init=False, repr=False, compare=False
    )
    """`_closest_name` among this spotter's names, cached (bounded: `CLOSEST_NAMES_CACHED`)."""

    def __post_init__(self) -> None:
        # Bound to the names, not to the spotter: no reference cycle to outlive a reload.
        closest = partial(_closest_name, self.fuzzy_words)
        object.__setattr__(self, "_closest", lru_cache(maxsize=CLOSEST_NAMES_CACHED)(closest))

    @classmethod
    def build(
        cls,
        names: Sequence[Iterable[str]],
        examples: Sequence[Iterable[str]],
        ordinary_words: frozenset[str],
        known: frozenset[str] = frozenset(),
        strict_names: Sequence[Iterable[str]] = (),
        no_siblings: Collection[int] = (),
    ) -> NameSpotter:
        """`names[i]`: the names of topic i; `examples[i]`: its example texts;
        `ordinary_words`: lower-case words the knowledge base uses as plain words (in its
        answers), so a name equal to one is case-sensitive; `known`: the words (stemmed) the
        knowledge base uses, which a message's word is never corrected away from.

        A name that the examples of many other topics also use ("KT", "patent") says little
        about which topic is meant: it is no name here (the index still compares it like any
        other words). Many is a share of the topics (`SHARED_SHARE`): an example in another
        language that mentions a project must not unmake its name.

        `strict_names[i]`: more names of topic i that count only where the message writes
        them as spelt here, never in a message without capitals (see `strict`).

        `no_siblings`: topics whose examples use names without being about the project (the
        no-medical-advice answer: "Can FLASH cure my…"). They still count towards a name
        being shared, but a name's hit never offers them as its siblings."""
        keyed: dict[tuple[str, ...], set[int]] = {}
        cased: dict[tuple[str, ...], set[str]] = {}
        strict: set[tuple[str, ...]] = set()
        for topic, topic_names in enumerate(names):
            for name in topic_names:
                key = tuple(terms(name, limit=16))
                if not key:
                    continue
                keyed.setdefault(key, set()).add(topic)
                if len(key) == 1 and key[0] in ordinary_words:
                    cased.setdefault(key, set()).add(name.strip())
        for topic, topic_names in enumerate(strict_names):
            for name in topic_names:
                key = tuple(terms(name, limit=16))
                if key and key not in keyed:
                    keyed[key] = {topic}
                    cased[key] = {name.strip()}
                    strict.add(key)
        users = _topics_using(keyed, examples)
        shared = max(MIN_SHARED_TOPICS, int(SHARED_SHARE * len(names)))
        phrases = {
            key: topics
            for key, topics in keyed.items()
            if len(users.get(key, set()) - topics) <= shared
        }
        cased = {key: spellings for key, spellings in cased.items() if key in phrases}
        fuzzy: dict[str, list[str]] = {}
        for key in sorted(phrases):
            if (
                len(key) == 1
                and len(key[0]) >= FUZZY_MIN_LENGTH
                and key[0].isalpha()
                and key not in strict
            ):
                fuzzy.setdefault(key[0][0], []).append(key[0])
        return cls(
            MappingProxyType({k: tuple(sorted(v)) for k, v in phrases.items()}),
            MappingProxyType(
                {
                    k: tuple(sorted((users.get(k, set()) - set(no_siblings)) | phrases[k]))
                    for k in phrases
                }
            ),
            MappingProxyType({k: tuple(sorted(v)) for k, v in cased.items()}),
            MappingProxyType({initial: tuple(names) for initial, names in fuzzy.items()}),
            known,
            sizes_by_first_word(phrases),
            frozenset(strict & phrases.keys()),
        )

    def find(
        self,
        text: str,
        typed_terms: Sequence[str],
        corrections: Mapping[str, str] = MappingProxyType({}),
    ) -> list[NameHit]:
        """The names in a message (`typed_terms`: its stemmed words), read with its misspelt
        words as the known words the vectorizer took them for (`corrections`): "knowlegde
        transfer fund" names the fund, a little less surely than typed right."""
        message_terms = [corrections.get(term, term) for term in typed_terms]
        hits: dict[int, NameHit] = {}
        lowercase_message, shouting = _cases(text)
        n = len(message_terms)
        found: list[tuple[int, int, tuple[str, ...]]] = []
        for start in range(n):
            for size in self.sizes_by_first.get(message_terms[start], ()):
                if size > n - start:
                    continue
                key = tuple(message_terms[start : start + size])
                if key not in self.phrases:
                    continue
                spellings = self.cased.get(key)
                if key in self.strict:
                    if shouting or not any(written_as(s, text) for s in spellings or ()):
                        continue
                elif spellings and not lowercase_message and not any(s in text for s in spellings):
                    continue
                found.append((start, size, key))
        # Where names overlap, the longer one is meant ("ICTR-PHE" is not "PHE"), and of two
        # as long, the one ending later: an English name's last word is its head, so "the
        # CERN KT Fund" names the fund, not "CERN KT" (the group).
        found_at: set[int] = set()
        for start, size, key in sorted(found, key=lambda f: (-f[1], -f[0])):
            span = range(start, start + size)
            if found_at.intersection(span):
                continue
            found_at.update(span)
            typed = tuple(typed_terms[start : start + size]) == key
            quality = 1.0 if typed else FUZZY_QUALITY
            for topic in self.phrases[key]:
                if topic not in hits or hits[topic].quality < quality:
                    hits[topic] = NameHit(topic, quality, " ".join(key), self.users[key])
        if self.fuzzy_words:
            for position, word in enumerate(message_terms):
                if (
                    position in found_at
                    or len(word) < FUZZY_MIN_LENGTH
                    or word in self.known
                    or not word.isalpha()
                ):
                    continue
                match = self._closest(word)
                if match is None:
                    continue
                name, score = match
                quality = FUZZY_QUALITY * score / 100
                key = (name,)
                for topic in self.phrases[key]:
                    if topic not in hits or hits[topic].quality < quality:
                        hits[topic] = NameHit(topic, quality, name, self.users[key])
        return sorted(hits.values(), key=lambda h: (-h.quality, h.topic))


def _cases(text: str) -> tuple[bool, bool]:
    """Whether `text` has no capital letter, and whether it has no small one (a message in
    capitals throughout writes every word as a name would be written). For ASCII text (most
    messages) by comparing it with its own lower and upper case, in C, rather than a Python
    call per character: there, only A-Z are upper case and only a-z lower case, and case
    changes those alone."""
    if text.isascii():
        return text.lower() == text, text.upper() == text
    return not any(map(str.isupper, text)), not any(map(str.islower, text))


def _closest_name(
    fuzzy_words: Mapping[str, tuple[str, ...]], word: str
) -> tuple[str, float] | None:
    """The single-word name `word` is probably a misspelling of, and how close it is."""
    candidates = fuzzy_words.get(word[0])
    if not candidates:
        return None
    match = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    return None if match is None else (match[0], match[1])


def _topics_using(
    keys: Mapping[tuple[str, ...], set[int]], examples: Sequence[Iterable[str]]
) -> dict[tuple[str, ...], set[int]]:
    """Per name: the topics whose example texts contain it as consecutive words."""
    sizes = sorted({len(k) for k in keys})
    users: dict[tuple[str, ...], set[int]] = {}
    for topic, texts in enumerate(examples):
        for text in texts:
            words = terms(text, limit=10_000)
            for size in sizes:
                for start in range(len(words) - size + 1):
                    key = tuple(words[start : start + size])
                    if key in keys:
                        users.setdefault(key, set()).add(topic)
    return users
