"""'Talk to a person': enquiries to the KT staff chat, with consent, as a conversation.

Each "Talk to a person" press makes its own enquiry row (a draft: no name yet) and its own
consent prompt carrying that enquiry's id, so an older prompt sends its own question and a
pending consent never captures a later message. Only the person who asked may send a
question; a question asked in a group is answered in private. On consent the enquiry is
delivered by `enquiry_delivery` (retried until it lands). While it is open, the user's
messages go to the staff chat as replies to it, and whatever staff reply to any of its
messages (text, photo, document, voice) reaches the user. Staff close it with the button or
/close.
"""

from __future__ import annotations

import html
import logging

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot import enquiries
from bot import enquiry_texts as texts
from bot.i18n import Translator, translator
from bot.storage import StorageError
from bot.storage.enquiries import Enquiry, EnquiryStore
from bot.telegram import callback_data as cd
from bot.telegram import enquiry_delivery, languages
from bot.telegram.errors import short_error
from bot.telegram.services import BotServices, services

log = logging.getLogger(__name__)

FORGET_STAFF_COPIES = texts.FORGET_STAFF_COPIES
"""What /forget cannot delete, for its prompt."""


def _store(svc: BotServices) -> EnquiryStore:
    assert svc.storage is not None
    return EnquiryStore(svc.storage)


def consent_keyboard(enquiry_id: int, t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext("✅ Yes, share it"),
                    callback_data=cd.encode(cd.ENQUIRY_CONSENT, enquiry_id, "y"),
                ),
                InlineKeyboardButton(
                    t.gettext("✖️ No"), callback_data=cd.encode(cd.ENQUIRY_CONSENT, enquiry_id, "n")
                ),
            ]
        ]
    )


# --- the user's side: asking ----------------------------------------------------------------


async def on_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: cd.CallbackData
) -> str | None:
    """Presses of 🙋, of a consent prompt, and of staff's Close; returns a toast, if any."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    message = query.message if isinstance(query.message, Message) else None
    t = await languages.user_translator(update, context)
    if message is None:
        return t.gettext(texts.EXPIRED)
    if data.action == cd.ENQUIRY_CLOSE:
        return await _close_button(update, context, data)
    if not svc.handoff_enabled:
        await message.reply_text(t.gettext(texts.NOT_AVAILABLE))
        return None
    if data.action == cd.HANDOFF:
        return await _talk(update, context, message, data.int_arg(0) or 0, t)
    if data.action == cd.ENQUIRY_CONSENT:
        return await _consent(update, context, data, t)
    # A prompt from before enquiries were durable (hc|…): say so on the prompt itself.
    await _edit(message, t.gettext(texts.EXPIRED))
    return None


async def _talk(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    message: Message,
    exchange_id: int,
    t: Translator,
) -> str | None:
    svc = services(context)
    store = _store(svc)
    user = update.effective_user
    assert user is not None
    user_key = svc.user_key(user.id)
    exchange = None
    if exchange_id:
        try:
            exchange = await svc.storage.exchange(exchange_id) if svc.storage else None
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
    await _ask_consent(update, context, message, enquiry_id, exchange.question, t)
    return None


async def _ask_consent(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    message: Message,
    enquiry_id: int,
    question: str,
    t: Translator,
) -> None:
    user = update.effective_user
    assert user is not None
    what = t.gettext(texts.CONSENT_NAME_AND_HANDLE if user.username else texts.CONSENT_NAME)
    text = t.gettext(texts.CONSENT).format(what=what, question=html.escape(question[:1000]))
    if message.chat.type != ChatType.PRIVATE:
        bot = f"@{context.bot.username}"
        text += "\n\n" + html.escape(t.gettext(texts.CONSENT_FROM_GROUP).format(bot=bot))
    prompt = await message.reply_html(
        text,
        reply_markup=consent_keyboard(enquiry_id, t),
        do_quote=message.chat.type != ChatType.PRIVATE,
    )
    await _store(services(context)).set_prompt(enquiry_id, prompt.chat.id, prompt.message_id)


async def _consent(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: cd.CallbackData, t: Translator
) -> str | None:
    svc = services(context)
    store = _store(svc)
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
        if "not modified" not in str(exc).lower():
            log.warning("could not edit a hand-off prompt: %s", short_error(exc))


# --- the user's side: messages while an enquiry is open --------------------------------------


async def take_pending_question(
    update: Update, context: ContextTypes.DEFAULT_TYPE, text: str
) -> bool:
    """A user's text that belongs to an enquiry: the question typed as a reply to the
    "type your question" prompt, or a follow-up while an enquiry is open. True if taken."""
    svc = services(context)
    message = update.effective_message
    user = update.effective_user
    if not svc.handoff_enabled or message is None or user is None:
        return False
    store = _store(svc)
    user_key = svc.user_key(user.id)
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.is_bot:
        draft = await store.awaiting_question(replied.chat.id, replied.message_id)
        if draft is not None and draft.user_key == user_key and text.strip():
            await store.set_question(draft.id, text)
            t = await languages.user_translator(update, context)
            await _ask_consent(update, context, message, draft.id, text, t)
            return True
    if message.chat.type != ChatType.PRIVATE:
        return False
    enquiry = await store.active_for_user(user_key)
    if enquiry is None:
        return False
    await _follow_up(update, context, store, enquiry, text)
    return True


async def _follow_up(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    store: EnquiryStore,
    enquiry: Enquiry,
    text: str | None,
) -> None:
    """Pass a user's message on to the staff chat, under their enquiry."""
    svc = services(context)
    message = update.effective_message
    assert message is not None and svc.settings.staff_chat_id is not None
    t = await languages.user_translator(update, context)
    staff_chat = svc.settings.staff_chat_id
    # Not at staff yet: the follow-up travels with the enquiry itself.
    if (
        text is not None
        and not enquiry.delivered
        and await store.append_before_delivery(enquiry.id, text)
    ):
        await message.reply_text(t.gettext(texts.FOLLOW_UP_SENT).format(id=enquiry.id))
        await enquiry_delivery.deliver(context.application, enquiry.id)
        return
    head = await store.head(enquiry.id)
    try:
        if text is not None:
            parts = enquiries.follow_up_parts(enquiry, text)
        else:
            name = html.escape(enquiry.display_name or "?")
            parts = [texts.STAFF_FOLLOW_UP_MEDIA.format(id=enquiry.id, name=name)]
        for part in parts:
            sent = await context.bot.send_message(
                staff_chat,
                part,
                parse_mode=ParseMode.HTML,
                reply_to_message_id=head.message_id if head else None,
            )
            await store.record_message(enquiry.id, staff_chat, sent.message_id)
        if text is None:
            copied = await message.copy(staff_chat, reply_to_message_id=sent.message_id)
            await store.record_message(enquiry.id, staff_chat, copied.message_id)
    except TelegramError as exc:
        log.warning("follow-up to enquiry #%s not relayed: %s", enquiry.id, short_error(exc))
        await message.reply_text(t.gettext(texts.FOLLOW_UP_FAILED))
        return
    await message.reply_text(t.gettext(texts.FOLLOW_UP_SENT).format(id=enquiry.id))


async def take_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """A photo, document, voice… that belongs to an enquiry (from staff or the user)."""
    svc = services(context)
    message = update.effective_message
    user = update.effective_user
    if not svc.handoff_enabled or message is None or user is None or user.is_bot:
        return False
    if message.chat.id == svc.settings.staff_chat_id:
        return await staff_reply(update, context)
    if message.chat.type != ChatType.PRIVATE:
        return False
    store = _store(svc)
    enquiry = await store.active_for_user(svc.user_key(user.id))
    if enquiry is None:
        return False
    await _follow_up(update, context, store, enquiry, None)
    return True


# --- the staff side -------------------------------------------------------------------------


async def staff_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """A staff-chat message replying to an enquiry: relayed to its user. False (not taken)
    for anything else, which the bot then treats like any group message."""
    svc = services(context)
    message = update.effective_message
    if message is None or message.reply_to_message is None or svc.storage is None:
        return False
    original = message.reply_to_message
    if original.from_user is None or original.from_user.id != context.bot.id:
        return False
    store = _store(svc)
    enquiry = await store.for_staff_message(message.chat.id, original.message_id)
    if enquiry is None:
        return False
    if enquiry.user_chat_id is None:
        await message.reply_text(texts.STAFF_FORGOTTEN.format(id=enquiry.id))
        return True
    t = translator(enquiry.language)
    try:
        if message.text is not None:
            header = t.gettext(texts.STAFF_REPLY).format(id=enquiry.id)
            for part in enquiries.staff_reply_parts(header, message.text):
                await context.bot.send_message(
                    enquiry.user_chat_id, part, parse_mode=ParseMode.HTML
                )
        else:
            await message.copy(enquiry.user_chat_id)
    except Forbidden:
        await message.reply_text(texts.STAFF_BLOCKED)
        return True
    except TelegramError as exc:
        log.warning("could not relay a staff reply to enquiry #%s: %s", enquiry.id, exc)
        await message.reply_text(texts.STAFF_REFUSED.format(error=short_error(exc)))
        return True
    await store.reopen(enquiry.id)
    await store.mark_answered(enquiry.id)
    await message.reply_text(texts.STAFF_SENT)
    return True


async def close_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/close, as a reply to a message of an enquiry in the staff chat."""
    svc = services(context)
    message = update.effective_message
    if message is None or svc.storage is None:
        return
    original = message.reply_to_message
    enquiry = (
        await _store(svc).for_staff_message(message.chat.id, original.message_id)
        if original is not None
        else None
    )
    if enquiry is None:
        await message.reply_text(texts.STAFF_CLOSE_HOW)
        return
    who = message.from_user.full_name if message.from_user else "staff"
    await message.reply_text(await close(context, enquiry, who))


async def _close_button(
    update: Update, context: ContextTypes.DEFAULT_TYPE, data: cd.CallbackData
) -> str | None:
    svc = services(context)
    query = update.callback_query
    assert query is not None
    message = query.message
    if svc.storage is None or message is None or message.chat.id != svc.settings.staff_chat_id:
        return texts.STAFF_CLOSE_HOW
    enquiry = await _store(svc).get(data.int_arg(0) or 0)
    if enquiry is None:
        return texts.STAFF_ALREADY_CLOSED.format(id=data.arg(0))
    note = await close(context, enquiry, query.from_user.full_name)
    if isinstance(message, Message):
        await message.reply_text(note)
    return None


async def close(context: ContextTypes.DEFAULT_TYPE, enquiry: Enquiry, who: str) -> str:
    """Close an enquiry and tell its user; the note for the staff chat."""
    store = _store(services(context))
    if not await store.close(enquiry.id, f"closed by {who}"):
        return texts.STAFF_ALREADY_CLOSED.format(id=enquiry.id)
    if enquiry.user_chat_id is not None:
        t = translator(enquiry.language)
        try:
            await context.bot.send_message(
                enquiry.user_chat_id, t.gettext(texts.CLOSED_FOR_USER).format(id=enquiry.id)
            )
        except TelegramError as exc:
            log.info("user of enquiry #%s not told of the close: %s", enquiry.id, exc)
    return texts.STAFF_CLOSED.format(id=enquiry.id, who=who)


async def enquiries_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/enquiries: open and answered enquiries, oldest first."""
    svc = services(context)
    message = update.effective_message
    if message is None or svc.storage is None:
        return
    listing = enquiries.listing_html(await _store(svc).active(), svc.clock())
    await message.reply_html(listing, disable_web_page_preview=True)


# --- /forget --------------------------------------------------------------------------------


async def forget_enquiries(context: ContextTypes.DEFAULT_TYPE, user_key: str) -> None:
    """Before a user's rows are deleted: close their enquiries in the staff chat with a note,
    and delete the bot's copies there where Telegram still allows it (48 hours)."""
    svc = services(context)
    staff_chat = svc.settings.staff_chat_id
    if svc.storage is None or staff_chat is None:
        return
    store = _store(svc)
    for enquiry in await store.of_user(user_key):
        messages = await store.staff_messages(enquiry.id)
        if not messages:
            continue
        kept = 0
        for staff_message in messages:
            try:
                await context.bot.delete_message(staff_message.chat_id, staff_message.message_id)
            except TelegramError:
                kept += 1
        if not enquiry.active and not kept:
            continue
        deleted = texts.STAFF_FORGET_KEPT.format(kept=kept) if kept else texts.STAFF_FORGET_DELETED
        try:
            await context.bot.send_message(
                staff_chat, texts.STAFF_FORGET_NOTE.format(id=enquiry.id, deleted=deleted)
            )
        except TelegramError as exc:
            log.warning("could not note the forgotten enquiry #%s: %s", enquiry.id, exc)
