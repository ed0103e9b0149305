"""'Talk to a person': forward a question to the KT staff chat, only with consent.

The user's name and handle leave the bot only after they press "Yes, share it"; staff
answer by replying to the forwarded message, and the bot relays the reply.
"""

from __future__ import annotations

import html
import logging

from telegram import Message, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.conversation import Reply
from bot.storage import StorageError
from bot.telegram import callback_data as cd
from bot.telegram import keyboards
from bot.telegram.services import services

log = logging.getLogger(__name__)

LAST_QUESTION = "last_question"
AWAITING_QUESTION = "awaiting_handoff_question"
PENDING_HANDOFF = "pending_handoff"

NOT_AVAILABLE = (
    "Forwarding to a person is not available right now. "
    "Please use the contact page of CERN Knowledge Transfer: https://kt.cern/"
)
ASK_QUESTION = (
    "Please type the question you would like to send to the CERN Knowledge Transfer team. "
    "I will ask before sharing anything."
)
CONSENT = (
    "I can forward your question to the CERN Knowledge Transfer team. To let them answer you "
    "here, I will share your <b>name</b> and <b>Telegram username</b> with them, together "
    "with this question:\n\n<i>{question}</i>\n\nDo you agree?"
)
FORWARDED = "✅ Forwarded. A member of the KT team will reply to you here."
DECLINED = "OK — nothing was shared."
STAFF_MESSAGE = (
    "📨 <b>Enquiry via ktbot</b> from {name}{handle}:\n\n{question}\n\n"
    "<i>Reply to this message to answer them through the bot.</i>"
)
STAFF_REPLY = "💬 <b>Reply from the CERN Knowledge Transfer team:</b>\n\n{text}"


def remember_question(context: ContextTypes.DEFAULT_TYPE, reply: Reply, text: str) -> None:
    if context.user_data is not None:
        context.user_data[LAST_QUESTION] = (reply.exchange_id or 0, text)


async def take_pending_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str
) -> bool:
    """If the user was asked to type a question for staff, this message is it."""
    if context.user_data is None or not context.user_data.pop(AWAITING_QUESTION, False):
        return False
    message = update.effective_message
    assert message is not None
    await _ask_consent(message, context, 0, text)
    return True


async def _ask_consent(
    message: Message, context: ContextTypes.DEFAULT_TYPE, exchange_id: int, question: str
) -> None:
    if context.user_data is not None:
        context.user_data[PENDING_HANDOFF] = (exchange_id, question)
    await message.reply_html(
        CONSENT.format(question=html.escape(question[:1000])),
        reply_markup=keyboards.consent_keyboard(exchange_id),
    )


async def on_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: cd.CallbackData
) -> str | None:
    query = update.callback_query
    assert query is not None
    svc = services(context)
    message = query.message if isinstance(query.message, Message) else None
    if message is None:
        return "This button has expired."
    if not svc.handoff_enabled:
        await message.reply_text(NOT_AVAILABLE)
        return None
    if data.action == cd.HANDOFF:
        exchange_id = data.int_arg(0) or 0
        question = await _question_for(context, exchange_id)
        if question is None:
            if context.user_data is not None:
                context.user_data[AWAITING_QUESTION] = True
            await message.reply_text(ASK_QUESTION)
        else:
            await _ask_consent(message, context, exchange_id, question)
        return None
    pending = context.user_data.pop(PENDING_HANDOFF, None) if context.user_data else None
    if data.arg(1) != "y":
        await query.edit_message_text(DECLINED)
        return None
    if pending is None:
        return "This request has expired; please press “Talk to a person” again."
    exchange_id, question = pending
    await _forward(update, context, exchange_id, question)
    await query.edit_message_text(FORWARDED)
    return None


async def _question_for(context: ContextTypes.DEFAULT_TYPE, exchange_id: int) -> str | None:
    svc = services(context)
    if exchange_id and svc.storage is not None:
        try:
            exchange = await svc.storage.exchange(exchange_id)
        except StorageError as exc:
            log.error("could not read exchange %s: %s", exchange_id, exc)
            exchange = None
        if exchange is not None:
            return exchange.question
    last = context.user_data.get(LAST_QUESTION) if context.user_data else None
    return last[1] if last else None


async def _forward(
    update: Update, context: ContextTypes.DEFAULT_TYPE, exchange_id: int, question: str
) -> None:
    svc = services(context)
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None and svc.settings.staff_chat_id is not None
    handle = f" (@{html.escape(user.username)})" if user.username else ""
    sent = await context.bot.send_message(
        svc.settings.staff_chat_id,
        STAFF_MESSAGE.format(
            name=html.escape(user.full_name), handle=handle, question=html.escape(question)
        ),
        parse_mode="HTML",
    )
    assert svc.storage is not None
    await svc.storage.record_handoff(
        exchange_id=exchange_id or None,
        user_key=svc.user_key(user.id),
        user_chat_id=chat.id,
        display_name=user.full_name + (f" (@{user.username})" if user.username else ""),
        question=question,
        staff_chat_id=svc.settings.staff_chat_id,
        staff_message_id=sent.message_id,
    )


async def staff_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A message in the staff chat: relay it if it replies to a forwarded enquiry."""
    svc = services(context)
    message = update.effective_message
    if message is None or message.reply_to_message is None or svc.storage is None:
        return
    original = message.reply_to_message
    if original.from_user is None or original.from_user.id != context.bot.id:
        return
    handoff = await svc.storage.handoff_for_staff_message(message.chat.id, original.message_id)
    if handoff is None:
        return
    try:
        await context.bot.send_message(
            handoff.user_chat_id,
            STAFF_REPLY.format(text=html.escape(message.text or "")),
            parse_mode="HTML",
        )
    except Forbidden:
        await message.reply_text("⚠️ Not delivered: the user has blocked the bot.")
        return
    except TelegramError as exc:
        log.warning("could not relay staff reply: %s", exc)
        await message.reply_text("⚠️ Not delivered: Telegram refused the message; try again.")
        return
    await message.reply_text("✅ Sent to the user.")
