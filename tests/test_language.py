"""The language of a message: one of five, the user's app language when the text cannot tell."""

from __future__ import annotations

import pytest

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
    real = language._identifier()
    calls: list[str] = []

    class Counting:
        def rank(self, text: str) -> list[tuple[str, float]]:
            calls.append(text)
            return real.rank(text)

    monkeypatch.setattr(language, "_identifier", Counting)
    language._best_guess.cache_clear()
    text = "Comment obtenir une licence pour une technologie du CERN ?"
    assert detect_language(text) == "fr"
    assert detect_language(text, prior="de") == "fr"
    assert len(calls) == 1
