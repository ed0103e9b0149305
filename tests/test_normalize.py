"""What "the same words" means: the normalisation shared by the loader, index and queries."""

from __future__ import annotations

import pytest

from intents.text.features import MAX_QUERY_TERMS, stem, terms
from intents.text.normalize import MAX_INPUT_CHARS, normalize_text, words


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MEDICIS", "medicis"),
        ("Médicis", "medicis"),
        ("ＣＥＲＮ－ＭＥＤＩＣＩＳ", "cern medicis"),  # full-width forms (NFKC)
        ("ﬁnance", "finance"),  # ligature
        ("MEDICIS" + "\u0301" * 50, "medicis"),  # stacked combining accents
        ("Straße", "strasse"),  # case folding, not just lower()
    ],
)
def test_case_accents_and_unicode_forms_fold_to_one_form(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


def test_punctuation_and_whitespace_collapse_to_single_spaces() -> None:
    assert normalize_text("  What is\tGaToroid?!\n\u00a0 (really…)  ") == "what is gatoroid really"


@pytest.mark.parametrize(
    ("british", "american"),
    [
        ("licence", "license"),
        ("tumour", "tumor"),
        ("centre", "center"),
        ("programme", "program"),
        ("organisation", "organization"),
        ("optimised", "optimized"),
        ("analyse", "analyze"),
    ],
)
def test_british_spellings_fold_to_american(british: str, american: str) -> None:
    assert normalize_text(british) == american


def test_words_that_merely_end_like_british_spellings_are_kept() -> None:
    assert normalize_text("four hours of advise and promise") == "four hours of advise and promise"


def test_possessives_apostrophes_and_ampersand_acronyms_stay_one_word() -> None:
    assert normalize_text("CERN’s R&D, don't") == "cern rd dont"


def test_dotted_abbreviations_become_one_word() -> None:
    assert normalize_text("e.g. the U.S.") == "eg the us"


def test_hyphenated_compounds_with_a_known_spelling_are_joined() -> None:
    assert normalize_text("start-up and spin-offs") == "startup and spinoffs"
    assert normalize_text("ICTR-PHE") == "ictr phe"


@pytest.mark.parametrize("text", ["", "   ", "🧪🧪", "?!…", "\x00\x01\u200b"])
def test_text_without_letters_or_digits_has_no_words(text: str) -> None:
    assert words(text) == []


def test_very_long_input_is_cut_before_any_work() -> None:
    assert len(normalize_text("a " * 100_000)) <= MAX_INPUT_CHARS


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("gantries", "gantry"),
        ("isotopes", "isotope"),
        ("ions", "ion"),
        ("analysis", "analysis"),
        ("process", "process"),
        ("gas", "gas"),
        ("1970s", "1970"),
    ],
)
def test_plurals_are_stemmed_lightly(word: str, expected: str) -> None:
    assert stem(word) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("heyyy", ["hey"]),
        ("hiii there", ["hi", "there"]),
        ("pleeease", ["please"]),
        ("phase III trial", ["phase", "iii", "trial"]),
        ("www.cern.ch", ["www", "cern", "ch"]),
    ],
)
def test_a_letter_held_down_is_read_once(text: str, expected: list[str]) -> None:
    assert terms(text) == expected


def test_query_terms_are_bounded() -> None:
    assert len(terms("word " * 10_000)) == MAX_QUERY_TERMS


@pytest.mark.parametrize(
    "invisible",
    [
        "\u00ad",  # soft hyphen
        "\u200b",  # zero-width space
        "\u200c",  # zero-width non-joiner
        "\u200d",  # zero-width joiner
        "\u2060",  # word joiner
        "\ufeff",  # byte-order mark
        "\u200e\u200f",  # direction marks
        "\u202a\u202b\u202c\u202d\u202e",  # bidi embeddings and overrides
        "\u2066\u2067\u2068\u2069",  # bidi isolates
    ],
)
def test_invisible_format_characters_inside_a_word_are_removed_not_spaced(
    invisible: str,
) -> None:
    assert words(f"MEDI{invisible}CIS iso{invisible}topes") == words("MEDICIS isotopes")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("l'accélérateur", "accelerateur"),
        ("L’accélérateur", "accelerateur"),  # typographic apostrophe, capital
        ("qu'est-ce que le réseau", "est ce que le reseau"),
        ("d'obtenir une licence", "obtenir une license"),
        ("dell'acceleratore sull'adroterapia", "acceleratore adroterapia"),
        ("un'azienda", "azienda"),
    ],
)
def test_french_and_italian_elision_drops_the_elided_word(text: str, expected: str) -> None:
    assert normalize_text(text) == expected


def test_english_contractions_are_not_read_as_elision() -> None:
    assert normalize_text("don't, I'm, o'clock, rock n' roll") == "dont im oclock rock n roll"
