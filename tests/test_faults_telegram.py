"""Telegram failing in process (timeouts, 502s) and abuse by strangers (admin commands and
buttons): logged, answered as before, nothing revealed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from telegram.error import TimedOut

from bot.storage import ReviewState
from bot.telegram import callback_data as cd
from bot.telegram import sending
from bot.telegram.commands import UNKNOWN_COMMAND
from tests import telegram_updates as tg
from tests.bot_harness import ADMIN_ID, running_bot
from tests.fake_bot_api import FakeBotApi
from tests.fault_helpers import ANSWER, QUESTION

# --- Telegram failing, in process ---------------------------------------------------------


@dataclass
class TimingOutBotApi(FakeBotApi):
    """The fake Bot API, with calls that time out as a stalled network would."""

    timeouts: dict[str, int] | None = None

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> Any:
        api_method = url.rsplit("/", 1)[-1]
        if self.timeouts and self.timeouts.get(api_method, 0) > 0:
            self.timeouts[api_method] -= 1
            raise TimedOut("Timed out")
        return await super().do_request(url, method, *args, **kwargs)


async def test_a_timed_out_reply_is_logged_and_the_next_question_is_answered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = TimingOutBotApi(timeouts={"sendMessage": 1, "sendChatAction": 1})
    monkeypatch.setattr("tests.bot_harness.FakeBotApi", lambda: api)
    async with running_bot(tmp_path) as bot:
        with caplog.at_level(logging.INFO):
            await bot.send(tg.message(QUESTION))
        assert "network problem talking to Telegram: Timed out" in caplog.text
        assert bot.api.sent() == []  # the reply timed out
        await bot.send(tg.message(QUESTION))
        assert ANSWER in bot.api.last_text()
        assert (await bot.storage.stats(None)).total == 2


async def test_a_reply_refused_with_a_bad_gateway_is_sent_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sending, "SEND_RETRY_SECONDS", 0.01)
    async with running_bot(tmp_path) as bot:
        bot.api.fail_next("sendMessage", 502, "Bad Gateway")
        with caplog.at_level(logging.INFO):
            await bot.send(tg.message(QUESTION))
        assert "failed (Bad Gateway); sending it again" in caplog.text
        assert ANSWER in bot.api.last_text()
        assert len(bot.api.sent("sendMessage")) == 2  # refused once, then delivered


async def test_a_reply_failing_twice_is_logged_and_the_next_question_is_answered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sending, "SEND_RETRY_SECONDS", 0.01)
    async with running_bot(tmp_path) as bot:
        bot.api.fail_next("sendMessage", 502, "Bad Gateway")
        bot.api.fail_next("sendMessage", 502, "Bad Gateway")
        with caplog.at_level(logging.INFO):
            await bot.send(tg.message(QUESTION))
        assert "network problem talking to Telegram: Bad Gateway" in caplog.text
        await bot.send(tg.message(QUESTION))
        assert ANSWER in bot.api.last_text()


# --- abuse: admin commands and buttons from strangers ---------------------------------------


async def test_strangers_get_the_unknown_command_reply_word_for_word(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.send(tg.message("/frobnicate", user_id=42))
        unknown = bot.api.last_text()
        assert unknown == UNKNOWN_COMMAND
        for command in ("/reload", "/unanswered", "/stats", "/stats@ktbot_test_bot 7"):
            await bot.send(tg.message(command, user_id=42))
            assert bot.api.last_text() == unknown, command
        # In a group, admin commands addressed to the bot get the same unknown-command
        # reply (R12: no silence), and nothing of the review.
        before = len(bot.api.calls)
        for command in ("/stats@ktbot_test_bot", "/unanswered@ktbot_test_bot"):
            await bot.send(tg.message(command, user_id=42, chat_type="group", chat_id=-42))
        calls = bot.api.calls[before:]
        assert [c.method for c in calls] == ["sendMessage"] * 2
        assert {c.params.get("text") for c in calls} == {unknown}


async def test_admin_buttons_pressed_by_a_stranger_do_nothing_and_reveal_nothing(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.send(tg.message("how much does a cyclotron cost"))
        (item,) = await bot.storage.unanswered(state=ReviewState.OPEN)
        before = len(bot.api.calls)
        for data in (
            cd.encode(cd.ADMIN_IGNORE, item.id, 0),
            cd.encode(cd.ADMIN_RESOLVE, item.id, 0, cd.topic_token("project.medicis")),
            cd.encode(cd.ADMIN_PAGE, 0),
        ):
            await bot.send(tg.press(data, user_id=42))
        calls = bot.api.calls[before:]
        assert [c.method for c in calls] == ["answerCallbackQuery"] * 3
        assert {c.params.get("text") for c in calls} == {"This button has expired."}
        assert [i.id for i in await bot.storage.unanswered(state=ReviewState.OPEN)] == [item.id]
        # The same press from an admin works: the stranger was refused, not the button.
        await bot.send(tg.press(cd.encode(cd.ADMIN_IGNORE, item.id, 0), user_id=ADMIN_ID))
        assert await bot.storage.unanswered(state=ReviewState.OPEN) == []


async def test_a_stranger_cannot_reload_the_knowledge_base(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        reloads: list[int] = []
        knowledge = bot.services.knowledge
        original = knowledge.reload

        def counting_reload() -> Any:
            reloads.append(1)
            return original()

        knowledge.reload = counting_reload  # type: ignore[method-assign]
        await bot.send(tg.message("/reload", user_id=42))
        assert reloads == []
        await bot.send(tg.message("/reload", user_id=ADMIN_ID))
        assert reloads == [1]
