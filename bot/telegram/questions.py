"""Questions typed to the bot, and the answers to a "did you mean…": thin, they delegate
to the conversation service."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import re

from telegram import Message, Update
from telegram.constants import ChatAction, ChatType, MessageEntityType
from telegram.error import TelegramError

from bot.conversation import Reply, ReplyKind
from bot.i18n import N_
from bot.ratelimit import Verdict
from bot.rendering import NOT_TEXT, RATE_LIMITED, reply_html
from bot.storage import StorageError, pressed_by_someone_else
from bot.telegram import callback_data as cd
from bot.telegram import handoff, keyboards, languages
from bot.telegram.browsing import answer_view, pressed_topic
from bot.telegram.context import Context
from bot.telegram.languages import user_translator
from bot.telegram.sending import edit_or_send, send_html

log = logging.getLogger(__name__)

THUMBS_UP_TYPED = N_("Glad that helped! Ask me anything else, or browse with /topics.")
THUMBS_DOWN_TYPED = N_(
    "Sorry that did not help. Try asking in other words, browse with /topics, or use /contact."
)
_THUMBS_UP = frozenset({"👍", "👌", "👏"})
_THUMBS_DOWN = frozenset({"👎"})
_SKIN_TONES = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")
ANSWERED_KEPT = 50
TYPING_AFTER_SECONDS = 0.3
"""Show "typing…" only when an answer is not ready by then (a slow database, a busy bot):
most answers take a millisecond, and the extra Bot API call per question would cost about a
third of the bot's throughput for an indicator nobody sees."""


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


async def question(update: Update, context: Context) -> None:
    """Answer a free-text question: answer, 'did you mean…', or an honest fallback."""
    svc = context.bot_data
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
    if await over_limit(update, context):
        return
    _remember_answered(context, message)
    if await handoff.take_pending_question(update, context, text):
        return
    acknowledgement = _typed_vote(text)
    if acknowledgement is not None:  # a 👍 typed as a message: not a failed question
        t = await user_translator(update, context)
        await send_html(message, html.escape(t.gettext(acknowledgement), quote=False))
        return
    await _answer(update, context, message, text)


async def over_limit(update: Update, context: Context) -> bool:
    """True when the user is over the per-user rate limit (told once per burst, then not)."""
    user = update.effective_user
    message = update.effective_message
    if user is None or message is None:
        return False
    verdict = context.bot_data.limiter.check(user.id)
    if verdict is Verdict.WARN:
        t = await user_translator(update, context)
        await send_html(message, html.escape(t.gettext(RATE_LIMITED), quote=False))
    return verdict is not Verdict.ALLOW


async def _answer(update: Update, context: Context, message: Message, text: str) -> None:
    svc = context.bot_data
    user = update.effective_user
    assert user is not None
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


def _text_or_caption(message: Message) -> str | None:
    return message.text if message.text is not None else message.caption


def _remember_answered(context: Context, message: Message) -> None:
    text = _text_or_caption(message)
    if context.chat_data is None or text is None:
        return
    answered = context.chat_data.answered
    answered[message.message_id] = text
    while len(answered) > ANSWERED_KEPT:
        del answered[next(iter(answered))]


async def not_text(update: Update, context: Context) -> None:
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
    svc = context.bot_data
    if update.effective_user and svc.limiter.check(update.effective_user.id) is not Verdict.ALLOW:
        return
    t = await user_translator(update, context)
    await send_html(message, html.escape(t.gettext(NOT_TEXT), quote=False))


async def edited(update: Update, context: Context) -> None:
    """An edited question is answered like a new one (a corrected typo deserves an answer);
    an edit that leaves the text as answered (a link preview, a bot-side change) is not."""
    message = update.effective_message
    if message is None or message.chat.id == context.bot_data.settings.staff_chat_id:
        return  # staff edit their replies to users; resending them would duplicate
    text = _text_or_caption(message)
    if text is None or text.startswith("/"):
        return
    answered = context.chat_data.answered if context.chat_data is not None else {}
    if answered.get(message.message_id) == text:
        log.debug("edited message %s: text unchanged, not answered again", message.message_id)
        return
    await question(update, context)


# --- "did you mean…" buttons --------------------------------------------------------------

NOT_YOUR_QUESTION = N_("Only the person who asked can pick from these options.")


async def _pressed_by_someone_else(
    update: Update, context: Context, exchange_id: int | None
) -> bool:
    """Whether a button under an answer was pressed by another member of a group than the
    person who asked: their pick would replace the asker's message and be recorded as the
    asker's. Unknown (no record, not stored) counts as the asker."""
    svc = context.bot_data
    presser = update.effective_user
    if not exchange_id or presser is None:
        return False
    try:
        exchange = await svc.storage.exchange(exchange_id)
    except StorageError as exc:
        log.error("could not read exchange %s: %s", exchange_id, exc)
        return False
    asker = exchange.user_key if exchange is not None else None
    return pressed_by_someone_else(asker, svc.user_key(presser.id))


async def choose(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    """One of the clarification's choices: its answer, in place of the question."""
    svc = context.bot_data
    t = await user_translator(update, context)
    exchange_id = data.int_arg(0)
    if await _pressed_by_someone_else(update, context, exchange_id):
        return t.gettext(NOT_YOUR_QUESTION)
    topic = await pressed_topic(update, svc, t, data.arg(1))
    if topic is None:
        return None
    if exchange_id:
        presser = update.effective_user
        await svc.conversation.record_choice(
            exchange_id,
            topic.id,
            user_key=svc.user_key(presser.id) if presser is not None else None,
        )
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


async def none_of_these(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    svc = context.bot_data
    t = await user_translator(update, context)
    if await _pressed_by_someone_else(update, context, data.int_arg(0)):
        return t.gettext(NOT_YOUR_QUESTION)
    reply = await svc.conversation.none_of_these(data.int_arg(0), language=t.language)
    await edit_or_send(
        update,
        reply_html(reply, handoff=svc.handoff_enabled),
        keyboards.reply_keyboard(reply, handoff=svc.handoff_enabled),
    )
    return None
