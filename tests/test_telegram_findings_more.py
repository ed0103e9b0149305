"""Findings R2, R3, R4, R12, R14, R16 and R17 of `findings/telegram.md` (rough edges).

Driven like `tests/test_telegram_handlers.py`: PTB's real Application and a fake Bot API.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.i18n import translator
from bot.live_knowledge import LiveKnowledge
from bot.storage import ReviewState
from bot.telegram import callback_data as cd
from bot.telegram import keyboards
from tests import telegram_updates as tg
from tests.bot_harness import ADMIN_ID, BotHarness, callbacks, running_bot
from tests.bot_harness import bot as bot  # the fixture
from tests.bot_process import SHIPPED_KNOWLEDGE
from tests.fake_bot_api import BOT_USERNAME


def toast(bot: BotHarness) -> str:
    return str(bot.api.sent("answerCallbackQuery")[-1].get("text") or "")


# --- R4: a topic opened from a button or a deep link has 👍/👎 and "Talk to a person" -------


@pytest.mark.parametrize(
    "update",
    [
        tg.press(cd.encode(cd.RELATED, "route.licensing")),
        tg.press(cd.encode(cd.SHOW_TOPIC, "route.licensing")),
        tg.message("/start route__licensing"),
    ],
    ids=["related", "browser", "deep link"],
)
async def test_a_topic_opened_without_typing_has_votes_and_talk_to_a_person(
    bot: BotHarness, update: dict
) -> None:
    await bot.send(update)
    assert "Companies can license" in bot.api.last_text()
    data = callbacks(bot)
    # Votes name the recorded visit (R4: they count, R17: so does the visit).
    up = next(d for d in data if d.startswith("fv|") and d.endswith("|1"))
    assert up[: -len("1")] + "0" in data
    assert cd.encode(cd.HANDOFF, 0) in data
    await bot.send(tg.press(up))
    assert toast(bot) == "Thanks for your feedback!"
    since = datetime(2000, 1, 1, tzinfo=UTC)
    counts = await bot.storage.visit_counts(since)
    assert sum(counts.by_source.values()) == 1 and counts.helpful == 1


# --- R3: small talk is answered when typed, not listed in the browser -----------------------


def test_small_talk_is_not_a_browsable_category() -> None:
    kb = LiveKnowledge.load(SHIPPED_KNOWLEDGE).kb
    assert "smalltalk" in kb.categories and kb.topics_in("smalltalk")
    offered = [
        b.callback_data
        for row in keyboards.categories_keyboard(kb, translator("en")).inline_keyboard
        for b in row
    ]
    assert cd.encode(cd.CATEGORY, "smalltalk") not in offered
    assert cd.encode(cd.CATEGORY, "about") in offered


# --- R2: "home" shows the welcome again ------------------------------------------------------


async def test_home_after_browsing_shows_the_welcome_again(bot: BotHarness) -> None:
    await bot.send(tg.message("/start"))
    welcome = bot.api.last_text()
    assert "I answer questions about CERN medical applications." in welcome
    await bot.send(tg.press(cd.encode(cd.CATEGORY, "projects")))
    assert "CERN medical applications" not in bot.api.last_text()
    await bot.send(tg.press(cd.encode(cd.HOME)))
    assert bot.api.last_text() == welcome
    assert cd.encode(cd.CATEGORY, "projects") in callbacks(bot)


# --- R12: groups ------------------------------------------------------------------------------


async def test_an_unknown_command_addressed_to_the_bot_in_a_group_is_answered(
    bot: BotHarness,
) -> None:
    await bot.send(tg.message(f"/foo@{BOT_USERNAME}", chat_type="group", chat_id=-77))
    assert "don’t know that command" in bot.api.last_text()
    count = len(bot.api.sent())
    # Another bot's command, or one addressed to no bot in particular: not ours to answer.
    await bot.send(tg.message("/foo@some_other_bot", chat_type="group", chat_id=-77))
    await bot.send(tg.message("/foo", chat_type="group", chat_id=-77))
    assert len(bot.api.sent()) == count


async def test_forget_pressed_on_someone_elses_prompt_is_refused(bot: BotHarness) -> None:
    vera, wim = 42, 43
    await bot.send(tg.message("what is medicis?", user_id=wim))
    await bot.send(tg.message(f"/forget@{BOT_USERNAME}", user_id=vera, chat_type="group"))
    yes = next(d for d in callbacks(bot) if d.startswith(cd.FORGET + "|y"))
    await bot.send(tg.press(yes, user_id=wim, chat_id=-77))
    assert "person who sent /forget" in toast(bot)
    assert (await bot.storage.stats()).total == 1  # Wim's question is still there
    await bot.send(tg.press(yes, user_id=vera, chat_id=-77))
    assert "Done: deleted" in bot.api.last_text()


async def test_in_a_group_only_the_asker_can_rate_the_answer(bot: BotHarness) -> None:
    vera, wim = 42, 43
    await bot.send(tg.mention("what is medicis?", user_id=vera, chat_id=-77))
    thumbs_down = next(d for d in callbacks(bot) if d.startswith(cd.FEEDBACK) and d.endswith("|0"))
    await bot.send(tg.press(thumbs_down, user_id=wim, chat_id=-77))
    assert "Only the person who asked" in toast(bot)
    exchange = await bot.storage.exchange(int(thumbs_down.split("|")[1]))
    assert exchange is not None and exchange.helpful is None
    await bot.send(tg.press(thumbs_down, user_id=vera, chat_id=-77))
    exchange = await bot.storage.exchange(int(thumbs_down.split("|")[1]))
    assert exchange is not None and exchange.helpful is False


async def test_in_a_group_only_the_asker_can_pick_from_did_you_mean(bot: BotHarness) -> None:
    vera, wim = 42, 43
    await bot.send(tg.mention("superconducting gantry", user_id=vera, chat_id=-77))
    choices = [d for d in callbacks(bot) if d.startswith(cd.CHOOSE + "|")]
    exchange_id = int(choices[0].split("|")[1])
    sent = len(bot.api.calls)
    await bot.send(tg.press(choices[1], user_id=wim, chat_id=-77))
    assert "Only the person who asked" in toast(bot)
    assert [c.method for c in bot.api.calls[sent:]] == ["answerCallbackQuery"]
    exchange = await bot.storage.exchange(exchange_id)
    assert exchange is not None and exchange.choice is None
    await bot.send(tg.press(cd.encode(cd.NONE_OF_THESE, exchange_id), user_id=wim, chat_id=-77))
    assert "Only the person who asked" in toast(bot)
    assert await bot.storage.unanswered(state=ReviewState.OPEN) == []
    await bot.send(tg.press(choices[1], user_id=vera, chat_id=-77))
    exchange = await bot.storage.exchange(exchange_id)
    assert exchange is not None and exchange.choice == choices[1].split("|")[2]


async def test_in_a_group_only_who_opened_a_topic_can_rate_it(bot: BotHarness) -> None:
    vera, wim = 42, 43
    await bot.send(
        tg.message(f"/topics@{BOT_USERNAME}", user_id=vera, chat_type="group", chat_id=-77)
    )
    await bot.send(tg.press(cd.encode(cd.SHOW_TOPIC, "project.medicis"), user_id=vera, chat_id=-77))
    vote = next(d for d in callbacks(bot) if d.startswith(cd.VISIT_FEEDBACK) and d.endswith("|1"))
    await bot.send(tg.press(vote, user_id=wim, chat_id=-77))
    assert "Only the person who asked" in toast(bot)
    assert (await bot.storage.visit_counts(datetime(2000, 1, 1, tzinfo=UTC))).helpful == 0
    await bot.send(tg.press(vote, user_id=vera, chat_id=-77))
    assert toast(bot) == "Thanks for your feedback!"
    assert (await bot.storage.visit_counts(datetime(2000, 1, 1, tzinfo=UTC))).helpful == 1


# --- R14: commands are rate-limited like questions ----------------------------------------------


async def test_commands_are_rate_limited_like_questions(tmp_path: Path) -> None:
    async with running_bot(tmp_path, rate_limit_per_minute=6) as bot:
        for _ in range(10):
            await bot.send(tg.message("/topics"))
        texts = [p["text"] for p in bot.api.sent()]
    assert len(texts) < 10
    assert sum("faster than I can answer" in t for t in texts) == 1


# --- R17: /stats by title, with the hand-offs ---------------------------------------------------


async def test_stats_show_topic_titles_and_the_hand_off_count(bot: BotHarness) -> None:
    await bot.send(tg.message("what is medicis?"))
    await bot.send(tg.message("how much does a cyclotron cost"))
    await bot.send(tg.press(next(d for d in callbacks(bot) if d.startswith(cd.HANDOFF + "|"))))
    await bot.send(tg.press(next(d for d in callbacks(bot) if d.endswith("|y"))))
    await bot.send(tg.message("/stats", user_id=ADMIN_ID))
    text = bot.api.last_text()
    assert "CERN-MEDICIS" in text and "project.medicis" not in text
    assert "Hand-offs to staff" in text and ": 1" in text.split("Hand-offs to staff")[1][:40]


# --- R16: resolving an unanswered question: choose among titles, then it is done ----------------


async def test_resolve_offers_the_nearest_topics_by_title_before_resolving(
    bot: BotHarness,
) -> None:
    await bot.send(tg.message("gantry"))  # near several topics, answered by none
    if callbacks(bot) and any(d.startswith(cd.NONE_OF_THESE) for d in callbacks(bot)):
        await bot.send(tg.press(next(d for d in callbacks(bot) if d.startswith(cd.NONE_OF_THESE))))
    await bot.send(tg.message("/unanswered", user_id=ADMIN_ID))
    page = bot.api.last_text()
    assert "project.gantry" not in page  # titles, not ids
    choose = next(d for d in callbacks(bot) if d.startswith(cd.ADMIN_CHOOSE + "|"))
    await bot.send(tg.press(choose, user_id=ADMIN_ID))
    # Nothing resolved yet: the admin chooses a topic by its title, or cancels.
    assert len(await bot.storage.unanswered(state=ReviewState.OPEN)) == 1
    offered = bot.api.buttons()
    resolve = [(label, d) for label, d in offered if d.startswith(cd.ADMIN_RESOLVE + "|")]
    assert 1 <= len(resolve) <= 3
    assert any("Superconducting gantry" in label for label, _ in resolve)
    assert cd.encode(cd.ADMIN_PAGE, 0) in [d for _, d in offered]
    await bot.send(tg.press(resolve[0][1], user_id=ADMIN_ID))
    assert await bot.storage.unanswered(state=ReviewState.OPEN) == []
    assert "resolved by Superconducting gantry" in toast(bot)
