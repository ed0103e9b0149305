"""A topic's title and answer in the user's language, or in English with a notice saying so.

Pure: the caller says which language the user writes in (`intents.text.language`); this decides
what text to show. A topic translated into that language (`translations:` in the YAML) gives
its translation; otherwise the English answer. The interface (`bot.i18n`) then adds one line
in the user's language saying the answer is only in English, so nobody wonders whether they
were understood.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar, cast

from intents.knowledge.models import Category, LanguageCode, Link, Topic
from intents.text.language import DEFAULT_LANGUAGE, Language

_T = TypeVar("_T")


def _translation(translations: Mapping[LanguageCode, _T], language: Language) -> _T | None:
    """The entry's translation into `language`, if it has one."""
    # Keyed by the languages an entry can be translated into, a subset of `Language`:
    # reading with any other gives None, so widening the key type for a lookup is safe.
    return cast(Mapping[str, _T], translations).get(language)


@dataclass(frozen=True, slots=True)
class LocalizedAnswer:
    """What to show for a topic: the words and the language they are in."""

    title: str
    answer: str
    language: Language
    """The language of `title` and `answer` (not always the user's)."""


def localized_answer(topic: Topic, language: Language) -> LocalizedAnswer:
    """The topic's answer for someone writing in `language`."""
    translation = _translation(topic.translations, language)
    if translation is not None:
        return LocalizedAnswer(translation.title, translation.answer, language)
    return LocalizedAnswer(topic.title, topic.answer, DEFAULT_LANGUAGE)


@dataclass(frozen=True, slots=True)
class LocalizedCategory:
    """What the topic browser shows for a category, in the user's language if translated."""

    title: str
    description: str
    language: Language


def localized_category(category: Category, language: Language) -> LocalizedCategory:
    """The category's title and description for someone reading `language`."""
    translation = _translation(category.translations, language)
    if translation is not None:
        return LocalizedCategory(translation.title, translation.description, language)
    return LocalizedCategory(category.title, category.description, DEFAULT_LANGUAGE)


def link_title(link: Link, language: Language) -> str:
    """The link's title for someone reading `language` (English when not translated)."""
    translation = _translation(link.translations, language)
    return translation.title if translation is not None else link.title
