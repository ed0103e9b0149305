"""Text users (and staff) typed reaches Telegram as text, never as markup.

Every message the bot sends with parse_mode HTML and someone else's words in it: the
consent question, the enquiry forwarded to staff (name and question), the staff reply
relayed to the user, and the admin listings of unanswered questions (/unanswered, /stats,
the weekly digest). Each test puts markup in those words and checks it arrives escaped: a
removed escape shows up as a raw tag here (and as a refused message or a forged link on
Telegram).
"""

from __future__ import annotations

from typing import Any

import pytest
from telegram.ext import CallbackContext

from bot.telegram import admin
from bot.telegram import callback_data as cd
from tests import telegram_updates as tg
from tests.bot_harness import ADMIN_ID, STAFF_CHAT_ID, BotHarness, texts_to
from tests.bot_harness import bot as bot  # the fixture

pytestmark = pytest.mark.asyncio

QUESTION = 'how much does a cyclotron cost <b>today</b> & <a href="https://evil.example">here</a>'
ESCAPED = (
    "how much does a cyclotron cost &lt;b&gt;today&lt;/b&gt; &amp; "
    "&lt;a href=&quot;https://evil.example&quot;&gt;here&lt;/a&gt;"
)
NAME = "<i>Ada</i> & co"


def assert_escaped(text: str) -> None:
    assert ESCAPED in text
    assert "<b>today</b>" not in text and 'evil.example">' not in text


def pressed_by_named_user(data: str) -> dict[str, Any]:
    update = tg.press(data)
    update["callback_query"]["from"]["first_name"] = NAME
    return update


async def ask_and_consent(bot: BotHarness) -> None:
    await bot.send(tg.message(QUESTION))
    handoff = next(d for _, d in bot.api.buttons() if d.startswith(cd.HANDOFF + "|"))
    await bot.send(tg.press(handoff))
    consent = next(d for _, d in bot.api.buttons() if d.endswith("|y"))
    await bot.send(pressed_by_named_user(consent))


async def test_the_consent_question_shows_the_users_markup_as_text(bot: BotHarness) -> None:
    await bot.send(tg.message(QUESTION))
    handoff = next(d for _, d in bot.api.buttons() if d.startswith(cd.HANDOFF + "|"))

    await bot.send(tg.press(handoff))

    consent = bot.api.last_text()
    assert "Do you agree?" in consent
    assert_escaped(consent)


async def test_the_enquiry_forwarded_to_staff_shows_the_question_and_name_as_text(
    bot: BotHarness,
) -> None:
    await ask_and_consent(bot)

    [forwarded] = texts_to(bot, STAFF_CHAT_ID)
    assert_escaped(forwarded)
    assert "&lt;i&gt;Ada&lt;/i&gt; &amp; co" in forwarded and "<i>Ada</i>" not in forwarded


async def test_a_staff_reply_reaches_the_user_as_text(bot: BotHarness) -> None:
    await ask_and_consent(bot)
    staff_reply = tg.message(
        "Call <b>us</b> & ask",
        user_id=ADMIN_ID,
        chat_id=STAFF_CHAT_ID,
        chat_type="supergroup",
        reply_to=tg.bot_message(STAFF_CHAT_ID, enquiry_message_id(bot)),
    )

    await bot.send(staff_reply)

    relayed = texts_to(bot, 42)[-1]
    assert "Call &lt;b&gt;us&lt;/b&gt; &amp; ask" in relayed and "<b>us</b>" not in relayed


def enquiry_message_id(bot: BotHarness) -> int:
    """The message id the fake API (numbering from 101) gave the enquiry sent to staff."""
    message_id = 100
    for call in bot.api.calls:
        if call.method in ("sendMessage", "editMessageText"):
            message_id += 1
            if call.method == "sendMessage" and call.params["chat_id"] == STAFF_CHAT_ID:
                return message_id
    raise AssertionError("nothing was forwarded to the staff chat")


async def test_admin_unanswered_lists_the_question_as_text(bot: BotHarness) -> None:
    await bot.send(tg.message(QUESTION))

    await bot.send(tg.message("/unanswered", user_id=ADMIN_ID))

    assert_escaped(texts_to(bot, ADMIN_ID)[-1])


async def test_admin_stats_list_the_question_as_text(bot: BotHarness) -> None:
    await bot.send(tg.message(QUESTION))

    await bot.send(tg.message("/stats", user_id=ADMIN_ID))

    stats = texts_to(bot, ADMIN_ID)[-1]
    assert "&lt;b&gt;today&lt;/b&gt;" in stats and "<b>today</b>" not in stats


async def test_the_weekly_digest_lists_the_question_as_text(bot: BotHarness) -> None:
    await bot.send(tg.message(QUESTION))

    await admin.weekly_digest(CallbackContext(bot.app))

    digest = texts_to(bot, ADMIN_ID)[-1]
    assert "&lt;b&gt;today&lt;/b&gt;" in digest and "<b>today</b>" not in digest
