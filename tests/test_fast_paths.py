"""Shortcuts in reading a message's words, each against the plain definition it skips: the
same result for any input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from intents.matching import names
from intents.text import features
from intents.text.features import terms
from intents.text.normalize import words
from intents.text.vocabulary import Vocabulary

LETTERS = st.sampled_from([*"aicmprhexyz", "é", "ß", "1", "_", "ǅ", "ı"])
WORDS = st.one_of(LETTERS, st.sampled_from(["flash", "the", "cern", "start", "up", "r", "u"]))


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_the_cases_of_a_text_are_those_of_its_characters(text: str) -> None:
    plain = (not any(map(str.isupper, text)), not any(map(str.islower, text)))
    assert names._cases(text) == plain


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.lists(WORDS, max_size=12).map(" ".join), st.text(max_size=40)))
def test_terms_join_spelt_letters_as_the_plain_reading_does(text: str) -> None:
    found = words(text)
    if any(len(w) == 1 for w in found):  # the plain reading: every message with a letter
        found = features._joined_spelt_letters(found)
    assert terms(text) == [features._matching_term(w) for w in found[: features.MAX_QUERY_TERMS]]


def rewritten_word_by_word(vocabulary: Vocabulary, words: list[str]) -> list[str]:
    """`Vocabulary.rewrite`'s plain definition: at each word, the longest variant starting
    there, else the word itself."""
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in vocabulary.sizes_by_first.get(words[i], ()):
            canonical = vocabulary.rewrites.get(tuple(words[i : i + size]))
            if size <= len(words) - i and canonical is not None:
                out.extend(canonical)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out


VOCABULARY = Vocabulary.from_pairs(
    [
        (("start", "up"), ("startup",)),
        (("r",), ("are",)),
        (("flash", "the", "cern"), ("flash",)),
        (("u",), ("you",)),
    ]
)


@settings(max_examples=500, deadline=None)
@given(st.lists(WORDS, max_size=10))
def test_a_rewrite_is_the_word_by_word_one(words: list[str]) -> None:
    assert VOCABULARY.rewrite(words) == rewritten_word_by_word(VOCABULARY, words)
