"""The language of a message: one of five, the user's app language when the text cannot tell."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from py3langid.langid import visit_counts

from intents.text import language
from intents.text.language import DEFAULT_LANGUAGE, LANGUAGES, detect_language, language_of_code


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Comment mon entreprise peut-elle acheter une licence pour un brevet ?", "fr"),
        ("Welche Bedingungen gelten für eine Lizenz auf ein Patent?", "de"),
        ("Quali sono le condizioni per ottenere la licenza di un brevetto?", "it"),
        ("¿Cuáles son las condiciones para obtener la licencia de una patente?", "es"),
        ("What are the conditions for licensing one of your patents?", "en"),
    ],
)
def test_a_question_is_read_in_the_language_it_is_written_in(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "text", ["flash status?", "FLASH status?", "gatoroid cost", "start-up incubator"]
)
def test_terse_english_messages_are_english(text: str) -> None:
    assert detect_language(text) == "en"


def test_project_names_are_no_evidence_of_a_language() -> None:
    # "SEEIST" alone reads as German to the n-grams; names are set aside, leaving nothing.
    assert detect_language("SEEIST") == DEFAULT_LANGUAGE
    assert detect_language("NIMMS?") == DEFAULT_LANGUAGE
    assert detect_language("what is NIMMS?") == "en"


def test_a_message_too_short_to_tell_keeps_the_users_app_language() -> None:
    assert detect_language("NIMMS?", prior="de") == "de"
    assert detect_language("ok", prior="fr-CH") == "fr"
    assert detect_language("gatoroid cost", prior="fr") == "fr"  # English? not sure enough
    assert detect_language("ok") == "en"


def test_a_clear_message_overrules_the_users_app_language() -> None:
    assert detect_language("Wie kann ich für Forschungsprojekte spenden?", prior="fr") == "de"
    assert detect_language("How can I donate to research projects?", prior="de") == "en"


@pytest.mark.parametrize(
    ("code", "language"),
    [("fr", "fr"), ("de-CH", "de"), ("it_IT", "it"), ("ES", "es"), ("pt-br", None), ("", None)],
)
def test_telegram_language_codes_map_to_ours_or_to_none(code: str, language: str | None) -> None:
    assert language_of_code(code) == language


@pytest.mark.parametrize(
    "text",
    [
        "Hoe kan ons bedrijf een licentie op een octrooi van het lab krijgen?",  # Dutch
        "Como a nossa empresa pode obter uma licença de uma patente?",  # Portuguese
    ],
)
def test_other_languages_are_read_as_one_of_the_five(text: str) -> None:
    assert detect_language(text) in LANGUAGES


def test_one_message_is_run_through_the_detector_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The matcher (thresholds) and the conversation (reply language, with the user's prior)
    both ask about each message: the second asking costs nothing."""
    real = language._reader()
    calls: list[str] = []

    class Counting:
        def best(self, text: str) -> tuple[str, float]:
            calls.append(text)
            return real.best(text)

    monkeypatch.setattr(language, "_reader", Counting)
    language._best_guess.cache_clear()
    text = "Comment obtenir une licence pour une technologie du CERN ?"
    assert detect_language(text) == "fr"
    assert detect_language(text, prior="de") == "fr"
    assert len(calls) == 1


class TestCompiledReading:
    """The model read with its automaton walked in compiled code (`language._Reader`), against
    py3langid's own reading of it: the same features, counted the same, and the same
    probabilities to the last bit."""

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=400))
    def test_the_features_are_py3langids_counter_in_order(self, data: bytes) -> None:
        identifier = language._identifier()
        reader = language._Reader.of(identifier)
        ids, counts = language.feature_counts(
            reader.next_state, reader.row_base, reader.output, np.frombuffer(data, np.uint8)
        )
        expected = visit_counts(
            identifier.tk_nextmove, identifier._rowbase, identifier.tk_output, data
        )
        assert list(zip(ids.tolist(), counts.tolist(), strict=True)) == list(
            (expected or {}).items()
        )

    @settings(max_examples=300, deadline=None)
    @given(
        st.one_of(
            st.text(max_size=300),
            st.text(st.characters(codec="utf-8"), max_size=60).map(str.upper),
            st.sampled_from(language.PROBES),
        )
    )
    def test_the_probabilities_are_py3langids_to_the_last_bit(self, text: str) -> None:
        reader = language._Reader.of(language._identifier())
        assert reader.agrees((text,))
        assert reader.best(text) == language._Identified(reader.identifier).best(text)

    def test_the_bot_reads_the_model_compiled(self) -> None:
        # Else every message is read by py3langid's Python walk: right, but slow.
        assert isinstance(language._reader(), language._Reader)

    def test_a_reading_that_differs_falls_back_to_py3langids(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(language._Reader, "agrees", lambda self, texts: False)
        language._reader.cache_clear()
        try:
            assert isinstance(language._reader(), language._Identified)
            assert detect_language("Welche Bedingungen gelten für eine Lizenz?") == "de"
        finally:
            language._reader.cache_clear()
            language._best_guess.cache_clear()
