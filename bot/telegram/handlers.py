"""User-facing Telegram callbacks: thin, they delegate to the conversation service."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ChatType, MessageEntityType, ParseMode
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.ext import ContextTypes

from bot.conversation import Reply, ReplyKind
from bot.message_split import split_html, telegram_length
from bot.ratelimit import Verdict
from bot.rendering import NOT_TEXT, RATE_LIMITED, markup_html, reply_html
from bot.storage import StorageError
from bot.telegram import callback_data as cd
from bot.telegram import handoff, keyboards
from bot.telegram.errors import short_error
from bot.telegram.services import BotServices, services
from intents.language import DEFAULT_LANGUAGE, Language, language_of_code
from intents.limits import TELEGRAM_MESSAGE_LIMIT
from intents.models import Topic

log = logging.getLogger(__name__)

WELCOME_TOPIC = "about.bot"
CONTACT_TOPIC = "route.contact"
CHOOSE_CATEGORY = "What would you like to know about? Choose a category:"
UNKNOWN_COMMAND = "I don’t know that command. Try /help, /topics or simply type your question."
SEND_ATTEMPTS = 2
SEND_RETRY_SECONDS = 1.0
TYPING_AFTER_SECONDS = 0.3
"""Show "typing…" only when an answer is not ready by then (a slow database, a busy bot):
most answers take a millisecond, and the extra Bot API call per question would cost about a
third of the bot's throughput for an indicator nobody sees."""
FORGET_PROMPT = (
    "Delete everything this bot has recorded about you (your questions, feedback and any "
    "hand-off to staff)? This cannot be undone."
)


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


LAST_LANGUAGE = "ktbot.language"
"""user_data key: the language of the user's last question (in memory only)."""


def user_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Language:
    """The language of an answer not asked in words (a button, a deep link, /help): that of
    the user's last question, else their Telegram app's, else English."""
    last = context.user_data.get(LAST_LANGUAGE) if context.user_data else None
    if last is not None:
        return last
    user = update.effective_user
    return language_of_code(user.language_code if user else None) or DEFAULT_LANGUAGE


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
    if context.args:
        topic_id = cd.topic_from_payload(context.args[0])
        # find_topic: a link shared before a topic was renamed opens the renamed topic.
        topic = kb.find_topic(topic_id) or kb.find_topic(context.args[0])
        if topic is not None:
            await send_html(
                message,
                topic_html(topic, svc, user_language(update, context)),
                keyboards.browsed_topic_keyboard(topic, kb),
            )
            return
    welcome = kb.topics.get(WELCOME_TOPIC)
    text = markup_html(welcome.answer) if welcome else CHOOSE_CATEGORY
    await send_html(message, f"{text}\n\n{CHOOSE_CATEGORY}", keyboards.categories_keyboard(kb))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Explain what the bot covers and how to use it."""
    svc = services(context)
    if update.effective_message is None:
        return
    topic = svc.knowledge.kb.topics.get(WELCOME_TOPIC)
    language = user_language(update, context)
    text = topic_html(topic, svc, language) if topic else html.escape(CHOOSE_CATEGORY)
    await send_html(update.effective_message, text, keyboards.categories_keyboard(svc.knowledge.kb))


async def topics_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Open the topic browser."""
    svc = services(context)
    if update.effective_message is None:
        return
    await send_html(
        update.effective_message, CHOOSE_CATEGORY, keyboards.categories_keyboard(svc.knowledge.kb)
    )


async def contact_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """How to reach a person, with the hand-off button when staff chat is configured."""
    svc = services(context)
    if update.effective_message is None:
        return
    topic = svc.knowledge.kb.topics.get(CONTACT_TOPIC)
    language = user_language(update, context)
    text = (
        topic_html(topic, svc, language)
        if topic
        else "Please see https://kt.cern/ to reach the team."
    )
    keyboard = keyboards.talk_keyboard() if svc.handoff_enabled else None
    await send_html(update.effective_message, text, keyboard)


async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask for confirmation before deleting what was recorded about the user."""
    if update.effective_message is None:
        return
    await send_html(update.effective_message, FORGET_PROMPT, keyboards.forget_keyboard())


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other command, admin ones included for non-admins: reveal nothing, offer help."""
    if update.effective_message is None:
        return
    await send_html(update.effective_message, UNKNOWN_COMMAND)


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
    return text.replace(f"@{bot_username}", " ").strip()


async def question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a free-text question: answer, 'did you mean…', or an honest fallback."""
    svc = services(context)
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or user.is_bot:
        return
    if svc.settings.staff_chat_id is not None and message.chat.id == svc.settings.staff_chat_id:
        await handoff.staff_reply(update, context)
        return
    text = addressed_text(message, context.bot.username, context.bot.id)
    if text is None:
        return
    verdict = svc.limiter.check(user.id)
    if verdict is Verdict.DROP:
        return
    if verdict is Verdict.WARN:
        await send_html(message, html.escape(RATE_LIMITED))
        return
    if await handoff.take_pending_question(update, context, text):
        return
    answering = asyncio.ensure_future(
        svc.conversation.ask(
            text,
            user_key=svc.user_key(user.id),
            update_id=update.update_id,
            language_code=user.language_code,
        )
    )
    done, _ = await asyncio.wait({answering}, timeout=TYPING_AFTER_SECONDS)
    if not done:
        with contextlib.suppress(TelegramError):
            await context.bot.send_chat_action(message.chat.id, ChatAction.TYPING)
    reply = await answering
    handoff.remember_question(context, reply, text)
    if context.user_data is not None:
        context.user_data[LAST_LANGUAGE] = reply.language
    keyboard = keyboards.reply_keyboard(reply, handoff=svc.handoff_enabled)
    await send_html(message, reply_html(reply), keyboard)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, files, locations: say what the bot can read."""
    message = update.effective_message
    if message is None or message.chat.type != ChatType.PRIVATE:
        return
    svc = services(context)
    if update.effective_user and svc.limiter.check(update.effective_user.id) is not Verdict.ALLOW:
        return
    await send_html(message, html.escape(NOT_TEXT))


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
    notice: str | None = None
    if data.action == cd.SHOW_TOPIC:
        topic = _topic(svc, data.arg(0))
        if topic is None:
            notice = "This topic no longer exists."
        else:
            await edit_or_send(
                update,
                topic_html(topic, svc, user_language(update, context)),
                keyboards.browsed_topic_keyboard(topic, kb),
            )
    elif data.action == cd.RELATED:
        topic = _topic(svc, data.arg(0))
        if topic is None:
            notice = "This topic no longer exists."
        elif isinstance(query.message, Message):
            await send_html(
                query.message,
                topic_html(topic, svc, user_language(update, context)),
                keyboards.browsed_topic_keyboard(topic, kb),
            )
    elif data.action == cd.CATEGORY:
        category = kb.categories.get(data.arg(0))
        if category is None:
            notice = "This category no longer exists."
        else:
            text = f"<b>{html.escape(category.title)}</b>\n{html.escape(category.description)}"
            await edit_or_send(update, text, keyboards.category_keyboard(kb, category.id))
    elif data.action == cd.HOME:
        await edit_or_send(update, CHOOSE_CATEGORY, keyboards.categories_keyboard(kb))
    elif data.action == cd.CHOOSE:
        notice = await _choose(update, svc, data, user_language(update, context))
    elif data.action == cd.NONE_OF_THESE:
        reply = await svc.conversation.none_of_these(data.int_arg(0))
        await edit_or_send(
            update, reply_html(reply), keyboards.reply_keyboard(reply, handoff=svc.handoff_enabled)
        )
    elif data.action == cd.FEEDBACK:
        notice = await _feedback(update, svc, data)
    elif data.action == cd.FORGET:
        notice = await _forget(update, svc, data)
    elif data.action in (cd.HANDOFF, cd.HANDOFF_CONSENT):
        notice = await handoff.on_button(update, context, data)
    elif data.action in (cd.ADMIN_RESOLVE, cd.ADMIN_IGNORE, cd.ADMIN_PAGE):
        from bot.telegram import admin

        notice = await admin.on_button(update, context, data)
    else:
        notice = "This button has expired."
    with contextlib.suppress(TelegramError):
        await query.answer(notice)


def _topic(svc: BotServices, token: str) -> Topic | None:
    kb = svc.knowledge.kb
    # Buttons sent before a topic was renamed name its former id (or that id's hash).
    topic_id = cd.resolve_topic_token(token, [*kb.topics, *kb.former_ids])
    return kb.find_topic(topic_id) if topic_id else None


async def _choose(
    update: Update, svc: BotServices, data: cd.CallbackData, language: Language
) -> str | None:
    topic = _topic(svc, data.arg(1))
    if topic is None:
        return "This topic no longer exists."
    exchange_id = data.int_arg(0)
    if exchange_id:
        await svc.conversation.record_choice(exchange_id, topic.id)
    reply = Reply(
        ReplyKind.ANSWER,
        svc.knowledge.kb,
        topic=topic,
        exchange_id=exchange_id or None,
        language=language,
    )
    await edit_or_send(
        update, reply_html(reply), keyboards.reply_keyboard(reply, handoff=svc.handoff_enabled)
    )
    return None


async def _feedback(update: Update, svc: BotServices, data: cd.CallbackData) -> str:
    exchange_id = data.int_arg(0)
    if not exchange_id or svc.storage is None:
        return "Thanks!"
    try:
        await svc.storage.record_feedback(exchange_id, data.arg(1) == "1")
    except StorageError as exc:
        log.error("could not record feedback for exchange %s: %s", exchange_id, exc)
        return "Sorry, I could not save that right now."
    return "Thanks for your feedback!"


async def _forget(update: Update, svc: BotServices, data: cd.CallbackData) -> str | None:
    query = update.callback_query
    assert query is not None
    if data.arg(0) != "y":
        await edit_or_send(update, "Nothing was deleted.", None)
        return None
    if svc.storage is None:
        await edit_or_send(update, "Nothing is recorded by this bot.", None)
        return None
    try:
        count = await svc.storage.forget_user(svc.user_key(query.from_user.id))
    except StorageError as exc:
        log.error("forget failed: %s", exc)
        return "Sorry, deletion failed; please try again later."
    await edit_or_send(update, f"Done: deleted {count} record(s) about you.", None)
    return None
