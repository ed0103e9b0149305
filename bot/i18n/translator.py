"""A translator per language: what handlers and renderers call for every interface string."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from functools import cache
from typing import Final

from bot.i18n.catalogs import load_catalog
from intents import DEFAULT_LANGUAGE, LANGUAGES, Language, language_of_code

INTERFACE_LANGUAGES: Final[tuple[Language, ...]] = ("en", "fr")
"""The languages of the whole interface, offered by /language. German, Italian and Spanish
speakers get the English interface; their catalogs translate only the line saying that an
answer exists in English only."""


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; it is translated where it is shown."""
    return message


@dataclass(frozen=True, slots=True)
class Translator:
    """The interface strings of one language."""

    language: Language
    catalog: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        return self.catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.catalog.ngettext(singular, plural, count)


@cache
def translator(language: str | None) -> Translator:
    """The translator for a language or Telegram language code ("fr", "fr-CH"); English for
    anything else."""
    chosen = language_of_code(language) or DEFAULT_LANGUAGE
    assert chosen in LANGUAGES
    return Translator(chosen, load_catalog(chosen))
