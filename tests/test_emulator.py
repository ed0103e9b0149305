"""The Bot API emulator, specified through python-telegram-bot's own Bot and Application."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import socket
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, MessageEntityType, ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from tests.emulator import SECRET_HEADER, BotApiEmulator, EntityParseError, User, parse_html
from tests.emulator.fixtures import bot_api  # noqa: F401 - the fixture

Emulator = BotApiEmulator


def client_for(emulator: Emulator, token: str | None = None) -> Bot:
    return Bot(token or emulator.token, base_url=emulator.api_url, base_file_url=emulator.file_url)


@pytest_asyncio.fixture
async def bot(bot_api: Emulator) -> AsyncIterator[Bot]:  # noqa: F811
    async with client_for(bot_api) as client:
        yield client


@pytest.fixture
def alice(bot_api: Emulator) -> User:  # noqa: F811
    return bot_api.new_user("Alice", username="alice_w")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def running_application(
    emulator: Emulator, *handlers: Any, webhook_secret: str | None = None
) -> AsyncIterator[Application]:
    """A PTB Application polling the emulator, or serving a webhook if given a secret."""
    app = (
        Application.builder()
        .token(emulator.token)
        .base_url(emulator.api_url)
        .base_file_url(emulator.file_url)
        .build()
    )
    app.add_handlers(list(handlers))
    async with app:
        assert app.updater is not None
        if webhook_secret is None:
            await app.updater.start_polling(poll_interval=0, timeout=1)
        else:
            port = free_port()
            await app.updater.start_webhook(
                listen="127.0.0.1",
                port=port,
                url_path="hook",
                webhook_url=f"http://127.0.0.1:{port}/hook",
                secret_token=webhook_secret,
            )
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def last_error(emulator: Emulator, method: str) -> str | None:
    return emulator.calls(method)[-1].description


# --- identity and routing ----------------------------------------------------------------------


async def test_get_me_describes_the_bot_as_a_bot(bot: Bot, bot_api: Emulator) -> None:  # noqa: F811
    me = await bot.get_me()

    assert me.is_bot is True
    assert me.id == bot_api.bot_user.id == int(bot_api.token.split(":")[0])
    assert me.username == "ktbot_test_bot"
    assert me.can_join_groups is True


async def test_a_wrong_token_is_unauthorized(bot_api: Emulator) -> None:  # noqa: F811
    stranger = client_for(bot_api, token="42:not-the-token")
    try:
        with pytest.raises(InvalidToken):
            await stranger.initialize()
    finally:
        await stranger.shutdown()

    assert bot_api.calls("getMe")[-1].status == 401


async def test_an_unknown_method_is_not_found(bot_api: Emulator) -> None:  # noqa: F811
    async with aiohttp.ClientSession() as http:
        url = f"{bot_api.api_url}{bot_api.token}/sendTelepathy"
        async with http.post(url, data={"chat_id": "1"}) as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }


async def test_form_and_json_bodies_and_any_method_case_are_accepted_alike(
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    base = f"{bot_api.api_url}{bot_api.token}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/SENDMESSAGE", json={"chat_id": alice.id, "text": "a"}) as r:
            assert r.status == 200
            assert (await r.json())["result"]["text"] == "a"
        form = {"chat_id": str(alice.id), "text": "b", "disable_notification": "true"}
        async with http.post(f"{base}/sendMessage", data=form) as r:
            assert r.status == 200

    as_json, as_form = bot_api.calls("sendMessage")
    assert as_json.params == {"chat_id": alice.id, "text": "a"}
    assert as_form.params == {"chat_id": alice.id, "text": "b", "disable_notification": True}


# --- getUpdates --------------------------------------------------------------------------------


async def test_get_updates_waits_until_an_update_arrives(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    polling = asyncio.create_task(bot.get_updates(timeout=5))
    await bot_api.wait_for_call("getUpdates", answered=False)
    sent_at = time.monotonic()

    update_id = bot_api.user_sends_text(alice, None, "hello")

    updates = await asyncio.wait_for(polling, 2)
    assert [u.update_id for u in updates] == [update_id]
    assert time.monotonic() - sent_at < 1


async def test_get_updates_answers_an_empty_list_when_the_timeout_expires(bot: Bot) -> None:
    started = time.monotonic()

    updates = await bot.get_updates(timeout=dtm.timedelta(seconds=0.2))

    assert updates == ()
    assert time.monotonic() - started >= 0.2


async def test_updates_are_redelivered_until_an_offset_confirms_them(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    for text in ("one", "two", "three"):
        bot_api.user_sends_text(alice, None, text)

    first = await bot.get_updates()
    again = await bot.get_updates()
    confirmed = await bot.get_updates(offset=first[-1].update_id + 1, timeout=0)

    assert [u.message.text for u in first if u.message] == ["one", "two", "three"]
    assert again == first
    assert confirmed == ()
    assert bot_api.pending_updates() == []


async def test_update_dates_are_unix_seconds(bot: Bot, bot_api: Emulator, alice: User) -> None:  # noqa: F811
    bot_api.user_sends_text(alice, None, "what time is it?")

    (update,) = await bot.get_updates()

    assert update.message is not None
    age = dtm.datetime.now(dtm.UTC) - update.message.date
    assert abs(age.total_seconds()) < 60


async def test_a_second_get_updates_terminates_the_first_with_a_conflict(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await bot_api.wait_for_call("getUpdates", answered=False)

    async with client_for(bot_api) as other_instance:
        await other_instance.get_updates(timeout=0)

    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await asyncio.wait_for(first, 2)


async def test_allowed_updates_filters_updates_created_afterwards(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    await bot.get_updates(timeout=0, allowed_updates=[Update.CALLBACK_QUERY])

    bot_api.user_sends_text(alice, None, "not wanted")

    assert bot_api.pending_updates() == []


# --- sendMessage -------------------------------------------------------------------------------


async def test_send_message_returns_and_stores_a_full_message(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    question = bot_api.message_for(bot_api.user_sends_text(alice, None, "Where is the MRI?"))
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])

    sent = await bot.send_message(
        alice.id,
        "<b>Building 2</b> &amp; floor 1",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
        reply_parameters=ReplyParameters(question.message_id),
    )

    assert sent.message_id == question.message_id + 1
    assert sent.from_user is not None and sent.from_user.is_bot
    assert sent.chat.id == alice.id
    assert sent.text == "Building 2 & floor 1"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 10)]
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.text == "Where is the MRI?"
    assert sent.reply_markup == keyboard
    (stored,) = bot_api.sent_messages(alice)
    assert stored.raw_text == "<b>Building 2</b> &amp; floor 1"
    assert stored.parse_mode == "HTML"
    assert stored.reply_markup == keyboard.to_dict()
    assert stored.reply_to is question


async def test_sending_to_an_unknown_chat_is_chat_not_found(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(987654321, "anyone?")


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ("<div>hi</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("1 < 2", 'Unsupported start tag "" at byte offset 2'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("é <b", "Unclosed start tag at byte offset 3"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_send_message_rejects_html_telegram_cannot_parse(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
    markup: str,
    reason: str,
) -> None:
    with pytest.raises(BadRequest, match=r"^Can't parse entities"):
        await bot.send_message(alice.id, markup, parse_mode=ParseMode.HTML)

    assert (
        await last_error(bot_api, "sendMessage") == f"Bad Request: can't parse entities: {reason}"
    )
    assert bot_api.sent_messages() == []


async def test_html_references_decode_and_a_bare_ampersand_stays_literal(
    bot: Bot,
    alice: User,
) -> None:
    sent = await bot.send_message(
        alice.id, "AT&T &lt;3 &amp; &#128512; &nbsp;", parse_mode=ParseMode.HTML
    )

    assert sent.text == "AT&T <3 & 😀 &nbsp;"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "message text is empty"),
        (" \n\t ", "message text is empty"),
        ("<b> </b>", "message text is empty"),
        ("x" * 4097, "message is too long"),
        ("😀" * 2049, "message is too long"),
    ],
)
async def test_send_message_rejects_empty_and_too_long_text(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
    text: str,
    reason: str,
) -> None:
    with pytest.raises(BadRequest):
        await bot.send_message(alice.id, text, parse_mode=ParseMode.HTML)

    assert await last_error(bot_api, "sendMessage") == f"Bad Request: {reason}"


async def test_the_length_limit_applies_to_the_text_after_parsing(bot: Bot, alice: User) -> None:
    sent = await bot.send_message(alice.id, f"<b>{'x' * 4096}</b>", parse_mode=ParseMode.HTML)

    assert sent.text is not None and len(sent.text) == 4096


async def test_trailing_whitespace_and_leading_blank_lines_are_trimmed(
    bot: Bot,
    alice: User,
) -> None:
    sent = await bot.send_message(alice.id, "\n\n  <b>indented</b>  \n", parse_mode="HTML")

    assert sent.text == "  indented"
    assert [(e.offset, e.length) for e in sent.entities] == [(2, 8)]


async def test_callback_data_over_64_bytes_is_rejected(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data=data)]])

    await bot.send_message(alice.id, "64 bytes fit", reply_markup=keyboard("x" * 64))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(alice.id, "33 é are 66 bytes", reply_markup=keyboard("é" * 33))

    assert await last_error(bot_api, "sendMessage") == "Bad Request: BUTTON_DATA_INVALID"


async def test_replying_to_a_missing_message_fails_unless_allowed(bot: Bot, alice: User) -> None:
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(alice.id, "re", reply_parameters=ReplyParameters(999))

    sent = await bot.send_message(
        alice.id, "re", reply_parameters=ReplyParameters(999, allow_sending_without_reply=True)
    )
    assert sent.reply_to_message is None


async def test_message_ids_count_up_per_chat(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    bob = bot_api.new_user("Bob")
    bot_api.user_sends_text(alice, None, "hi")

    ids = [
        (await bot.send_message(chat, "hello")).message_id for chat in (alice.id, bob.id, alice.id)
    ]

    assert ids == [2, 1, 3]


async def test_send_chat_action_accepts_only_known_actions(bot: Bot, alice: User) -> None:
    assert await bot.send_chat_action(alice.id, ChatAction.TYPING) is True
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(alice.id, "dancing")


# --- editing -----------------------------------------------------------------------------------


def choice_keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=t) for t in labels]])


async def test_edit_message_text_updates_the_stored_message(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    sent = await bot.send_message(alice.id, "Pick one", reply_markup=choice_keyboard("a", "b"))

    edited = await bot.edit_message_text(
        "You picked <i>a</i>",
        chat_id=alice.id,
        message_id=sent.message_id,
        parse_mode=ParseMode.HTML,
        reply_markup=choice_keyboard("undo"),
    )

    assert isinstance(edited, Message)
    assert edited.edit_date is not None
    (stored,) = bot_api.sent_messages(alice)
    assert stored.text == "You picked a"
    assert stored.raw_text == "You picked <i>a</i>"
    assert [b["text"] for b in stored.buttons] == ["undo"]


async def test_editing_without_a_change_is_message_not_modified(
    bot: Bot,
    alice: User,
) -> None:
    sent = await bot.send_message(alice.id, "Same", reply_markup=choice_keyboard("a"))

    with pytest.raises(BadRequest, match="Message is not modified"):
        await sent.edit_text("Same", reply_markup=choice_keyboard("a"))
    with pytest.raises(BadRequest, match="Message is not modified"):
        await sent.edit_reply_markup(choice_keyboard("a"))


async def test_editing_text_without_reply_markup_removes_the_keyboard(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    sent = await bot.send_message(alice.id, "Pick one", reply_markup=choice_keyboard("a"))

    edited = await sent.edit_text("Done")

    assert isinstance(edited, Message) and edited.reply_markup is None
    assert bot_api.sent_messages(alice)[0].buttons == []


async def test_edit_message_reply_markup_replaces_only_the_keyboard(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    sent = await bot.send_message(alice.id, "Pick one", reply_markup=choice_keyboard("a"))

    await sent.edit_reply_markup(choice_keyboard("b", "c"))

    (stored,) = bot_api.sent_messages(alice)
    assert (stored.text, [b["text"] for b in stored.buttons]) == ("Pick one", ["b", "c"])


async def test_only_the_bots_own_messages_can_be_edited(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    theirs = bot_api.message_for(bot_api.user_sends_text(alice, None, "mine"))

    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("hacked", chat_id=alice.id, message_id=theirs.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("ghost", chat_id=alice.id, message_id=404)


async def test_a_deleted_message_is_gone_and_cannot_be_deleted_twice(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
) -> None:
    sent = await bot.send_message(alice.id, "oops")

    assert await sent.delete() is True

    assert bot_api.sent_messages(alice) == []
    assert bot_api.sent_messages(alice, include_deleted=True)[0].deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await sent.delete()


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


# --- commands ----------------------------------------------------------------------------------


async def test_set_my_commands_is_kept_per_scope_and_language(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    await bot.set_my_commands([BotCommand("hilfe", "Hilfe")], language_code="de")

    assert bot_api.commands == [
        {"command": "start", "description": "Start"},
        {"command": "help", "description": "Help"},
    ]
    assert [c.command for c in await bot.get_my_commands(language_code="de")] == ["hilfe"]
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start!", "bad")])


# --- webhook -----------------------------------------------------------------------------------


class WebhookReceiver:
    """A local HTTP endpoint standing in for the bot's webhook server."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.deliveries: asyncio.Queue[tuple[dict[str, str], dict[str, Any]]] = asyncio.Queue()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        await self.deliveries.put((dict(request.headers), await request.json()))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)

    async def next_delivery(self) -> tuple[dict[str, str], dict[str, Any]]:
        return await asyncio.wait_for(self.deliveries.get(), 2)


@pytest_asyncio.fixture
async def receiver() -> AsyncIterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield receiver
    await runner.cleanup()


async def test_with_a_webhook_updates_are_posted_with_the_secret_and_polling_conflicts(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
    receiver: WebhookReceiver,
) -> None:
    assert await bot.set_webhook(receiver.url, secret_token="s3cret-Token") is True

    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()
    update_id = bot_api.user_sends_text(alice, None, "via webhook")
    headers, body = await receiver.next_delivery()

    assert headers[SECRET_HEADER] == "s3cret-Token"
    assert body == bot_api.update(update_id)
    await bot_api.wait_until_updates_confirmed()
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == (receiver.url, 0)
    assert await bot.delete_webhook() is True
    assert await bot.get_updates(timeout=0) == ()


async def test_webhook_delivery_is_retried_until_the_receiver_accepts(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
    receiver: WebhookReceiver,
) -> None:
    receiver.statuses = [500]
    await bot.set_webhook(receiver.url)

    bot_api.user_sends_text(alice, None, "retry me")
    _, refused = await receiver.next_delivery()
    _, accepted = await receiver.next_delivery()

    assert refused == accepted
    await bot_api.wait_until_updates_confirmed()
    info = await bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"


async def test_set_webhook_can_drop_pending_updates(
    bot: Bot,
    bot_api: Emulator,  # noqa: F811
    alice: User,
    receiver: WebhookReceiver,
) -> None:
    bot_api.user_sends_text(alice, None, "stale")

    await bot.set_webhook(receiver.url, drop_pending_updates=True)

    assert bot_api.pending_updates() == []
    assert receiver.deliveries.empty()


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


# --- the HTML parser against TDLib's own test cases ---------------------------------------------
# From check_parse_html in TDLib's test/message_entities.cpp (Bot API entity names).


@pytest.mark.parametrize(
    ("markup", "text", "entities"),
    [
        ("&ge;&lt;&gt;&amp;&quot;&laquo;&#12345678;", '&ge;<>&"&laquo;&#12345678;', []),
        ("🏟 🏟<i>🏟 &lt🏟</i>", "🏟 🏟🏟 <🏟", [("italic", 5, 6)]),
        ("🏟 🏟&lt;<i    aba  =  190azAz-.>a</i>", "🏟 🏟<a", [("italic", 6, 1)]),
        ("🏟 🏟&lt;<i>a</    >", "🏟 🏟<a", [("italic", 6, 1)]),
        ("🏟 🏟&lt;<b></b>", "🏟 🏟<", []),
        ("<a href=telegram.org>\n</a>", "\n", [("text_link", 0, 1)]),
        ("<a>telegram.org </a>", "telegram.org ", []),
        (
            "<i><b> </b> <code> </code></i>",
            "   ",
            [("italic", 0, 3), ("bold", 0, 1), ("code", 2, 1)],
        ),
        ('<pre><code class="language-fift">x</code></pre>', "x", [("pre", 0, 1)]),
        ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
        ("<tg-spoiler>s</tg-spoiler>", "s", [("spoiler", 0, 1)]),
    ],
)
def test_html_parsing_matches_tdlib(
    markup: str, text: str, entities: list[tuple[str, int, int]]
) -> None:
    parsed_text, parsed = parse_html(markup)

    assert parsed_text == text
    assert [(e["type"], e["offset"], e["length"]) for e in parsed] == entities


@pytest.mark.parametrize(
    ("markup", "reason"),
    [
        ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
        ("🏟 🏟&lt;<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'),
        ("🏟 🏟&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"),
        ("🏟 🏟&lt;<b></b></", "Unexpected end tag at byte offset 20"),
        ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
        ("&#xDFDF;", "Text contains invalid Unicode characters after decoding HTML entities"),
    ],
)
def test_html_errors_match_tdlib(markup: str, reason: str) -> None:
    with pytest.raises(EntityParseError) as error:
        parse_html(markup)

    assert str(error.value).startswith(reason)
