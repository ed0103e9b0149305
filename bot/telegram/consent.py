"""Talk to a person, the asking: 🙋, the question typed for it, and the user's consent.

Each "Talk to a person" press makes its own enquiry row (a draft: no name yet) and its own
consent prompt carrying that enquiry's id, so an older prompt sends its own question. Only
the person who asked may send it; on consent it is delivered by `enquiry_delivery`.
"""

from __future__ import annotations

import html
import logging

from telegram import ForceReply, Message, Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from bot import enquiries
from bot import enquiry_texts as texts
from bot.i18n import Translator
from bot.storage import StorageError
from bot.telegram import callback_data as cd
from bot.telegram import enquiry_delivery, languages
from bot.telegram.context import Context
from bot.telegram.errors import not_modified, short_error
from bot.telegram.keyboards import consent_keyboard

log = logging.getLogger(__name__)


# --- the user's side: asking ----------------------------------------------------------------


async def _pressed(update: Update, context: Context) -> tuple[Message, Translator] | str | None:
    """The pressed prompt and the user's translator; else the toast (None: none) that ends
    the press: an expired prompt, or hand-off not configured."""
    query = update.callback_query
    assert query is not None
    message = query.message if isinstance(query.message, Message) else None
    t = await languages.user_translator(update, context)
    if message is None:
        return t.gettext(texts.EXPIRED)
    if not context.bot_data.handoff_enabled:
        await message.reply_text(t.gettext(texts.NOT_AVAILABLE))
        return None
    return message, t


async def talk_button(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    """🙋 Talk to a person, under an answer (h|<exchange id>) or /contact (h|0)."""
    pressed = await _pressed(update, context)
    if not isinstance(pressed, tuple):
        return pressed
    message, t = pressed
    return await _talk(update, context, message, data.int_arg(0) or 0, t)


async def consent_button(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    """Yes or No on a consent prompt."""
    pressed = await _pressed(update, context)
    if not isinstance(pressed, tuple):
        return pressed
    return await _consent(update, context, data, pressed[1])


async def retired_consent_button(
    update: Update, context: Context, data: cd.CallbackData
) -> str | None:
    """A prompt from before enquiries were durable (hc|…): say so on the prompt itself."""
    pressed = await _pressed(update, context)
    if not isinstance(pressed, tuple):
        return pressed
    await _edit(pressed[0], pressed[1].gettext(texts.EXPIRED))
    return None


async def _talk(
    update: Update,
    context: Context,
    message: Message,
    exchange_id: int,
    t: Translator,
) -> str | None:
    svc = context.bot_data
    store = svc.storage.enquiries
    user = update.effective_user
    assert user is not None
    user_key = svc.user_key(user.id)
    exchange = None
    if exchange_id:
        try:
            exchange = await svc.storage.exchange(exchange_id)
        except StorageError as exc:
            log.error("could not read exchange %s: %s", exchange_id, exc)
        if exchange is not None and exchange.user_key != user_key:
            return t.gettext(texts.NOT_YOURS)
        if exchange is not None:
            already = await store.active_for_exchange(exchange.id)
            if already is not None:
                return t.gettext(texts.ALREADY_SENT).format(id=already.id)
    enquiry_id = await store.create_draft(
        user_key=user_key,
        user_chat_id=user.id,
        question=exchange.question if exchange is not None else "",
        exchange_id=exchange.id if exchange is not None else None,
        language=t.language,
    )
    if exchange is None:
        # From /contact, or a question no longer on record: the user types it as a reply to
        # this prompt, and only a reply to it is taken (never "the next message").
        intro = t.gettext(texts.NO_LONGER_ON_RECORD) + "\n" if exchange_id else ""
        prompt = await message.reply_text(
            intro + t.gettext(texts.ASK_QUESTION),
            reply_markup=ForceReply(
                selective=True, input_field_placeholder=t.gettext(texts.ASK_PLACEHOLDER)
            ),
            do_quote=message.chat.type != ChatType.PRIVATE,
        )
        await store.set_prompt(enquiry_id, prompt.chat.id, prompt.message_id)
        return None
    await ask_consent(update, context, message, enquiry_id, exchange.question, t)
    return None


async def ask_consent(
    update: Update,
    context: Context,
    message: Message,
    enquiry_id: int,
    question: str,
    t: Translator,
) -> None:
    user = update.effective_user
    assert user is not None
    # Name only what the user has: many have no @username to share.
    if user.username:
        what = t.gettext(texts.CONSENT_NAME_AND_HANDLE).format(username=user.username)
    else:
        what = t.gettext(texts.CONSENT_NAME)
    text = t.gettext(texts.CONSENT).format(what=what, question=html.escape(question[:1000]))
    if message.chat.type != ChatType.PRIVATE:
        bot = f"@{context.bot.username}"
        text += "\n\n" + html.escape(t.gettext(texts.CONSENT_FROM_GROUP).format(bot=bot))
    prompt = await message.reply_html(
        text,
        reply_markup=consent_keyboard(enquiry_id, t),
        do_quote=message.chat.type != ChatType.PRIVATE,
    )
    await context.bot_data.storage.enquiries.set_prompt(
        enquiry_id, prompt.chat.id, prompt.message_id
    )


async def _consent(
    update: Update, context: Context, data: cd.CallbackData, t: Translator
) -> str | None:
    svc = context.bot_data
    store = svc.storage.enquiries
    query = update.callback_query
    assert query is not None
    enquiry = await store.get(data.int_arg(0) or 0)
    if enquiry is None:
        await _edit(query.message, t.gettext(texts.EXPIRED))
        return None
    if enquiry.user_key != svc.user_key(query.from_user.id):
        return t.gettext(texts.NOT_YOURS)
    if data.arg(1) != "y":
        if await store.delete_draft(enquiry.id):
            await _edit(query.message, t.gettext(texts.DECLINED))
            return None
        return t.gettext(texts.ALREADY_SENT).format(id=enquiry.id)
    user = query.from_user
    if not await store.consent(enquiry.id, enquiries.display_name(user.full_name, user.username)):
        return t.gettext(texts.ALREADY_SENT).format(id=enquiry.id)
    # Committed: from here the enquiry is delivered even if this process dies now.
    await enquiry_delivery.deliver(context.application, enquiry.id)
    return None


async def _edit(message: object, text: str) -> None:
    if not isinstance(message, Message):
        return
    try:
        await message.edit_text(text)
    except BadRequest as exc:
        if not not_modified(exc):
            log.warning("could not edit a hand-off prompt: %s", short_error(exc))
