"""End to end in French: `ktbot run` against the Bot API emulator, played by a user whose
Telegram app is in French. Nothing the bot says in its own words may reach them in English.

"In English" is decided by the interface catalog itself: every msgid of the French catalog,
its markup and placeholders taken out, is a phrase a French user must never see, unless its
French translation says the same ("Contact", "MEDICIS").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.bot_process import BotProcess
from tests.e2e_helpers import WAIT, text_of
from tests.e2e_helpers import ktbot as ktbot  # the fixture
from tests.emulator import BotApiEmulator, StoredMessage, User

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]

FRENCH_CATALOG = Path(__file__).resolve().parent.parent / "bot/locale/fr/LC_MESSAGES/ktbot.po"
MIN_PHRASE = 6
"""Shorter pieces of a msgid ("Keep", "« Back") are compared as whole button labels only:
inside a message they could be a word of the knowledge base's own text."""


def english_interface() -> tuple[set[str], set[str]]:
    """The English catalog as (phrases that may not appear anywhere, whole strings that may
    not be a button label)."""
    with FRENCH_CATALOG.open("rb") as source:
        catalog = read_po(source)
    phrases: set[str] = set()
    whole: set[str] = set()
    for message in catalog:
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        assert message.string is not None  # read_po gives every message one, "" if untranslated
        strings = (message.string,) if isinstance(message.string, str) else message.string
        french = " ".join(strings)
        for msgid in filter(None, ids):
            text = re.sub(r"<[^>]+>", "", msgid)
            whole.add(text)
            for piece in re.split(r"\{[^}]*\}|\n", text):
                # URLs and command names are the same in every language.
                piece = re.sub(r"https?://\S+|/\w+", "", piece)
                piece = re.sub(r"^\W+|\W+$", "", piece)  # emoji, quotes, punctuation
                if len(piece) >= MIN_PHRASE and piece not in french:
                    phrases.add(piece)
    return phrases, whole


def english_seen(texts: list[str], labels: list[str]) -> list[str]:
    phrases, whole = english_interface()
    found = [p for p in phrases for text in texts if p in text]
    found += [label for label in labels if label in whole]
    return sorted(set(found))


async def next_message(api: BotApiEmulator, user: User) -> StoredMessage:
    return await api.wait_for_message(user, timeout=WAIT)


async def test_a_french_user_gets_welcome_answers_buttons_fallback_and_hand_off_in_french(
    bot_api: BotApiEmulator, ktbot: BotProcess
) -> None:
    marie = bot_api.new_user(first_name="Marie", language_code="fr")
    seen: list[StoredMessage] = []
    notices: list[str] = []

    bot_api.user_starts_bot(marie)
    welcome = await next_message(bot_api, marie)
    seen.append(welcome)
    bot_api.user_sends_text(
        marie, None, "Comment obtenir une licence pour une technologie du CERN ?"
    )
    answer = await next_message(bot_api, marie)
    seen.append(answer)
    bot_api.user_sends_text(marie, None, "gantry")  # too short to tell: her app's language
    seen.append(await next_message(bot_api, marie))
    bot_api.user_sends_text(marie, None, "Quel temps fera-t-il demain à Genève ?")
    fallback = await next_message(bot_api, marie)
    seen.append(fallback)
    talk = next(b for b in fallback.buttons if b.get("callback_data", "").startswith("h|"))
    press = bot_api.user_presses_button(marie, fallback, talk["callback_data"])
    notices.append((await bot_api.wait_for_callback_answer(press, timeout=WAIT)).get("text") or "")
    consent = await next_message(bot_api, marie)
    seen.append(consent)

    assert "Choisissez une catégorie" in text_of(welcome)
    assert "licence" in text_of(answer).lower() and "Contact\u00a0:" in text_of(answer)
    assert text_of(fallback).startswith("Je suis désolé, je n’ai pas de réponse fiable")
    assert talk["text"] == "🙋 Parler à une personne"
    assert "Êtes-vous d’accord" in text_of(consent)
    texts = [m.text or "" for m in seen] + notices
    labels = [b["text"] for m in seen for b in m.buttons]
    assert labels, "the replies offer buttons"
    assert english_seen(texts, labels) == []


async def test_the_command_menu_is_registered_in_english_and_in_french(
    bot_api: BotApiEmulator, ktbot: BotProcess
) -> None:
    english = {c["command"]: c["description"] for c in bot_api.commands_for()}
    french = {c["command"]: c["description"] for c in bot_api.commands_for(language_code="fr")}

    assert english.keys() == french.keys() >= {"start", "help", "language", "forget"}
    assert english["language"] == "Answer in English or in French"
    assert french["language"] == "Répondre en anglais ou en français"
    marie = bot_api.new_user(first_name="Marie", language_code="fr")
    assert {c["description"] for c in bot_api.commands_seen_by(marie)} == set(french.values())
