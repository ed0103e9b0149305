"""A topic's title and answer in the user's language, or in English with a notice saying so.

Pure: the caller says which language the user writes in (`intents.language`); this decides
what text to show. A topic translated into that language (`translations:` in the YAML) gives
its translation; otherwise the English answer. The interface (`bot.i18n`) then adds one line
in the user's language saying the answer is only in English, so nobody wonders whether they
were understood.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from intents.language import DEFAULT_LANGUAGE, Language
from intents.models import Topic, Translation


@dataclass(frozen=True, slots=True)
class LocalizedAnswer:
    """What to show for a topic: the words and the language they are in."""

    title: str
    answer: str
    language: Language
    """The language of `title` and `answer` (not always the user's)."""


def localized_answer(topic: Topic, language: Language) -> LocalizedAnswer:
    """The topic's answer for someone writing in `language`."""
    # Keyed by the languages a topic can be translated into, a subset of `Language`:
    # reading with any other gives None, so widening the key type for a lookup is safe.
    translations = cast(Mapping[str, Translation], topic.translations)
    translation = translations.get(language)
    if translation is not None:
        return LocalizedAnswer(translation.title, translation.answer, language)
    return LocalizedAnswer(topic.title, topic.answer, DEFAULT_LANGUAGE)
