"""The Telegram interface in the user's language, and /language to choose it.

A user whose Telegram app is in French (`language_code="fr"`) gets every interface string in
French; the knowledge base here has no French answers, so answers come in English under a
French line saying so.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage import Storage
from bot.telegram import callback_data as cd
from tests import telegram_updates as tg
from tests.bot_harness import ADMIN_ID, BotHarness, running_bot
from tests.bot_harness import bot as bot  # the fixture

pytestmark = pytest.mark.asyncio

FR = "fr"
ENGLISH_ONLY_FR = "Cette réponse n’existe qu’en anglais."


async def say(bot: BotHarness, text: str, **kwargs: object) -> str:
    await bot.send(tg.message(text, language_code=FR, **kwargs))  # type: ignore[arg-type]
    return bot.api.last_text()


async def press(bot: BotHarness, data: str, **kwargs: object) -> str:
    """Press a button as the French user; the toast Telegram shows, if any."""
    await bot.send(tg.press(data, language_code=FR, **kwargs))  # type: ignore[arg-type]
    answers = bot.api.sent("answerCallbackQuery")
    return str(answers[-1].get("text") or "") if answers else ""


def labels(bot: BotHarness) -> list[str]:
    return [text for text, _ in bot.api.buttons()]


def data_of(bot: BotHarness, prefix: str) -> list[str]:
    return [data for _, data in bot.api.buttons() if data.split("|")[0] == prefix]


# --- every interface string in French ------------------------------------------------------


async def test_start_welcomes_a_french_user_and_offers_the_categories_in_french(
    bot: BotHarness,
) -> None:
    text = await say(bot, "/start")

    assert text.endswith(
        "Sur quoi souhaitez-vous vous renseigner\u202f? Choisissez une catégorie\u00a0:"
    )


async def test_help_topics_and_unknown_commands_answer_in_french(bot: BotHarness) -> None:
    assert (await say(bot, "/help")).startswith(f"<i>{ENGLISH_ONLY_FR}</i>")
    assert (await say(bot, "/topics")).startswith("Sur quoi souhaitez-vous")
    assert (await say(bot, "/frobnicate")).startswith("Je ne connais pas cette commande.")


async def test_contact_offers_the_hand_off_button_in_french(bot: BotHarness) -> None:
    await say(bot, "/contact")

    assert labels(bot) == ["🙋 Parler à une personne"]


async def test_an_answer_says_it_is_in_english_and_its_buttons_thank_in_french(
    bot: BotHarness,
) -> None:
    text = await say(bot, "Qu'est-ce que MEDICIS ?")

    assert text.startswith(f"<i>{ENGLISH_ONLY_FR}</i>\n\n<b>CERN-MEDICIS</b>")
    assert "👤 Contact\u00a0: " in text
    assert "🙋 Parler à une personne" in labels(bot)
    assert await press(bot, data_of(bot, cd.FEEDBACK)[0]) == "Merci pour votre avis\u202f!"


async def test_did_you_mean_asks_and_offers_none_of_these_in_french(bot: BotHarness) -> None:
    text = await say(bot, "gantry")  # too short to tell: the app's language

    assert text.startswith("Je ne suis pas sûr")
    assert "Vouliez-vous dire" in text
    assert labels(bot)[-1] == "Aucun de ceux-ci"
    await press(bot, data_of(bot, cd.NONE_OF_THESE)[0])
    assert bot.api.last_text().startswith("Je suis désolé, je n’ai pas de réponse fiable")


async def test_the_fallback_and_its_buttons_are_in_french(bot: BotHarness) -> None:
    text = await say(bot, "Quelle est la recette de la tarte aux pommes ?")

    assert text.startswith("Je suis désolé, je n’ai pas de réponse fiable à cette question")
    assert "appuyez sur «\u00a0Parler à une personne\u00a0» ci-dessous" in text
    assert labels(bot) == ["📚 Parcourir les sujets", "🙋 Parler à une personne"]


async def test_the_hand_off_asks_consent_in_french(bot: BotHarness) -> None:
    await say(bot, "Quelle est la recette de la tarte aux pommes ?")
    await press(bot, data_of(bot, cd.HANDOFF)[0])

    assert "Êtes-vous d’accord\u202f?" in bot.api.last_text()
    assert "✖️ Non" in labels(bot)


async def test_the_rate_limit_notice_is_in_french(tmp_path: Path) -> None:
    async with running_bot(tmp_path, rate_limit_per_minute=2) as bot:
        for _ in range(4):
            await bot.send(tg.message("Qu'est-ce que MEDICIS ?", language_code=FR))
        notices = [p["text"] for p in bot.api.sent() if "Veuillez patienter" in p["text"]]

    assert notices == [
        "Vous envoyez des messages plus vite que je ne peux y répondre. "
        "Veuillez patienter un instant."
    ]


async def test_stickers_get_the_text_only_notice_in_french(bot: BotHarness) -> None:
    await bot.send(tg.message(extra=tg.STICKER, language_code=FR))

    assert bot.api.last_text().startswith("Je ne sais lire que les messages écrits.")


async def test_forget_asks_and_confirms_in_french(bot: BotHarness) -> None:
    await say(bot, "Qu'est-ce que MEDICIS ?")
    assert "Cette action est irréversible." in await say(bot, "/forget")
    assert labels(bot) == ["🗑 Oui, supprimer", "Conserver"]

    await press(bot, cd.encode(cd.FORGET, "y"))

    assert bot.api.last_text().startswith("C’est fait\u00a0: 1 enregistrement vous concernant")


async def test_an_admin_reviews_unanswered_questions_in_french(bot: BotHarness) -> None:
    await say(bot, "Quelle est la recette de la tarte aux pommes ?")
    await bot.send(tg.message("/unanswered", user_id=ADMIN_ID, language_code=FR))

    text = bot.api.last_text()
    assert text.startswith("<b>Questions sans réponse en attente</b> (1), page 1 sur 1")
    assert "[fr]" in text  # the language the question was written in


async def test_the_command_menu_is_registered_in_english_and_for_french_apps(
    bot: BotHarness,
) -> None:
    calls = [c for c in bot.api.sent("setMyCommands") if "scope" not in c]  # everyone's menu
    menus = {call.get("language_code"): call["commands"] for call in calls}

    assert set(menus) == {None, FR}
    english = {c["command"]: c["description"] for c in menus[None]}
    french = {c["command"]: c["description"] for c in menus[FR]}
    assert english.keys() == french.keys()
    assert english["help"] == "What I can do" and french["help"] == "Ce que je sais faire"


# --- /language -----------------------------------------------------------------------------


async def chosen(bot: BotHarness, user_id: int = 42) -> str | None:
    storage: Storage = bot.storage
    return await storage.user_language(bot.services.user_key(user_id))


async def test_language_offers_english_french_or_the_language_one_writes_in(
    bot: BotHarness,
) -> None:
    text = await say(bot, "/language")

    assert text.startswith("Dans quelle langue dois-je vous répondre\u202f?")
    assert labels(bot) == ["English", "Français", "🌐 La langue de mes messages"]


async def test_a_chosen_language_is_stored_and_wins_over_the_question_and_the_app(
    bot: BotHarness,
) -> None:
    await bot.send(tg.message("/language"))  # an app in English
    await bot.send(tg.press(cd.encode(cd.LANGUAGE, FR)))

    assert bot.api.last_text() == "Désormais, je vous répondrai en français."
    assert await chosen(bot) == FR
    await bot.send(tg.message("What is MEDICIS?"))
    assert bot.api.last_text().startswith(f"<i>{ENGLISH_ONLY_FR}</i>")
    await bot.send(tg.message("/topics"))
    assert bot.api.last_text().startswith("Sur quoi souhaitez-vous")


async def test_the_choice_survives_a_restart(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.send(tg.press(cd.encode(cd.LANGUAGE, FR)))
    async with running_bot(tmp_path) as bot:
        await bot.send(tg.message("/topics"))

        assert bot.api.last_text().startswith("Sur quoi souhaitez-vous")


async def test_choosing_the_language_one_writes_in_forgets_the_choice(bot: BotHarness) -> None:
    await bot.send(tg.press(cd.encode(cd.LANGUAGE, FR)))
    await bot.send(tg.press(cd.encode(cd.LANGUAGE, "auto")))

    assert await chosen(bot) is None
    assert bot.api.last_text() == "From now on, I will answer you in the language you write in."


async def test_forget_deletes_the_chosen_language(bot: BotHarness) -> None:
    await bot.send(tg.press(cd.encode(cd.LANGUAGE, FR)))
    await bot.send(tg.message("/forget"))
    assert "irréversible" in bot.api.last_text()

    await bot.send(tg.press(cd.encode(cd.FORGET, "y")))

    assert await chosen(bot) is None
    await bot.send(tg.message("/topics"))
    assert bot.api.last_text().startswith("What would you like to know about?")


async def test_each_question_is_recorded_with_the_language_it_is_written_in(
    bot: BotHarness,
) -> None:
    await bot.send(tg.press(cd.encode(cd.LANGUAGE, FR)))  # the reply's language, not the question's
    await bot.send(tg.message("what is medicis?"))
    await bot.send(tg.message("Quelle est la recette de la tarte aux pommes ?"))

    items = await bot.storage.unanswered()
    stats = await bot.storage.stats()
    assert [item.language for item in items] == [FR]
    assert dict(stats.by_language) == {"en": 1, "fr": 1}
