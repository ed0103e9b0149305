"""Issue 13 items 6 and 7 in the Telegram adapter: no dead ends, readable on a phone.

Driven like `tests/test_telegram_handlers.py`: PTB's real Application and a fake Bot API.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.message_split import telegram_length
from bot.rendering import SCREEN_CHARS
from bot.telegram import admin, keyboards
from bot.telegram import callback_data as cd
from tests import telegram_updates as tg
from tests.bot_harness import ADMIN_ID, BotHarness, callbacks, running_bot
from tests.bot_harness import bot as bot  # the fixture

pytestmark = pytest.mark.asyncio


@pytest.fixture
async def bot_without_staff(tmp_path: Path):
    async with running_bot(tmp_path, staff_chat_id=None) as harness:
        yield harness


# --- B9: no staff chat, no button to point to -------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "what is the price list for beam time on mars",  # the fallback
        "how do I reach the knowledge transfer team",  # the contact topic, typed
        "/contact",
    ],
)
async def test_without_a_staff_chat_no_reply_mentions_the_missing_button(
    bot_without_staff: BotHarness, text: str
) -> None:
    await bot_without_staff.send(tg.message(text))
    sent = bot_without_staff.api.last_text()
    assert "Talk to a person" not in sent
    assert not any(d.startswith(cd.HANDOFF + "|") for d in callbacks(bot_without_staff))
    assert "https://kt.cern/" in sent  # the public way to reach a person


async def test_without_a_staff_chat_contact_gives_the_public_contact_page(
    bot_without_staff: BotHarness,
) -> None:
    await bot_without_staff.send(tg.message("/contact"))
    sent = bot_without_staff.api.sent()[-1]
    assert "contact page" in sent["text"]
    assert '<a href="https://kt.cern/">CERN Knowledge Transfer</a>' in sent["text"]


async def test_with_a_staff_chat_the_fallback_still_points_to_the_button(bot: BotHarness) -> None:
    await bot.send(tg.message("what is the price list for beam time on mars"))
    assert "Talk to a person" in bot.api.last_text()
    assert any(d.startswith(cd.HANDOFF + "|") for d in callbacks(bot))


# --- R6: unknown deep links and buttons of a removed topic ------------------------------------


async def test_an_unknown_deep_link_opens_the_topic_browser_saying_why(bot: BotHarness) -> None:
    await bot.send(tg.message("/start nonexistent__topic"))
    sent = bot.api.sent()[-1]
    assert "does not exist" in sent["text"]
    assert "medical applications" not in sent["text"]  # not the generic welcome, silently
    assert cd.encode(cd.CATEGORY, "projects") in callbacks(bot)


@pytest.mark.parametrize(
    ("data", "method", "why"),
    [
        (cd.encode(cd.SHOW_TOPIC, "project.removed"), "editMessageText", "topic no longer"),
        (cd.encode(cd.CHOOSE, 0, "project.removed"), "editMessageText", "topic no longer"),
        (cd.encode(cd.MORE, "project.removed"), "editMessageText", "topic no longer"),
        (cd.encode(cd.CATEGORY, "removed"), "editMessageText", "category no longer"),
        # Under an answer: the answer stays, the browser comes as a new message.
        (cd.encode(cd.RELATED, "project.removed"), "sendMessage", "topic no longer"),
    ],
)
async def test_a_button_of_a_removed_topic_leads_to_the_topic_browser(
    bot: BotHarness, data: str, method: str, why: str
) -> None:
    await bot.send(tg.press(data))
    call = bot.api.calls[-2] if bot.api.calls[-1].method == "answerCallbackQuery" else None
    assert call is not None and call.method == method
    assert why in call.params["text"]
    assert "Choose a category" in call.params["text"]
    assert cd.encode(cd.CATEGORY, "projects") in callbacks(bot)


# --- R13: captions, edits, a typed 👍 ---------------------------------------------------------


async def test_a_photo_with_a_question_as_caption_is_answered(bot: BotHarness) -> None:
    await bot.send(tg.message(extra={**tg.PHOTO, "caption": "what is MEDICIS?"}))
    assert "<b>CERN-MEDICIS</b>" in bot.api.last_text()


async def test_a_photo_captioned_with_a_mention_in_a_group_is_answered(bot: BotHarness) -> None:
    handle = "@ktbot_test_bot"
    caption = {"caption": f"{handle} what is MEDICIS?"}
    entities = {"caption_entities": [{"type": "mention", "offset": 0, "length": len(handle)}]}
    await bot.send(
        tg.message(chat_type="group", chat_id=-77, extra={**tg.PHOTO, **caption, **entities})
    )
    assert "<b>CERN-MEDICIS</b>" in bot.api.last_text()


async def test_an_edited_question_is_answered_once_per_text(bot: BotHarness) -> None:
    original = tg.message("waht is the capital of mars")
    await bot.send(original)
    message_id = original["message"]["message_id"]
    assert "CERN-MEDICIS" not in bot.api.last_text()
    edit = tg.message("what is MEDICIS?", edited=True, extra={"message_id": message_id})
    await bot.send(edit)
    assert "<b>CERN-MEDICIS</b>" in bot.api.last_text()
    count = len(bot.api.sent())
    again = tg.message("what is MEDICIS?", edited=True, extra={"message_id": message_id})
    await bot.send(again)  # e.g. Telegram reports an edit that left the text as it was
    assert len(bot.api.sent()) == count


@pytest.mark.parametrize(("typed", "expected"), [("👍", "Glad"), ("👍🏽", "Glad"), ("👎", "Sorry")])
async def test_a_thumb_typed_as_text_is_taken_as_feedback(
    bot: BotHarness, typed: str, expected: str
) -> None:
    await bot.send(tg.message(typed))
    sent = bot.api.last_text()
    assert expected in sent
    assert "type your question in words" not in sent


# --- R1: one phone screen, "More" in place; labels cut at a word ------------------------------

LONG_TOPIC = """
topics:
  - id: project.long
    title: A very long project description for a small phone screen indeed
    category: projects
    questions:
      - tell me everything about the long project
      - the long project in detail
      - what is the long project
    answer: |
      The long project designs compact accelerators for hospitals;
      this first paragraph says what it is.

      {filler}

      {filler}

      The last paragraph says how to take part.
    links:
      - title: Long project page
        url: https://kt.cern/long
    contacts: [kt]
"""


@pytest.fixture
async def bot_with_long_answer(tmp_path: Path):
    async with running_bot(tmp_path) as harness:
        filler = "Details that a reader on a phone can open when they want them. " * 5
        path = harness.settings.knowledge_dir / "topics" / "long.yaml"
        path.write_text(LONG_TOPIC.format(filler=filler.strip()), encoding="utf-8")
        report = harness.services.knowledge.reload()
        assert "project.long" in harness.services.knowledge.kb.topics, report
        yield harness


async def test_a_long_answer_shows_its_first_paragraph_with_more_then_all_in_place(
    bot_with_long_answer: BotHarness,
) -> None:
    bot = bot_with_long_answer
    await bot.send(tg.message("tell me everything about the long project"))
    sent = bot.api.sent()[-1]
    assert "this first paragraph says what it is" in sent["text"]
    assert "how to take part" not in sent["text"]
    assert "CERN Knowledge Transfer" in sent["text"]  # the contact stays on the first screen
    assert telegram_length(sent["text"]) <= SCREEN_CHARS
    labels = [label for label, _ in bot.api.buttons()]
    more = cd.encode(cd.MORE, "project.long")
    assert more in callbacks(bot) and "More ▾" in labels
    assert any(d.startswith(cd.FEEDBACK + "|") for d in callbacks(bot))
    feedback_row = [b for b in bot.api.buttons() if b[1].startswith(cd.FEEDBACK)]

    press = tg.press(more)
    press["callback_query"]["message"]["reply_markup"] = sent["reply_markup"]
    await bot.send(press)
    edit = bot.api.sent("editMessageText")[-1]
    assert "how to take part" in edit["text"] and "https://kt.cern/long" in edit["text"]
    assert more not in callbacks(bot)
    assert [b for b in bot.api.buttons() if b[1].startswith(cd.FEEDBACK)] == feedback_row


async def test_a_long_topic_opened_from_the_browser_has_more_too(
    bot_with_long_answer: BotHarness,
) -> None:
    await bot_with_long_answer.send(tg.press(cd.encode(cd.SHOW_TOPIC, "project.long")))
    edit = bot_with_long_answer.api.sent("editMessageText")[-1]
    assert "how to take part" not in edit["text"]
    assert cd.encode(cd.MORE, "project.long") in callbacks(bot_with_long_answer)


async def test_a_short_answer_has_no_more_button(bot: BotHarness) -> None:
    await bot.send(tg.message("what is medicis?"))
    assert not any(d.startswith(cd.MORE + "|") for d in callbacks(bot))


@pytest.mark.parametrize(
    ("title", "label"),
    [
        (
            "Joint R&D, consultancy and collaboration agreements",
            "Joint R&D, consultancy and collaboration…",
        ),
        (
            "Giving to medical projects (CERN & Society Foundation)",
            "Giving to medical projects (CERN & Society…",
        ),
        ("Short title", "Short title"),
    ],
)
async def test_button_labels_are_cut_at_a_word_boundary(title: str, label: str) -> None:
    assert keyboards.label(title) == label
    assert len(keyboards.label(title)) <= keyboards.MAX_BUTTON_TEXT


# --- R5: the vote that counts shows on the message, and can be changed ------------------------


async def test_a_vote_shows_on_the_message_and_can_be_changed(bot: BotHarness) -> None:
    await bot.send(tg.message("what is medicis?"))
    sent = bot.api.sent()[-1]
    votes = [d for d in callbacks(bot) if d.startswith(cd.FEEDBACK + "|")]
    up, down = sorted(votes, reverse=True)  # f|<id>|1, f|<id>|0

    async def press(data: str, markup: dict) -> tuple[dict, str]:
        update = tg.press(data)
        update["callback_query"]["message"]["reply_markup"] = markup
        await bot.send(update)
        edit = bot.api.sent("editMessageReplyMarkup")[-1]
        return edit["reply_markup"], bot.api.sent("answerCallbackQuery")[-1]["text"]

    markup, toast = await press(up, sent["reply_markup"])
    labels = {b["callback_data"]: b["text"] for row in markup["inline_keyboard"] for b in row}
    assert (labels[up], labels[down]) == ("👍 ✓", "👎")
    assert toast == "Thanks for your feedback!"
    assert cd.encode(cd.RELATED, "route.licensing") in labels  # the other buttons stay

    markup, toast = await press(down, markup)
    labels = {b["callback_data"]: b["text"] for row in markup["inline_keyboard"] for b in row}
    assert (labels[up], labels[down]) == ("👍", "👎 ✓")
    assert toast == "Vote changed. Thanks!"


# --- R18: a broken edit reported cause first, then an all-clear -------------------------------


async def test_a_broken_edit_is_reported_cause_first_then_an_all_clear(bot: BotHarness) -> None:
    path = bot.settings.knowledge_dir / "topics" / "routes.yaml"
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("title: Licensing CERN technology", "title: [Licensing"))
    await admin.notify_reload(bot.app, bot.services.knowledge.reload())
    report = bot.api.sent()[-1]
    assert report["chat_id"] == ADMIN_ID
    lines = report["text"].splitlines()
    assert "NOT reloaded" in lines[0]
    assert "routes.yaml" in lines[3] and "YAML syntax error" in lines[3]  # the cause first
    assert len(report["text"]) < admin.MAX_MESSAGE

    count = len(bot.api.sent())
    await admin.notify_reload(bot.app, bot.services.knowledge.reload())  # the same: once
    assert len(bot.api.sent()) == count

    path.write_text(good, encoding="utf-8")  # fixed: the very version still served
    fixed = bot.services.knowledge.reload()
    assert fixed.ok and not fixed.changed
    await admin.notify_reload(bot.app, fixed)
    assert len(bot.api.sent()) == count + 1
    all_clear = bot.api.sent()[-1]
    assert all_clear["chat_id"] == ADMIN_ID and "loads again" in all_clear["text"]

    await admin.notify_reload(bot.app, bot.services.knowledge.reload())  # nothing new
    assert len(bot.api.sent()) == count + 1


# --- B10: a mention is removed whatever its case ----------------------------------------------


async def test_a_mention_in_other_case_is_removed_before_matching(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversation = bot.services.conversation
    ask, asked = conversation.ask, []

    async def recording_ask(text: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(text)
        return await ask(text, *args, **kwargs)

    monkeypatch.setattr(conversation, "ask", recording_ask)
    text = "what is medicis @KTBOT_TEST_BOT"
    entity = {"type": "mention", "offset": text.index("@"), "length": len("@KTBOT_TEST_BOT")}
    await bot.send(tg.message(text, chat_type="group", chat_id=-77, entities=[entity]))
    assert asked == ["what is medicis"]
    assert "<b>CERN-MEDICIS</b>" in bot.api.last_text()
