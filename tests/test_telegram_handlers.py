"""The Telegram adapter, driven through PTB's real Application and a fake Bot API."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.storage import ReviewState
from bot.telegram import callback_data as cd
from bot.telegram import questions
from tests import telegram_updates as tg
from tests.bot_harness import ADMIN_ID, STAFF_CHAT_ID, BotHarness, callbacks, running_bot
from tests.bot_harness import bot as bot  # the fixture

pytestmark = pytest.mark.asyncio


async def test_startup_registers_the_command_menu(bot: BotHarness) -> None:
    commands = bot.api.sent("setMyCommands")[0]["commands"]
    assert {c["command"] for c in commands} >= {"start", "help", "topics", "contact", "forget"}


async def test_start_welcomes_and_offers_the_topic_browser(bot: BotHarness) -> None:
    await bot.send(tg.message("/start"))
    assert "medical applications" in bot.api.last_text()
    assert cd.encode(cd.CATEGORY, "projects") in callbacks(bot)


async def test_start_deep_link_opens_that_topic(bot: BotHarness) -> None:
    await bot.send(tg.message("/start project__medicis"))
    assert "<b>CERN-MEDICIS</b>" in bot.api.last_text()


async def test_question_gets_escaped_html_answer_with_links_and_buttons(bot: BotHarness) -> None:
    await bot.send(tg.message("what is medicis?"))
    sent = bot.api.sent()[-1]
    assert sent["parse_mode"] == "HTML"
    assert "<b>CERN-MEDICIS</b>" in sent["text"]
    # A link title containing '<' is escaped, the URL becomes a real link.
    assert '<a href="https://kt.cern/medtech/medicis">MEDICIS &lt;page&gt;</a>' in sent["text"]
    assert "kt.cern" in sent["text"]  # the contact pointer
    data = callbacks(bot)
    assert cd.encode(cd.RELATED, "route.licensing") in data
    assert any(d.startswith(cd.FEEDBACK + "|") for d in data)


async def test_typing_indicator_is_shown_while_a_slow_answer_is_prepared(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = bot.services.conversation
    ask = conversation.ask

    async def slow_ask(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(questions.TYPING_AFTER_SECONDS + 0.2)  # e.g. a busy database
        return await ask(*args, **kwargs)

    monkeypatch.setattr(conversation, "ask", slow_ask)
    await bot.send(tg.message("what is medicis?"))
    methods = [c.method for c in bot.api.calls]
    assert methods.index("sendChatAction") < methods.index("sendMessage")
    assert bot.api.sent("sendChatAction")[-1]["action"] == "typing"
    assert "<b>CERN-MEDICIS</b>" in bot.api.last_text()


async def test_an_instant_answer_is_not_preceded_by_a_typing_flash(bot: BotHarness) -> None:
    await bot.send(tg.message("what is medicis?"))
    assert bot.api.sent("sendChatAction") == []
    assert "<b>CERN-MEDICIS</b>" in bot.api.last_text()


async def test_answer_is_recorded_once_even_if_the_update_is_redelivered(
    bot: BotHarness,
) -> None:
    update = tg.message("what is medicis?", update_id=555)
    await bot.send(update)
    await bot.send(update)
    stats = await bot.storage.stats(None)
    assert stats.total == 1


async def test_fallback_is_honest_offers_a_person_and_logs_the_question(bot: BotHarness) -> None:
    await bot.send(tg.message("what is the weather in Geneva tomorrow"))
    text = bot.api.last_text()
    assert "don’t have a reliable answer" in text
    data = callbacks(bot)
    assert any(d.startswith(cd.HANDOFF + "|") for d in data)
    assert cd.encode(cd.HOME) in data
    open_items = await bot.storage.unanswered(state=ReviewState.OPEN)
    assert [i.question for i in open_items] == ["what is the weather in Geneva tomorrow"]


async def test_ambiguous_question_offers_choices_and_records_the_one_chosen(
    bot: BotHarness,
) -> None:
    await bot.send(tg.message("superconducting gantry"))
    choices = [d for d in callbacks(bot) if d.startswith(cd.CHOOSE + "|")]
    assert len(choices) >= 2, bot.api.last_text()
    exchange_id = int(choices[0].split("|")[1])
    await bot.send(tg.press(choices[1]))
    exchange = await bot.storage.exchange(exchange_id)
    assert exchange is not None and exchange.choice == choices[1].split("|")[2]
    assert bot.api.calls[-2].method == "editMessageText"  # the question becomes the answer


async def test_a_follow_up_pointing_back_answers_about_the_previous_question(
    bot: BotHarness,
) -> None:
    await bot.send(tg.message("What is MEDICIS?"))
    await bot.send(tg.message("Can we license it?"))
    assert "<b>CERN-MEDICIS</b>" in bot.api.last_text(), bot.api.last_text()


async def test_a_follow_up_after_a_did_you_mean_choice_is_about_the_topic_chosen(
    bot: BotHarness,
) -> None:
    await bot.send(tg.message("superconducting gantry"))
    choices = [d for d in callbacks(bot) if d.startswith(cd.CHOOSE + "|")]
    chosen = next(d for d in choices if d.endswith("|project.gantry-collaboration"))
    await bot.send(tg.press(chosen))
    await bot.send(tg.message("Who do I contact about it?"))
    assert "<b>Superconducting gantry collaboration</b>" in bot.api.last_text()


async def test_feedback_buttons_record_the_vote_with_the_exchange(bot: BotHarness) -> None:
    await bot.send(tg.message("what is medicis?"))
    thumbs_up = next(d for d in callbacks(bot) if d.startswith(cd.FEEDBACK) and d.endswith("|1"))
    await bot.send(tg.press(thumbs_up))
    exchange = await bot.storage.exchange(int(thumbs_up.split("|")[1]))
    assert exchange is not None and exchange.helpful is True
    assert bot.api.sent("answerCallbackQuery")[-1]["text"] == "Thanks for your feedback!"


async def test_topic_browser_edits_the_message_in_place(bot: BotHarness) -> None:
    await bot.send(tg.message("/topics"))
    await bot.send(tg.press(cd.encode(cd.CATEGORY, "projects")))
    edit = bot.api.sent("editMessageText")[-1]
    assert "Medical projects" in edit["text"]
    assert cd.encode(cd.SHOW_TOPIC, "project.medicis") in [d for _, d in bot.api.buttons(edit)]
    await bot.send(tg.press(cd.encode(cd.SHOW_TOPIC, "project.medicis")))
    assert "<b>CERN-MEDICIS</b>" in bot.api.sent("editMessageText")[-1]["text"]


async def test_html_in_a_question_is_never_echoed_unescaped(bot: BotHarness) -> None:
    await bot.send(tg.message("<b>hi</b><script>alert(1)</script> & medicis?"))
    for params in bot.api.sent():
        assert "<script>" not in params["text"]


@pytest.mark.parametrize("content", [tg.STICKER, tg.PHOTO, tg.VOICE, tg.LOCATION, tg.DOCUMENT])
async def test_non_text_messages_get_a_polite_text_only_notice(
    bot: BotHarness, content: dict
) -> None:
    await bot.send(tg.message(None, extra=content))
    assert "I can only read text messages" in bot.api.last_text()
    assert (await bot.storage.stats(None)).total == 0


async def test_edited_messages_are_not_answered_again(bot: BotHarness) -> None:
    original = tg.message("what is medicis?")
    await bot.send(original)
    bot.api.reset()
    edit = {"message_id": original["message"]["message_id"]}
    await bot.send(tg.message("what is medicis?", edited=True, extra=edit))  # text unchanged
    assert bot.api.sent() == []


async def test_long_message_is_answered_and_says_it_was_cut(bot: BotHarness) -> None:
    await bot.send(tg.message("medicis " * 600))
    assert "first 4,096 characters" in bot.api.last_text()


async def test_group_messages_are_answered_only_when_addressed(bot: BotHarness) -> None:
    await bot.send(tg.message("what is medicis?", chat_type="group", chat_id=-42))
    assert bot.api.sent() == []
    await bot.send(tg.mention("what is medicis?", chat_id=-42))
    assert "<b>CERN-MEDICIS</b>" in bot.api.last_text()
    reply_to_bot = tg.bot_message(-42, 7)
    await bot.send(
        tg.message("and licensing?", chat_type="group", chat_id=-42, reply_to=reply_to_bot)
    )
    assert len(bot.api.sent()) == 2


async def test_a_flood_gets_one_polite_slow_down_and_is_not_all_recorded(tmp_path: Path) -> None:
    async with running_bot(tmp_path, rate_limit_per_minute=6) as bot:
        for _ in range(50):
            await bot.send(tg.message("what is medicis?"))
        texts = [p["text"] for p in bot.api.sent()]
        assert sum("faster than I can answer" in t for t in texts) == 1
        assert (await bot.storage.stats(None)).total <= 4


async def test_admin_commands_reveal_nothing_to_other_users(bot: BotHarness) -> None:
    for command in ("/reload", "/unanswered", "/stats"):
        await bot.send(tg.message(command, user_id=42))
        assert "don’t know that command" in bot.api.last_text()


async def test_admin_reload_with_a_broken_file_reports_path_and_line_and_keeps_serving(
    bot: BotHarness,
) -> None:
    broken = bot.settings.knowledge_dir / "topics" / "broken.yaml"
    broken.write_text("topics:\n  - id: x\n    title: [unclosed\n", encoding="utf-8")
    await bot.send(tg.message("/reload", user_id=ADMIN_ID))
    report = bot.api.last_text()
    assert "NOT reloaded" in report and "broken.yaml:" in report
    await bot.send(tg.message("what is medicis?"))
    assert "<b>CERN-MEDICIS</b>" in bot.api.last_text()


async def test_admin_unanswered_lists_questions_and_ignores_one_by_button(
    bot: BotHarness,
) -> None:
    await bot.send(tg.message("how much does a cyclotron cost"))
    await bot.send(tg.message("/unanswered", user_id=ADMIN_ID))
    assert "how much does a cyclotron cost" in bot.api.last_text()
    ignore = next(d for d in callbacks(bot) if d.startswith(cd.ADMIN_IGNORE))
    await bot.send(tg.press(ignore, user_id=ADMIN_ID))
    assert await bot.storage.unanswered(state=ReviewState.OPEN) == []


async def test_talk_to_a_person_asks_consent_forwards_and_relays_the_staff_reply(
    bot: BotHarness,
) -> None:
    await bot.send(tg.message("how much does a cyclotron cost"))
    handoff = next(d for d in callbacks(bot) if d.startswith(cd.HANDOFF + "|"))
    await bot.send(tg.press(handoff))
    assert "Do you agree?" in bot.api.last_text()
    assert bot.api.sent()[-1]["chat_id"] != STAFF_CHAT_ID
    consent = next(d for d in callbacks(bot) if d.endswith("|y"))
    await bot.send(tg.press(consent))
    forwarded = next(p for p in bot.api.sent() if p["chat_id"] == STAFF_CHAT_ID)
    assert "how much does a cyclotron cost" in forwarded["text"] and "@ada" in forwarded["text"]
    staff_msg = await _forwarded_message_id(bot)
    reply = tg.message(
        "We will call you tomorrow.",
        user_id=ADMIN_ID,
        chat_id=STAFF_CHAT_ID,
        chat_type="supergroup",
        reply_to=tg.bot_message(STAFF_CHAT_ID, staff_msg),
    )
    await bot.send(reply)
    relayed = [p for p in bot.api.sent() if p["chat_id"] == 42][-1]
    assert "We will call you tomorrow." in relayed["text"]


async def _forwarded_message_id(bot: BotHarness) -> int:
    """The message id the fake API gave the enquiry posted to the staff chat."""
    message_id = 100
    for call in bot.api.calls:
        if call.method == "sendMessage":
            message_id += 1
            if call.params["chat_id"] == STAFF_CHAT_ID:
                return message_id
        elif call.method == "editMessageText":
            message_id += 1
    raise AssertionError("nothing was forwarded to the staff chat")


async def test_declining_the_hand_off_shares_nothing(bot: BotHarness) -> None:
    await bot.send(tg.message("how much does a cyclotron cost"))
    handoff = next(d for d in callbacks(bot) if d.startswith(cd.HANDOFF + "|"))
    await bot.send(tg.press(handoff))
    decline = next(d for d in callbacks(bot) if d.endswith("|n"))
    await bot.send(tg.press(decline))
    assert all(p["chat_id"] != STAFF_CHAT_ID for p in bot.api.sent())
    assert "nothing was shared" in bot.api.last_text()


async def test_forget_deletes_everything_after_confirmation(bot: BotHarness) -> None:
    await bot.send(tg.message("what is medicis?"))
    await bot.send(tg.message("how much does a cyclotron cost"))
    await bot.send(tg.message("/forget"))
    assert "cannot be undone" in bot.api.last_text()
    await bot.send(tg.press(cd.encode(cd.FORGET, "y")))
    assert "deleted" in bot.api.last_text()
    assert (await bot.storage.stats(None)).total == 0


async def test_a_user_who_blocked_the_bot_is_logged_and_the_bot_carries_on(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    bot.api.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")
    with caplog.at_level(logging.INFO):
        await bot.send(tg.message("what is medicis?"))
    assert "blocked the bot" in caplog.text
    await bot.send(tg.message("what is medicis?", user_id=43))
    assert "<b>CERN-MEDICIS</b>" in bot.api.last_text()


async def test_telegram_rate_limit_is_retried_after_the_requested_delay(bot: BotHarness) -> None:
    bot.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await bot.send(tg.message("what is medicis?"))
    assert len(bot.api.sent()) == 2  # refused once, then delivered
    assert "<b>CERN-MEDICIS</b>" in bot.api.last_text()


async def test_a_renamed_topic_still_opens_from_old_deep_links_and_buttons(
    bot: BotHarness,
) -> None:
    projects = bot.settings.knowledge_dir / "topics" / "projects.yaml"
    routes = bot.settings.knowledge_dir / "topics" / "routes.yaml"
    projects.write_text(
        projects.read_text(encoding="utf-8").replace(
            "  - id: project.medicis\n",
            "  - id: project.cern-medicis\n    former_ids: [project.medicis]\n",
        ),
        encoding="utf-8",
    )
    routes.write_text(
        routes.read_text(encoding="utf-8").replace(
            "related: [project.medicis]", "related: [project.cern-medicis]"
        ),
        encoding="utf-8",
    )
    assert bot.services.knowledge.reload().ok
    assert "project.medicis" not in bot.services.knowledge.kb.topics

    await bot.send(tg.message("/start project__medicis"))  # a link shared before the rename
    assert "<b>CERN-MEDICIS</b>" in bot.api.last_text()
    before = len(bot.api.sent())
    await bot.send(tg.press(cd.encode(cd.RELATED, "project.medicis")))  # an old button
    assert len(bot.api.sent()) == before + 1
    assert "<b>CERN-MEDICIS</b>" in bot.api.last_text()
