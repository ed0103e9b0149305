"""The patterns looked for only where a word starts (`intents.text.cues`: the cues of plain
words and `WordStarts`) against their sources searched as they are: the same answers on every
text of the shipped knowledge base, on those texts' words shuffled, and on texts made of the
words the patterns look for."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intents.knowledge.loader import load_knowledge
from intents.matching import health, identity, misconceptions
from intents.text import segments
from intents.text.cues import CaseFree, WordStarts, cued, spells_lower_case, word_cues
from intents.text.features import terms
from intents.text.normalize import fold, normalize_text

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"

CUES = {
    "health._PERSON": health._PERSON,
    "health._PATIENT": health._PATIENT,
    "health._ASKER": health._ASKER,
    "identity._ABOUT_THE_ASSISTANT": identity._ABOUT_THE_ASSISTANT,
    "identity._FOR_A_PERSON": identity._FOR_A_PERSON,
    "misconceptions._CERN_AS_CLINIC": misconceptions._CERN_AS_CLINIC,
}


def source_of(cues: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern `word_cues` was given, compiled as it is."""
    assert cues.pattern.startswith(" (?:") and cues.pattern.endswith(")")
    return re.compile(cues.pattern[len(" (?:") : -1])


def knowledge_texts() -> Iterator[str]:
    """Every text of the shipped knowledge base, and its words shuffled three ways."""
    kb = load_knowledge(KNOWLEDGE)
    rng = random.Random(5)
    texts = [text for topic in kb.topics.values() for text in (topic.title, *topic.questions)]
    for text in [*texts, *kb.out_of_scope]:
        yield text
        shuffled = text.split()
        for _ in range(3):
            rng.shuffle(shuffled)
            yield " ".join(shuffled)


def pattern_words() -> list[str]:
    """The words the cue patterns spell out, for texts that come close to matching."""
    literal = re.compile(r"[a-z]{1,}")
    found = {w for cues in CUES.values() for w in literal.findall(cues.pattern)}
    return sorted(found - {"w", "b", "d", "s"})  # escapes' letters, not words


PLAIN_TEXTS = [normalize_text(text) for text in knowledge_texts()]


def test_word_cues_is_led_by_a_space() -> None:
    assert cued(word_cues(r"\bflash\b"), "is flash safe")
    assert cued(word_cues(r"\bflash\b"), "flash")
    assert not cued(word_cues(r"\bflash\b"), "flashdeep")


@pytest.mark.parametrize("name", sorted(CUES))
def test_cues_find_what_their_source_finds_in_the_knowledge_base(name: str) -> None:
    cues = CUES[name]
    source = source_of(cues)
    differ = [p for p in PLAIN_TEXTS if cued(cues, p) != (source.search(p) is not None)]
    assert not differ, differ[:5]


WORDS = pattern_words()


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=14), st.sampled_from(sorted(CUES)))
def test_cues_find_what_their_source_finds_in_their_own_words(words: list[str], name: str) -> None:
    plain = " ".join(words)
    assert cued(CUES[name], plain) == (source_of(CUES[name]).search(plain) is not None)


ASKS_FOR_A_PERSON_BEFORE = re.compile(
    source_of(identity._FOR_A_PERSON).pattern + "|^" + identity._ONLY_A_PERSON.pattern
)
"""`asks_for_a_person`'s one pattern before its alternative of the whole message was split off."""


@pytest.mark.parametrize(
    "check, before",
    [
        (identity.asks_for_a_person, ASKS_FOR_A_PERSON_BEFORE),
        (identity.asks_about_the_assistant, source_of(identity._ABOUT_THE_ASSISTANT)),
        (misconceptions.takes_cern_for_a_clinic, source_of(misconceptions._CERN_AS_CLINIC)),
    ],
)
def test_checks_answer_as_their_one_pattern_did(
    check: Callable[[str], bool], before: re.Pattern[str]
) -> None:
    texts = [*PLAIN_TEXTS, "human pls", "a real person please", "an operator", "real human now"]
    differ = [t for t in texts if check(t) != (before.search(normalize_text(t)) is not None)]
    assert not differ, differ[:5]


def test_spelt_letters_are_still_joined() -> None:
    assert terms("is c m a a c open") == ["is", "cmaac", "open"]
    assert terms("c m a a c") == ["cmaac"]
    assert terms("r u a bot") == ["r", "u", "a", "bot"]


WORD_STARTS = {
    "segments._PLEASANTRY": segments._PLEASANTRY,
    "segments._NEGATED": segments._NEGATED,
    "segments._ASKED_BY_OTHERS": segments._ASKED_BY_OTHERS,
    "segments._REQUEST_INSIDE": segments._REQUEST_INSIDE,
    "segments._WISH": segments._WISH,
    "health._RELATIVE_NOT_ILL": health._RELATIVE_NOT_ILL,
}
TEXTS = [form for text in knowledge_texts() for form in (text, fold(text), normalize_text(text))]


def spans(found: re.Match[str] | None) -> tuple[tuple[int, int], ...] | None:
    return None if found is None else tuple(found.span(g) for g in range(len(found.groups()) + 1))


def assert_same(patterns: WordStarts, text: str) -> None:
    own = patterns.pattern
    assert spans(patterns.search(text)) == spans(own.search(text)), text
    assert patterns.sub(" ", text) == own.sub(" ", text), text
    assert patterns.sub(lambda m: m.group().upper(), text) == own.sub(
        lambda m: m.group().upper(), text
    ), text


@pytest.mark.parametrize("name", sorted(WORD_STARTS))
def test_word_starts_find_what_their_pattern_finds_in_the_knowledge_base(name: str) -> None:
    for text in TEXTS:
        assert_same(WORD_STARTS[name], text)


SPOKEN = pattern_words() + [
    w for p in WORD_STARTS.values() for w in re.findall(r"[a-z]{2,}", p.pattern.pattern)
]


def texts_of(
    vocabulary: list[str], separators: list[str], max_words: int
) -> st.SearchStrategy[str]:
    """Texts of `vocabulary`'s words, each followed by one of `separators` (among them
    letters that are ASCII ones only ignoring case: "ſ", the Kelvin sign, the dotless i),
    as typed or all in capitals."""
    joined = st.lists(
        st.tuples(st.sampled_from(vocabulary), st.sampled_from(separators)),
        min_size=1,
        max_size=max_words,
    ).map(lambda words: "".join(word + after for word, after in words))
    return st.one_of(joined, joined.map(str.upper))


@settings(max_examples=600, deadline=None)
@given(
    texts_of(sorted(set(SPOKEN)), [" ", ", ", ". ", "'", "-", " \u017f", "\u212a ", " \u0131"], 14),
    st.sampled_from(sorted(WORD_STARTS)),
)
def test_word_starts_find_what_their_pattern_finds_in_their_own_words(text: str, name: str) -> None:
    assert_same(WORD_STARTS[name], text)


REQUEST_BEFORE = re.compile(
    segments._REQUEST_INSIDE.pattern.pattern.removesuffix(r")\b")
    + "|, "
    + segments._ASKED_AFTER_A_COMMA.pattern.removeprefix(r",(?<=\w,) ").removesuffix(r"\b")
    + r")\b",
    re.IGNORECASE,
)
"""The one pattern a request inside a sentence was before the comma's was split off."""


def test_requests_inside_are_found_as_by_their_one_pattern() -> None:
    texts = [*TEXTS, "we met at the fair, who should we contact", "ok , who can i ask", "x,who is"]
    for text in texts:
        split = bool(
            segments._REQUEST_INSIDE.search(text) or segments._ASKED_AFTER_A_COMMA.search(text)
        )
        assert split == bool(REQUEST_BEFORE.search(text)), text


def test_patterns_spelt_in_lower_case_are_told_apart() -> None:
    assert spells_lower_case(r"\b(?:we|i) are not\W+\S")
    assert not spells_lower_case(r"\bCERN\b")
    assert not spells_lower_case(r"[A-Z]{2,}")
    assert not spells_lower_case("\\bu\u017fe\\b")  # "ſ" is an "s" ignoring case
    assert spells_lower_case("\\bmerci|gr\u00e0cies|we(?:'|\u2019)re\\b")


def test_ignoring_case_in_lower_case_keeps_what_only_ignoring_case_finds() -> None:
    # Not ASCII: "ſ" is an "s" and the Kelvin sign a "k" ignoring case, in no lower case.
    asked = segments._ASKED_BY_OTHERS
    for text in ("Visitors often a\u017fk me about it", "Visitors often as\u212a me about it"):
        found = asked.search(text)
        assert found is not None
        assert spans(found) == spans(asked.pattern.search(text))
        assert asked.sub(" ", text) == asked.pattern.sub(" ", text) != text


CASE_FREE = {
    name: getattr(segments, name) for name in ("_INTRODUCTION", "_ASKING", "_THANKS_AT_END")
}


def assert_same_ignoring_case(patterns: CaseFree, text: str) -> None:
    own = patterns.pattern
    assert spans(patterns.search(text)) == spans(own.search(text)), text
    assert spans(patterns.match(text)) == spans(own.match(text)), text
    assert patterns.split(text) == own.split(text), text
    assert patterns.split(text, maxsplit=1) == own.split(text, maxsplit=1), text


@pytest.mark.parametrize("name", sorted(CASE_FREE))
def test_case_free_patterns_find_what_they_find_ignoring_case(name: str) -> None:
    patterns = CASE_FREE[name]
    assert patterns._lower is not None  # each is looked for in lower case
    for text in TEXTS:
        assert_same_ignoring_case(patterns, text)
        assert_same_ignoring_case(patterns, text.upper())


CASE_FREE_WORDS = sorted(
    {w for p in CASE_FREE.values() for w in re.findall(r"[a-z]{2,}", p.pattern.pattern)}
)


@settings(max_examples=600, deadline=None)
@given(
    texts_of(CASE_FREE_WORDS, [" ", ", ", ": ", "! ", " - ", " \u017f", "\u212a ", " \u0131"], 10),
    st.sampled_from(sorted(CASE_FREE)),
)
def test_case_free_patterns_find_what_they_find_in_their_own_words(text: str, name: str) -> None:
    assert_same_ignoring_case(CASE_FREE[name], text)
