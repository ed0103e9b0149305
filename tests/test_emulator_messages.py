"""The emulator's sendMessage and message editing, specified through python-telegram-bot's own
Bot, and its HTML parser against TDLib's test cases."""

from __future__ import annotations

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest

from tests.emulator import EntityParseError, User, parse_html
from tests.emulator.fixtures import bot_api  # noqa: F401 - the fixture
from tests.emulator_helpers import Emulator, choice_keyboard, error_of
from tests.emulator_helpers import alice as alice  # the fixture
from tests.emulator_helpers import bot as bot  # the fixture

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

    assert error_of(bot_api, "sendMessage") == f"Bad Request: can't parse entities: {reason}"
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

    assert error_of(bot_api, "sendMessage") == f"Bad Request: {reason}"


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

    assert error_of(bot_api, "sendMessage") == "Bad Request: BUTTON_DATA_INVALID"


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
