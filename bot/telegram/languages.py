"""Which language to speak to a Telegram user, and /language to choose it.

In order: the language the user chose with /language (stored under their pseudonym, deleted
by /forget), else that of their last question, else their Telegram app's, else English.
A question itself is answered in the chosen language, else in the one it is written in.
"""

from __future__ import annotations

import logging
from typing import Final

from telegram import Message, Update

from bot.i18n import INTERFACE_LANGUAGES, N_, Translator, translator
from bot.storage import StorageError
from bot.telegram import callback_data as cd
from bot.telegram import keyboards
from bot.telegram.context import Context
from intents import DEFAULT_LANGUAGE, Language, language_of_code

log = logging.getLogger(__name__)

AUTOMATIC: Final = "auto"

NAMES: Final[dict[str, str]] = {"en": "English", "fr": "Français"}
"""Each language named in itself, as language pickers do: not translated."""
CHOOSE = N_("In which language should I answer you?")
CURRENT_CHOSEN = N_("Now: {language}, as you chose.")
CURRENT_AUTOMATIC = N_("Now: the language you write in.")
AUTOMATIC_BUTTON = N_("🌐 The language I write in")
# NOTE: said in the language just chosen, so name the language of this catalog.
CHOSEN_DONE = N_("From now on, I will answer you in English.")
AUTOMATIC_DONE = N_("From now on, I will answer you in the language you write in.")
SAVE_FAILED = N_("Sorry, I could not save that right now.")


async def chosen_language(update: Update, context: Context) -> Language | None:
    """The language the user chose with /language, if any (read from storage once)."""
    data = context.user_data
    if data is not None and data.chosen_language is not None:
        return language_of_code(data.chosen_language)
    svc = context.bot_data
    user = update.effective_user
    if user is None:
        return None
    try:
        stored = await svc.storage.user_language(svc.user_key(user.id))
    except StorageError as exc:
        log.warning("could not read a user's language, using their messages': %s", exc)
        return None  # not cached: read again once the database is back
    if data is not None:
        data.chosen_language = stored or ""
    return language_of_code(stored)


async def user_language(update: Update, context: Context) -> Language:
    """The language for whatever is not an answer to a question typed just now."""
    chosen = await chosen_language(update, context)
    if chosen is not None:
        return chosen
    last = context.user_data.last_language if context.user_data is not None else None
    if last is not None:
        return last
    user = update.effective_user
    return language_of_code(user.language_code if user else None) or DEFAULT_LANGUAGE


async def user_translator(update: Update, context: Context) -> Translator:
    return translator(await user_language(update, context))


def remember_question_language(context: Context, language: Language) -> None:
    if context.user_data is not None:
        context.user_data.last_language = language


def forget_languages(context: Context) -> None:
    """After /forget: nothing about the user's languages is kept in memory either."""
    if context.user_data is not None:
        context.user_data.chosen_language = ""
        context.user_data.last_language = None


def _prompt(t: Translator, chosen: Language | None) -> str:
    current = (
        t.gettext(CURRENT_CHOSEN).format(language=NAMES[chosen])
        if chosen in NAMES
        else t.gettext(CURRENT_AUTOMATIC)
    )
    return f"{t.gettext(CHOOSE)}\n{current}"


def _choices(t: Translator) -> dict[str, str]:
    return {
        **{code: NAMES[code] for code in INTERFACE_LANGUAGES},
        AUTOMATIC: t.gettext(AUTOMATIC_BUTTON),
    }


async def language_command(update: Update, context: Context) -> None:
    """Offer English, French, or the language of each message."""
    message = update.effective_message
    if message is None:
        return
    t = await user_translator(update, context)
    chosen = await chosen_language(update, context)
    await message.reply_html(
        _prompt(t, chosen), reply_markup=keyboards.language_keyboard(_choices(t))
    )


async def on_button(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    """Store the choice and confirm it in the chosen language."""
    query = update.callback_query
    assert query is not None
    svc = context.bot_data
    choice = language_of_code(data.arg(0))
    if choice is not None and choice not in INTERFACE_LANGUAGES:
        choice = None
    try:
        await svc.storage.set_user_language(svc.user_key(query.from_user.id), choice)
    except StorageError as exc:
        log.error("could not store a user's language: %s", exc)
        return (await user_translator(update, context)).gettext(SAVE_FAILED)
    if context.user_data is not None:
        context.user_data.chosen_language = choice or ""
    t = await user_translator(update, context)
    done = CHOSEN_DONE if choice is not None else AUTOMATIC_DONE
    if isinstance(query.message, Message):
        await query.edit_message_text(t.gettext(done))
    return None
