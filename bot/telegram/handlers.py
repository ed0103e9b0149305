"""User-facing Telegram callbacks: thin, they delegate to the conversation service."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import re

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ChatType, MessageEntityType, ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.ext import ContextTypes

from bot.conversation import Reply, ReplyKind
from bot.i18n import N_, Translator
from bot.message_split import split_html, telegram_length
from bot.ratelimit import Verdict
from bot.rendering import NOT_TEXT, RATE_LIMITED, markup_html, reply_html
from bot.storage import StorageError
from bot.telegram import callback_data as cd
from bot.telegram import handoff, keyboards, languages
from bot.telegram.errors import short_error
from bot.telegram.languages import user_translator
from bot.telegram.services import BotServices, services
from intents import DEFAULT_LANGUAGE, TELEGRAM_MESSAGE_LIMIT, Language, Topic, localized_answer

log = logging.getLogger(__name__)

CHOOSE_CATEGORY = N_("What would you like to know about? Choose a category:")
UNKNOWN_COMMAND = N_("I don’t know that command. Try /help, /topics or simply type your question.")
NO_CONTACT_TOPIC = N_("Please see https://kt.cern/ to reach the team.")
FORGET_PROMPT = N_(
    "Delete everything this bot has recorded about you (your questions, feedback and any "
    "hand-off to staff, your choice of language)? This cannot be undone."
)
NOTHING_DELETED = N_("Nothing was deleted.")
NOTHING_RECORDED = N_("Nothing is recorded by this bot.")
DELETION_FAILED = N_("Sorry, deletion failed; please try again later.")
TOPIC_GONE = N_("This topic no longer exists.")
CATEGORY_GONE = N_("This category no longer exists.")
BUTTON_EXPIRED = N_("This button has expired.")
THANKS = N_("Thanks!")
FEEDBACK_THANKS = N_("Thanks for your feedback!")
FEEDBACK_FAILED = N_("Sorry, I could not save that right now.")
SEND_ATTEMPTS = 2
SEND_RETRY_SECONDS = 1.0
TYPING_AFTER_SECONDS = 0.3
"""Show "typing…" only when an answer is not ready by then (a slow database, a busy bot):
most answers take a millisecond, and the extra Bot API call per question would cost about a
third of the bot's throughput for an indicator nobody sees."""


# --- sending ------------------------------------------------------------------------------


async def send_html(
    message: Message, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> Message:
    """Reply in the same chat; in groups, thread the reply to the user's message.

    A message over Telegram's limit is sent in parts (`bot.message_split`), the keyboard
    under the last, rather than refused and lost.
    """
    parts = split_html(text)
    if len(parts) > 1:
        # `ktbot check` refuses answers this long; reaching here means a message it cannot
        # see (built around user text) grew too long: send it in parts rather than lose it.
        log.warning(
            "reply to chat %s is over Telegram's limit (%d characters): sent in %d parts",
            message.chat.id,
            telegram_length(text),
            len(parts),
        )
    for part in parts[:-1]:
        await _send_part(message, part, None)
    return await _send_part(message, parts[-1], keyboard)


async def _send_part(message: Message, text: str, keyboard: InlineKeyboardMarkup | None) -> Message:
    """Send one message.

    A reply refused by a network error (a proxy's 502, a dropped connection) is sent once
    more: an unanswered enquiry is a lost lead, a rare duplicate only a nuisance. Timeouts
    are not retried (the message may well have gone) and bad requests would fail again.
    """
    quote = message.chat.type != ChatType.PRIVATE
    attempts_left = SEND_ATTEMPTS
    while True:
        attempts_left -= 1
        try:
            return await message.reply_html(
                text, reply_markup=keyboard, do_quote=quote, disable_web_page_preview=True
            )
        except NetworkError as exc:
            if isinstance(exc, BadRequest | TimedOut) or not attempts_left:
                raise
            log.warning(
                "reply to chat %s failed (%s); sending it again in %gs",
                message.chat.id,
                short_error(exc),
                SEND_RETRY_SECONDS,
            )
            await asyncio.sleep(SEND_RETRY_SECONDS)


def topic_html(topic: Topic, svc: BotServices, language: Language = DEFAULT_LANGUAGE) -> str:
    reply = Reply(ReplyKind.ANSWER, svc.knowledge.kb, topic=topic, language=language)
    return reply_html(reply)


def choose_category_html(t: Translator) -> str:
    return html.escape(t.gettext(CHOOSE_CATEGORY), quote=False)


async def edit_or_send(update: Update, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    """Edit the pressed message in place (browsing); send anew if it cannot be edited."""
    query = update.callback_query
    assert query is not None
    if telegram_length(text) > TELEGRAM_MESSAGE_LIMIT and isinstance(query.message, Message):
        await send_html(query.message, text, keyboard)  # one message cannot hold it: split
        return
    try:
        await query.edit_message_text(
            text,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            disable_web_page_preview=True,
        )
    except BadRequest as exc:
        if "not modified" in str(exc).lower():
            return
        if isinstance(query.message, Message):
            await send_html(query.message, text, keyboard)


# --- commands -----------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome the user, or open a topic from a deep link (t.me/<bot>?start=project__flash)."""
    svc = services(context)
    message = update.effective_message
    if message is None:
        return
    kb = svc.knowledge.kb
    t = await user_translator(update, context)
    if context.args:
        topic_id = cd.topic_from_payload(context.args[0])
        # find_topic: a link shared before a topic was renamed opens the renamed topic.
        topic = kb.find_topic(topic_id) or kb.find_topic(context.args[0])
        if topic is not None:
            await send_html(
                message,
                topic_html(topic, svc, t.language),
                keyboards.browsed_topic_keyboard(topic, kb, t),
            )
            return
    welcome = kb.welcome_topic
    # The welcome topic's answer alone (its title would repeat the bot's name), translated.
    text = markup_html(localized_answer(welcome, t.language).answer) if welcome else ""
    await send_html(
        message,
        "\n\n".join(filter(None, [text, choose_category_html(t)])),
        keyboards.categories_keyboard(kb),
    )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain what the bot covers and how to use it."""
    svc = services(context)
    if update.effective_message is None:
        return
    topic = svc.knowledge.kb.welcome_topic
    t = await user_translator(update, context)
    text = topic_html(topic, svc, t.language) if topic else choose_category_html(t)
    await send_html(update.effective_message, text, keyboards.categories_keyboard(svc.knowledge.kb))


async def topics_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Open the topic browser."""
    svc = services(context)
    if update.effective_message is None:
        return
    t = await user_translator(update, context)
    await send_html(
        update.effective_message,
        choose_category_html(t),
        keyboards.categories_keyboard(svc.knowledge.kb),
    )


async def contact_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """How to reach a person, with the hand-off button when staff chat is configured."""
    svc = services(context)
    if update.effective_message is None:
        return
    topic = svc.knowledge.kb.contact_topic
    t = await user_translator(update, context)
    text = (
        topic_html(topic, svc, t.language)
        if topic
        else html.escape(t.gettext(NO_CONTACT_TOPIC), quote=False)
    )
    keyboard = keyboards.talk_keyboard(t) if svc.handoff_enabled else None
    await send_html(update.effective_message, text, keyboard)


async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for confirmation before deleting what was recorded about the user."""
    if update.effective_message is None:
        return
    t = await user_translator(update, context)
    prompt = t.gettext(FORGET_PROMPT)
    if services(context).handoff_enabled:  # say what a deletion cannot reach
        prompt += "\n\n" + t.gettext(handoff.FORGET_STAFF_COPIES)
    await send_html(
        update.effective_message, html.escape(prompt, quote=False), keyboards.forget_keyboard(t)
    )


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other command, admin ones included for non-admins: reveal nothing, offer help."""
    if update.effective_message is None:
        return
    t = await user_translator(update, context)
    await send_html(update.effective_message, html.escape(t.gettext(UNKNOWN_COMMAND), quote=False))


# --- messages -----------------------------------------------------------------------------


def addressed_text(message: Message, bot_username: str, bot_id: int) -> str | None:
    """The question text, or None when a group message is not meant for the bot."""
    text = message.text or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    mention = f"@{bot_username}".casefold()
    mentioned = any(
        entity.type == MessageEntityType.MENTION and value.casefold() == mention
        for entity, value in message.parse_entities([MessageEntityType.MENTION]).items()
    )
    replied = (
        message.reply_to_message is not None
        and message.reply_to_message.from_user is not None
        and message.reply_to_message.from_user.id == bot_id
    )
    if not (mentioned or replied):
        return None
    # Usernames are case-insensitive: "@KTBOT_TEST_BOT" is a mention too, and must go.
    return re.sub(rf"@{re.escape(bot_username)}\b", " ", text, flags=re.IGNORECASE).strip()


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a free-text question: answer, 'did you mean…', or an honest fallback."""
    svc = services(context)
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or user.is_bot:
        return
    # A reply to an enquiry in the staff chat goes to its user; anything else there is a
    # group message like any other (staff may ask the bot too).
    if message.chat.id == svc.settings.staff_chat_id and await handoff.staff_reply(update, context):
        return
    text = addressed_text(message, context.bot.username, context.bot.id)
    if text is None:
        return
    verdict = svc.limiter.check(user.id)
    if verdict is Verdict.DROP:
        return
    if verdict is Verdict.WARN:
        t = await user_translator(update, context)
        await send_html(message, html.escape(t.gettext(RATE_LIMITED), quote=False))
        return
    if await handoff.take_pending_question(update, context, text):
        return
    answering = asyncio.ensure_future(
        svc.conversation.ask(
            text,
            user_key=svc.user_key(user.id),
            update_id=update.update_id,
            language_code=user.language_code,
            chosen_language=await languages.chosen_language(update, context),
        )
    )
    done, _ = await asyncio.wait({answering}, timeout=TYPING_AFTER_SECONDS)
    if not done:
        with contextlib.suppress(TelegramError):
            await context.bot.send_chat_action(message.chat.id, ChatAction.TYPING)
    reply = await answering
    languages.remember_question_language(context, reply.language)
    keyboard = keyboards.reply_keyboard(reply, handoff=svc.handoff_enabled)
    await send_html(message, reply_html(reply), keyboard)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, files, locations: say what the bot can read."""
    message = update.effective_message
    if message is None or await handoff.take_media(update, context):
        return
    if message.chat.type != ChatType.PRIVATE:
        return
    svc = services(context)
    if update.effective_user and svc.limiter.check(update.effective_user.id) is not Verdict.ALLOW:
        return
    t = await user_translator(update, context)
    await send_html(message, html.escape(t.gettext(NOT_TEXT), quote=False))


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Edits are not re-answered: the original question already was."""
    log.debug("ignoring edited message in update %s", update.update_id)


# --- buttons ------------------------------------------------------------------------------


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route an inline-button press by its callback data."""
    query = update.callback_query
    if query is None:
        return
    svc = services(context)
    data = cd.decode(query.data)
    kb = svc.knowledge.kb
    t = await user_translator(update, context)
    notice: str | None = None
    if data.action == cd.SHOW_TOPIC:
        topic = _topic(svc, data.arg(0))
        if topic is None:
            notice = t.gettext(TOPIC_GONE)
        else:
            await edit_or_send(
                update,
                topic_html(topic, svc, t.language),
                keyboards.browsed_topic_keyboard(topic, kb, t),
            )
    elif data.action == cd.RELATED:
        topic = _topic(svc, data.arg(0))
        if topic is None:
            notice = t.gettext(TOPIC_GONE)
        elif isinstance(query.message, Message):
            await send_html(
                query.message,
                topic_html(topic, svc, t.language),
                keyboards.browsed_topic_keyboard(topic, kb, t),
            )
    elif data.action == cd.CATEGORY:
        category = kb.categories.get(data.arg(0))
        if category is None:
            notice = t.gettext(CATEGORY_GONE)
        else:
            text = f"<b>{html.escape(category.title)}</b>\n{html.escape(category.description)}"
            await edit_or_send(update, text, keyboards.category_keyboard(kb, category.id, t))
    elif data.action == cd.HOME:
        await edit_or_send(update, choose_category_html(t), keyboards.categories_keyboard(kb))
    elif data.action == cd.CHOOSE:
        notice = await _choose(update, svc, data, t)
    elif data.action == cd.NONE_OF_THESE:
        reply = await svc.conversation.none_of_these(data.int_arg(0), language=t.language)
        await edit_or_send(
            update, reply_html(reply), keyboards.reply_keyboard(reply, handoff=svc.handoff_enabled)
        )
    elif data.action == cd.FEEDBACK:
        notice = await _feedback(svc, data, t)
    elif data.action == cd.FORGET:
        notice = await _forget(update, context, data, t)
    elif data.action == cd.LANGUAGE:
        notice = await languages.on_button(update, context, data)
    elif data.action in (cd.HANDOFF, cd.HANDOFF_CONSENT, cd.ENQUIRY_CONSENT, cd.ENQUIRY_CLOSE):
        notice = await handoff.on_button(update, context, data)
    elif data.action in (cd.ADMIN_RESOLVE, cd.ADMIN_IGNORE, cd.ADMIN_PAGE):
        from bot.telegram import admin

        notice = await admin.on_button(update, context, data)
    else:
        notice = t.gettext(BUTTON_EXPIRED)
    with contextlib.suppress(TelegramError):
        await query.answer(notice)


def _topic(svc: BotServices, token: str) -> Topic | None:
    kb = svc.knowledge.kb
    # Buttons sent before a topic was renamed name its former id (or that id's hash).
    topic_id = cd.resolve_topic_token(token, [*kb.topics, *kb.former_ids])
    return kb.find_topic(topic_id) if topic_id else None


async def _choose(
    update: Update, svc: BotServices, data: cd.CallbackData, t: Translator
) -> str | None:
    topic = _topic(svc, data.arg(1))
    if topic is None:
        return t.gettext(TOPIC_GONE)
    exchange_id = data.int_arg(0)
    if exchange_id:
        await svc.conversation.record_choice(exchange_id, topic.id)
    reply = Reply(
        ReplyKind.ANSWER,
        svc.knowledge.kb,
        topic=topic,
        exchange_id=exchange_id or None,
        language=t.language,
    )
    await edit_or_send(
        update, reply_html(reply), keyboards.reply_keyboard(reply, handoff=svc.handoff_enabled)
    )
    return None


async def _feedback(svc: BotServices, data: cd.CallbackData, t: Translator) -> str:
    exchange_id = data.int_arg(0)
    if not exchange_id or svc.storage is None:
        return t.gettext(THANKS)
    try:
        await svc.storage.record_feedback(exchange_id, data.arg(1) == "1")
    except StorageError as exc:
        log.error("could not record feedback for exchange %s: %s", exchange_id, exc)
        return t.gettext(FEEDBACK_FAILED)
    return t.gettext(FEEDBACK_THANKS)


async def _forget(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: cd.CallbackData, t: Translator
) -> str | None:
    query = update.callback_query
    assert query is not None
    svc = services(context)
    if data.arg(0) != "y":
        await edit_or_send(update, html.escape(t.gettext(NOTHING_DELETED), quote=False), None)
        return None
    if svc.storage is None:
        await edit_or_send(update, html.escape(t.gettext(NOTHING_RECORDED), quote=False), None)
        return None
    try:
        await handoff.forget_enquiries(context, svc.user_key(query.from_user.id))
        count = await svc.storage.forget_user(svc.user_key(query.from_user.id))
    except StorageError as exc:
        log.error("forget failed: %s", exc)
        return t.gettext(DELETION_FAILED)
    languages.forget_languages(context)
    done = t.ngettext(
        "Done: deleted {count} record about you.", "Done: deleted {count} records about you.", count
    )
    await edit_or_send(update, html.escape(done.format(count=count), quote=False), None)
    return None
