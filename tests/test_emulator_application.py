"""The emulator's users and injected faults, through a real python-telegram-bot Application."""

from __future__ import annotations

import datetime as dtm
from collections.abc import Callable

import pytest
from telegram import Bot, Update
from telegram.constants import MessageEntityType
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes

from tests.emulator import User
from tests.emulator.fixtures import bot_api  # noqa: F401 - the fixture
from tests.emulator_helpers import Emulator, choice_keyboard, running_application
from tests.emulator_helpers import alice as alice  # the fixture
from tests.emulator_helpers import bot as bot  # the fixture

# --- users, through a real Application ---------------------------------------------------------


async def welcome(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    source = " ".join(context.args or []) or "direct"
    await update.effective_message.reply_text(
        f"Welcome ({source})", reply_markup=choice_keyboard("yes", "no")
    )


async def on_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Noted")
    await query.edit_message_text(f"You chose {query.data}")


async def test_a_button_press_round_trips_through_a_polling_application(
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    handlers = (CommandHandler("start", welcome), CallbackQueryHandler(on_choice))
    async with running_application(bot_api, *handlers):
        bot_api.user_starts_bot(alice, payload="poster-42")
        welcome_message = await bot_api.wait_for_message(alice)
        assert welcome_message.text == "Welcome (poster-42)"

        press = bot_api.user_presses_button(alice, welcome_message, "yes")

        assert (await bot_api.wait_for_callback_answer(press))["text"] == "Noted"
        await bot_api.wait_for_call("editMessageText")
        assert welcome_message.text == "You chose yes"
        assert welcome_message.buttons == []
        await bot_api.wait_until_updates_confirmed()


async def test_a_webhook_application_receives_updates_signed_with_its_secret(
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    async with running_application(
        bot_api, CommandHandler("start", welcome), webhook_secret="s3cret"
    ):
        bot_api.user_starts_bot(alice)

        assert (await bot_api.wait_for_message(alice)).text == "Welcome (direct)"
        assert bot_api.webhook is not None
        assert bot_api.webhook.secret_token == "s3cret"
        assert bot_api.webhook.last_error_message is None


async def test_a_press_on_a_button_the_message_does_not_have_is_refused(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    await bot.send_message(alice.id, "Pick", reply_markup=choice_keyboard("a"))
    (message,) = bot_api.sent_messages(alice)

    with pytest.raises(LookupError, match="no button"):
        bot_api.user_presses_button(alice, message, "b")


async def test_callback_queries_can_be_answered_once(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    await bot.send_message(alice.id, "Pick", reply_markup=choice_keyboard("a"))
    press = bot_api.user_presses_button(alice, bot_api.sent_messages(alice)[0], text="a")
    query_id = bot_api.update(press)["callback_query"]["id"]

    assert await bot.answer_callback_query(query_id, "ok", show_alert=True) is True
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)
    assert bot_api.callback_answer(press) == {
        "text": "ok",
        "show_alert": True,
        "url": None,
        "cache_time": 0,
    }


async def test_group_mentions_and_replies_to_the_bot_arrive_as_telegram_sends_them(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    staff = bot_api.new_group("Staff room")
    bot_message = await bot.send_message(staff.id, "Any questions?")

    bot_api.user_sends_text(alice, staff, "@ktbot_test_bot where is the MRI?")
    bot_api.user_sends_text(alice, staff, "thanks", reply_to=bot_message.message_id)

    mention, reply = await bot.get_updates()
    assert mention.message is not None and reply.message is not None
    assert mention.message.chat.type == "supergroup"
    assert mention.message.chat.id == staff.id < 0
    assert mention.message.parse_entities([MessageEntityType.MENTION]).popitem()[1] == (
        "@ktbot_test_bot"
    )
    assert reply.message.reply_to_message is not None
    assert reply.message.reply_to_message.from_user == await bot.get_me()


UserAction = Callable[[Emulator, User], int]


@pytest.mark.parametrize(
    ("act", "attribute"),
    [
        (lambda e, u: e.user_sends_sticker(u, emoji="🧲"), "sticker"),
        (lambda e, u: e.user_sends_photo(u, caption="scan"), "photo"),
        (lambda e, u: e.user_sends_voice(u, duration=4), "voice"),
        (lambda e, u: e.user_sends_document(u, content=b"report"), "document"),
        (lambda e, u: e.user_sends_location(u), "location"),
    ],
)
async def test_media_messages_parse_in_python_telegram_bot(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
    act: UserAction,
    attribute: str,
) -> None:
    act(bot_api, alice)

    (update,) = await bot.get_updates()

    assert update.message is not None
    media = getattr(update.message, attribute)
    assert media
    if attribute in ("photo", "document"):
        file_id = media[-1].file_id if attribute == "photo" else media.file_id
        content = await (await bot.get_file(file_id)).download_as_bytearray()
        assert content == bot_api.state.files[file_id].content


async def test_a_user_edit_arrives_as_an_edited_message(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    original = bot_api.message_for(bot_api.user_sends_text(alice, None, "helo"))

    bot_api.user_edits_message(alice, original, "hello")

    _, edit = await bot.get_updates()
    assert edit.edited_message is not None
    assert (edit.edited_message.message_id, edit.edited_message.text) == (
        original.message_id,
        "hello",
    )
    assert edit.edited_message.edit_date is not None


async def test_waits_return_each_bot_message_once(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    await bot.send_message(alice.id, "first")
    await bot.send_message(alice.id, "second")

    assert (await bot_api.wait_for_message(alice)).text == "first"
    assert (await bot_api.wait_for_message(alice)).text == "second"
    with pytest.raises(TimeoutError, match="no new bot message"):
        await bot_api.wait_for_message(alice, timeout=0.05)


# --- fault injection ---------------------------------------------------------------------------


async def test_a_flood_fault_makes_ptb_raise_retry_after(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    bot_api.flood_next("sendMessage", retry_after=3)

    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(alice.id, "too fast")
    await bot.send_message(alice.id, "later")

    assert flood.value.retry_after == dtm.timedelta(seconds=3)
    failed, succeeded = bot_api.calls("sendMessage")
    assert failed.response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    assert succeeded.ok
    assert [m.text for m in bot_api.sent_messages(alice)] == ["later"]


async def test_a_user_who_blocked_the_bot_makes_calls_about_them_forbidden(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    bob = bot_api.new_user("Bob")
    bot_api.block(alice)

    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(alice.id, "still there?")
    await bot.send_message(bob.id, "hi Bob")
    bot_api.unblock(alice)
    await bot.send_message(alice.id, "welcome back")

    assert [m.text for m in bot_api.sent_messages()] == ["hi Bob", "welcome back"]


async def test_a_bad_gateway_is_a_network_error(bot: Bot, bot_api: Emulator) -> None:  # noqa: F811
    bot_api.bad_gateway_next("getUpdates")

    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_updates()


async def test_a_slow_answer_times_out_the_client_yet_the_message_is_sent(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    bot_api.delay_next("sendMessage", 0.3)

    with pytest.raises(TimedOut):
        await bot.send_message(alice.id, "slow", read_timeout=0.1)

    assert (await bot_api.wait_for_message(alice, timeout=2)).text == "slow"
