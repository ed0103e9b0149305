"""End to end: "Talk to a person" with `ktbot run` against the Bot API emulator, including
the process being killed mid-hand-off (SIGKILL, as in tests/test_load_and_crash.py).

After a kill at any step of a hand-off, the restarted bot delivers the enquiry to the staff
chat exactly once and tells the user once. The steps are made to hang at the emulator (a
call that answers an error only after a long delay, so it never takes effect), and the
process is killed while it waits there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from tests.bot_harness import KNOWLEDGE, write_knowledge
from tests.bot_process import STAFF_CHAT_ID, BotProcess
from tests.e2e_helpers import WAIT, callback_data, kill_while_hanging, staff_chat
from tests.emulator import BotApiEmulator, StoredMessage, User

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]

QUESTION = "how much does a cyclotron cost"


@pytest_asyncio.fixture
async def ktbot(bot_api: BotApiEmulator, tmp_path: Path) -> AsyncIterator[BotProcess]:
    knowledge = write_knowledge(tmp_path / "knowledge", KNOWLEDGE)
    bot = BotProcess(bot_api, tmp_path, knowledge)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()
        print(bot.log_text()[-6000:])  # shown if the test fails


async def consent_prompt(api: BotApiEmulator, user: User) -> StoredMessage:
    api.user_sends_text(user, None, QUESTION)
    answer = await api.wait_for_message(user, timeout=WAIT)
    update_id = api.user_presses_button(user, answer, callback_data(answer, "h")[0])
    await api.wait_for_callback_answer(update_id, timeout=WAIT)
    return await api.wait_for_message(user, lambda m: bool(callback_data(m, "ek")), WAIT)


def told(api: BotApiEmulator, user: User) -> list[StoredMessage]:
    return [m for m in api.sent_messages(user) if "We have your question" in (m.text or "")]


def enquiries_at_staff(api: BotApiEmulator) -> list[StoredMessage]:
    return [m for m in api.sent_messages(STAFF_CHAT_ID) if QUESTION in (m.text or "")]


@pytest.mark.parametrize(
    "step",
    ["telling the user", "sending to the staff chat"],
)
async def test_killed_during_a_hand_off_the_enquiry_arrives_once_and_the_user_is_told_once(
    bot_api: BotApiEmulator, ktbot: BotProcess, step: str
) -> None:
    staff = staff_chat(bot_api)
    user = bot_api.new_user(first_name="Grace", username="grace_h")
    prompt = await consent_prompt(bot_api, user)
    yes = next(d for d in callback_data(prompt, "ek") if d.endswith("|y"))

    bot_api.user_presses_button(user, prompt, yes)
    if step == "telling the user":
        await kill_while_hanging(bot_api, ktbot, "editMessageText", user.id)
    else:
        await kill_while_hanging(bot_api, ktbot, "sendMessage", STAFF_CHAT_ID)
    assert enquiries_at_staff(bot_api) == []

    await ktbot.start()
    await bot_api.wait_for_message(staff, lambda m: QUESTION in (m.text or ""), WAIT)
    await ktbot.wait_for_log("delivered to the staff chat", timeout=WAIT)
    # Later runs of the delivery job skip a delivered enquiry (tests/test_enquiries.py).
    assert len(enquiries_at_staff(bot_api)) == 1
    assert len(told(bot_api, user)) == 1
    assert told(bot_api, user)[0].message_id == prompt.message_id  # the prompt, edited


async def test_an_unreachable_staff_chat_is_retried_and_the_user_is_told_once(
    bot_api: BotApiEmulator, ktbot: BotProcess
) -> None:
    """Finding B2 (case B, findings/telegram.md): an unreachable staff chat."""
    user = bot_api.new_user(first_name="Grace")
    prompt = await consent_prompt(bot_api, user)
    yes = next(d for d in callback_data(prompt, "ek") if d.endswith("|y"))
    # The staff chat is unknown to Telegram (the bot was removed from it): chat not found.
    update_id = bot_api.user_presses_button(user, prompt, yes)
    await bot_api.wait_for_callback_answer(update_id, timeout=WAIT)  # no spinning button
    await ktbot.wait_for_log("not delivered to the staff chat", timeout=WAIT)
    assert len(told(bot_api, user)) == 1

    staff = staff_chat(bot_api)  # the bot is added back: the next retry lands
    forwarded = await bot_api.wait_for_message(staff, lambda m: QUESTION in (m.text or ""), WAIT)
    assert "Grace" in (forwarded.text or "")
    assert len(told(bot_api, user)) == 1
