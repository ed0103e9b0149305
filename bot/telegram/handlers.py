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
from bot.i18n import N_, Translator, translator
from bot.message_split import split_html, telegram_length
from bot.ratelimit import Verdict
from bot.rendering import (
    NOT_TEXT,
    RATE_LIMITED,
    brief_answer_html,
    contact_page_html,
    markup_html,
    reply_html,
)
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
LINK_UNKNOWN = N_("The topic in that link does not exist (any more).")
CATEGORY_GONE = N_("This category no longer exists.")
BUTTON_EXPIRED = N_("This button has expired.")
THANKS = N_("Thanks!")
FEEDBACK_THANKS = N_("Thanks for your feedback!")
FEEDBACK_CHANGED = N_("Vote changed. Thanks!")
FEEDBACK_FAILED = N_("Sorry, I could not save that right now.")
THUMBS_UP_TYPED = N_("Glad that helped! Ask me anything else, or browse with /topics.")
THUMBS_DOWN_TYPED = N_(
    "Sorry that did not help. Try asking in other words, browse with /topics, or use /contact."
)
_THUMBS_UP = frozenset({"👍", "👌", "👏"})
_THUMBS_DOWN = frozenset({"👎"})
_SKIN_TONES = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")
ANSWERED_KEY = "ktbot.answered"
"""chat_data key: {message id: the text answered}, so an edit is answered once per text."""
ANSWERED_KEPT = 50
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
    return reply_html(reply, handoff=svc.handoff_enabled)


def answer_view(
    reply: Reply, svc: BotServices, keyboard: InlineKeyboardMarkup | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """An answer as sent: cut to one phone screen, with "More" for the rest, when long."""
    brief = brief_answer_html(reply, handoff=svc.handoff_enabled)
    if brief is None or reply.topic is None:
        return reply_html(reply, handoff=svc.handoff_enabled), keyboard
    return brief, keyboards.with_more(keyboard, reply.topic, translator(reply.language))


def topic_view(
    topic: Topic, svc: BotServices, t: Translator
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A topic opened from the browser, a related button or a deep link."""
    kb = svc.knowledge.kb
    reply = Reply(ReplyKind.ANSWER, kb, topic=topic, language=t.language)
    return answer_view(reply, svc, keyboards.browsed_topic_keyboard(topic, kb, t))


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
            await send_html(message, *topic_view(topic, svc, t))
            return
        # An outdated or mistyped link: say so, and open the browser rather than a dead end.
        log.info("unknown deep link %r: showing the topic browser", context.args[0][:64])
        await send_html(
            message, _gone_html(t.gettext(LINK_UNKNOWN), t), keyboards.categories_keyboard(kb)
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
    if not svc.handoff_enabled:  # no staff chat, no button: the public contact page
        text = contact_page_html(svc.knowledge.kb, t)
    elif topic:
        text = topic_html(topic, svc, t.language)
    else:
        text = html.escape(t.gettext(NO_CONTACT_TOPIC), quote=False)
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
    # A photo's caption is read like a message's text.
    captioned = message.text is None and message.caption is not None
    text = (message.caption if captioned else message.text) or ""
    if message.chat.type == ChatType.PRIVATE:
        return text
    mention = f"@{bot_username}".casefold()
    types: list[str | None] = [MessageEntityType.MENTION]
    entities = message.parse_caption_entities(types) if captioned else message.parse_entities(types)
    mentioned = any(
        entity.type == MessageEntityType.MENTION and value.casefold() == mention
        for entity, value in entities.items()
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
    _remember_answered(context, message)
    if await handoff.take_pending_question(update, context, text):
        return
    acknowledgement = _typed_vote(text)
    if acknowledgement is not None:  # a 👍 typed as a message: not a failed question
        t = await user_translator(update, context)
        await send_html(message, html.escape(t.gettext(acknowledgement), quote=False))
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
    await send_html(message, *answer_view(reply, svc, keyboard))


def _typed_vote(text: str) -> str | None:
    """The acknowledgement for a message that is only a thumbs-up (or down), else None."""
    bare = _SKIN_TONES.sub("", text).strip(" !.").casefold()
    if bare in _THUMBS_UP:
        return THUMBS_UP_TYPED
    if bare in _THUMBS_DOWN:
        return THUMBS_DOWN_TYPED
    return None


def _remember_answered(context: ContextTypes.DEFAULT_TYPE, message: Message) -> None:
    text = message.text if message.text is not None else message.caption
    if context.chat_data is None or text is None:
        return
    answered: dict[int, str] = context.chat_data.setdefault(ANSWERED_KEY, {})
    answered[message.message_id] = text
    while len(answered) > ANSWERED_KEPT:
        del answered[next(iter(answered))]


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice, files, locations: say what the bot can read.

    A photo or file whose caption is a question is answered like a text message."""
    message = update.effective_message
    if message is None or await handoff.take_media(update, context):
        return
    if message.caption and message.caption.strip():
        await question(update, context)
        return
    if message.chat.type != ChatType.PRIVATE:
        return
    svc = services(context)
    if update.effective_user and svc.limiter.check(update.effective_user.id) is not Verdict.ALLOW:
        return
    t = await user_translator(update, context)
    await send_html(message, html.escape(t.gettext(NOT_TEXT), quote=False))


async def edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited question is answered like a new one (a corrected typo deserves an answer);
    an edit that leaves the text as answered (a link preview, a bot-side change) is not."""
    message = update.effective_message
    if message is None or message.chat.id == services(context).settings.staff_chat_id:
        return  # staff edit their replies to users; resending them would duplicate
    text = message.text if message.text is not None else message.caption
    if text is None or text.startswith("/"):
        return
    answered = (context.chat_data or {}).get(ANSWERED_KEY, {})
    if answered.get(message.message_id) == text:
        log.debug("edited message %s: text unchanged, not answered again", message.message_id)
        return
    await question(update, context)


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
            await _browse_instead(update, svc, t.gettext(TOPIC_GONE), t)
        else:
            await edit_or_send(update, *topic_view(topic, svc, t))
    elif data.action == cd.RELATED:
        topic = _topic(svc, data.arg(0))
        if topic is None:  # the answer above stays: the browser comes as a new message
            await _browse_instead(update, svc, t.gettext(TOPIC_GONE), t, new_message=True)
        elif isinstance(query.message, Message):
            await send_html(query.message, *topic_view(topic, svc, t))
    elif data.action == cd.MORE:
        topic = _topic(svc, data.arg(0))
        if topic is None:
            await _browse_instead(update, svc, t.gettext(TOPIC_GONE), t)
        else:  # the whole answer in place, under the same buttons but "More"
            reply = Reply(ReplyKind.ANSWER, kb, topic=topic, language=t.language)
            shown = query.message.reply_markup if isinstance(query.message, Message) else None
            await edit_or_send(
                update,
                reply_html(reply, handoff=svc.handoff_enabled),
                keyboards.without_more(shown),
            )
    elif data.action == cd.CATEGORY:
        category = kb.categories.get(data.arg(0))
        if category is None:
            await _browse_instead(update, svc, t.gettext(CATEGORY_GONE), t)
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
            update,
            reply_html(reply, handoff=svc.handoff_enabled),
            keyboards.reply_keyboard(reply, handoff=svc.handoff_enabled),
        )
    elif data.action == cd.FEEDBACK:
        notice = await _feedback(update, svc, data, t)
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


def _gone_html(why: str, t: Translator) -> str:
    """One line saying why, then the topic browser's prompt."""
    return f"{html.escape(why, quote=False)}\n\n{choose_category_html(t)}"


async def _browse_instead(
    update: Update, svc: BotServices, why: str, t: Translator, *, new_message: bool = False
) -> None:
    """A button of a removed topic or category: the topic browser, with the reason."""
    query = update.callback_query
    assert query is not None
    text = _gone_html(why, t)
    keyboard = keyboards.categories_keyboard(svc.knowledge.kb)
    if new_message and isinstance(query.message, Message):
        await send_html(query.message, text, keyboard)
    else:
        await edit_or_send(update, text, keyboard)


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
        await _browse_instead(update, svc, t.gettext(TOPIC_GONE), t)
        return None
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
    keyboard = keyboards.reply_keyboard(reply, handoff=svc.handoff_enabled)
    await edit_or_send(update, *answer_view(reply, svc, keyboard))
    return None


async def _feedback(update: Update, svc: BotServices, data: cd.CallbackData, t: Translator) -> str:
    exchange_id = data.int_arg(0)
    if not exchange_id or svc.storage is None:
        return t.gettext(THANKS)
    helpful = data.arg(1) == "1"
    try:
        await svc.storage.record_feedback(exchange_id, helpful)
    except StorageError as exc:
        log.error("could not record feedback for exchange %s: %s", exchange_id, exc)
        return t.gettext(FEEDBACK_FAILED)
    # Show the vote that counts on the message itself (👍 ✓); the other thumb changes it.
    query = update.callback_query
    shown = query.message.reply_markup if query and isinstance(query.message, Message) else None
    if query is None or shown is None:
        return t.gettext(FEEDBACK_THANKS)
    marked, before = keyboards.with_vote(shown, helpful)
    if before is not helpful:
        with contextlib.suppress(TelegramError):  # a deleted or too old message: keep the vote
            await query.edit_message_reply_markup(marked)
    changed = before is not None and before is not helpful
    return t.gettext(FEEDBACK_CHANGED if changed else FEEDBACK_THANKS)


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
