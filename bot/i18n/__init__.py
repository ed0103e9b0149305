"""The interface in the user's language: gettext catalogs, one translator per language.

Every sentence the bot says itself (welcome, buttons, prompts, notices, admin replies) is
written in English in the code and marked for extraction (`gettext`, `ngettext`, `N_`);
`bot/locale/<language>/LC_MESSAGES/ktbot.po` holds its translation. The README ("Languages")
says how to update the catalogs with pybabel. Answers are not here: they are knowledge, in the
YAML (`translations:`).
"""

from bot.i18n.catalogs import DOMAIN, LOCALE_DIR, catalog_languages
from bot.i18n.translator import INTERFACE_LANGUAGES, N_, Translator, translator

__all__ = [
    "DOMAIN",
    "INTERFACE_LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "Translator",
    "catalog_languages",
    "translator",
]
