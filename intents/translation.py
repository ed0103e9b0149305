"""A topic's title and answer in the user's language, or in English with a notice saying so.

Pure: the caller says which language the user writes in (`intents.language`); this decides
what text to show. A topic translated into that language (`translations:` in the YAML) gives
its translation; otherwise the English answer, with one line in the user's language saying
the answer is only in English, so nobody wonders whether they were understood.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from intents.language import DEFAULT_LANGUAGE, Language
from intents.models import Topic

# Interface strings for now; they move to the gettext catalogs with the rest of the interface.
ENGLISH_ONLY: Final[Mapping[Language, str]] = MappingProxyType(
    {
        "fr": "Cette réponse n’existe qu’en anglais.",
        "de": "Diese Antwort gibt es nur auf Englisch.",
        "it": "Questa risposta è disponibile solo in inglese.",
        "es": "Esta respuesta solo está disponible en inglés.",
    }
)
"""The notice above an English answer given to someone writing in another language."""


@dataclass(frozen=True, slots=True)
class LocalizedAnswer:
    """What to show for a topic: the words, the language they are in, and any notice."""

    title: str
    answer: str
    language: Language
    """The language of `title` and `answer` (not always the user's)."""
    notice: str | None = None
    """One line in the user's language when the answer is not in it."""


def localized_answer(topic: Topic, language: Language) -> LocalizedAnswer:
    """The topic's answer for someone writing in `language`."""
    translation = topic.translations.get(language)  # type: ignore[call-overload]
    if translation is not None:
        return LocalizedAnswer(translation.title, translation.answer, language)
    return LocalizedAnswer(topic.title, topic.answer, DEFAULT_LANGUAGE, ENGLISH_ONLY.get(language))
