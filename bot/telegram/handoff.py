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

from telegram import Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import Forbidden, TelegramError

from bot import enquiries
from bot import enquiry_texts as texts
from bot.i18n import translator
from bot.storage.enquiries import Enquiry, EnquiryStore
from bot.telegram import callback_data as cd
from bot.telegram import consent, enquiry_delivery, languages, staff_forum
from bot.telegram.context import Context
from bot.telegram.errors import short_error
from bot.telegram.sending import send_html

log = logging.getLogger(__name__)

# --- the user's side: messages while an enquiry is open --------------------------------------


async def take_pending_question(update: Update, context: Context, text: str) -> bool:
    """A user's text that belongs to an enquiry: the question typed as a reply to the
    "type your question" prompt, or a follow-up while an enquiry is open. True if taken."""
    svc = context.bot_data
    message = update.effective_message
    user = update.effective_user
    if not svc.handoff_enabled or message is None or user is None:
        return False
    store = svc.storage.enquiries
    user_key = svc.user_key(user.id)
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.is_bot:
        draft = await store.awaiting_question(replied.chat.id, replied.message_id)
        if draft is not None and draft.user_key == user_key and text.strip():
            await store.set_question(draft.id, text)
            t = await languages.user_translator(update, context)
            await consent.ask_consent(update, context, message, draft.id, text, t)
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
    context: Context,
    store: EnquiryStore,
    enquiry: Enquiry,
    text: str | None,
) -> None:
    """Pass a user's message on to the staff chat, under their enquiry."""
    svc = context.bot_data
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
    thread = enquiry.staff_thread_id  # in a forum: the enquiry's topic, no reply needed
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
                reply_to_message_id=head.message_id if head and thread is None else None,
                message_thread_id=thread,
            )
            await store.record_message(enquiry.id, staff_chat, sent.message_id)
        if text is None:
            copied = await message.copy(
                staff_chat, reply_to_message_id=sent.message_id, message_thread_id=thread
            )
            await store.record_message(enquiry.id, staff_chat, copied.message_id)
    except TelegramError as exc:
        log.warning("follow-up to enquiry #%s not relayed: %s", enquiry.id, short_error(exc))
        await message.reply_text(t.gettext(texts.FOLLOW_UP_FAILED))
        return
    await message.reply_text(t.gettext(texts.FOLLOW_UP_SENT).format(id=enquiry.id))


async def take_media(update: Update, context: Context) -> bool:
    """A photo, document, voice… that belongs to an enquiry (from staff or the user)."""
    svc = context.bot_data
    message = update.effective_message
    user = update.effective_user
    if not svc.handoff_enabled or message is None or user is None or user.is_bot:
        return False
    if message.chat.id == svc.settings.staff_chat_id:
        return await staff_reply(update, context)
    if message.chat.type != ChatType.PRIVATE:
        return False
    store = svc.storage.enquiries
    enquiry = await store.active_for_user(svc.user_key(user.id))
    if enquiry is None:
        return False
    await _follow_up(update, context, store, enquiry, None)
    return True


# --- the staff side -------------------------------------------------------------------------


async def staff_reply(update: Update, context: Context) -> bool:
    """A staff-chat message replying to an enquiry: relayed to its user. False (not taken)
    for anything else, which the bot then treats like any group message."""
    svc = context.bot_data
    message = update.effective_message
    if message is None:
        return False
    store = svc.storage.enquiries
    # In a forum, anything written in an enquiry's topic is for its user, reply or not (a
    # message that replies to nothing there has the topic's creation as reply_to_message).
    in_topic = await _topic_enquiry(store, message)
    if in_topic is not None:
        return await _from_topic(context, store, message, in_topic)
    if message.reply_to_message is None:
        return False
    original = message.reply_to_message
    if original.from_user is None or original.from_user.id != context.bot.id:
        return False
    enquiry = await store.for_staff_message(message.chat.id, original.message_id)
    if enquiry is None:
        return False
    return await _relay(context, store, message, enquiry)


async def _topic_enquiry(store: EnquiryStore, message: Message) -> Enquiry | None:
    """The enquiry whose forum topic this staff-chat message is in, if any."""
    if not message.is_topic_message or not message.message_thread_id:
        return None
    return await store.for_thread(message.message_thread_id)


async def _from_topic(
    context: Context, store: EnquiryStore, message: Message, enquiry: Enquiry
) -> bool:
    """A message in an enquiry's topic: staff's words (relayed) or a service message."""
    if message.forum_topic_closed is not None:  # staff closed the topic by hand
        if enquiry.active:
            who = message.from_user.full_name if message.from_user else "staff"
            await message.reply_text(await close(context, enquiry, who))
        return True
    if message.text is None and message.effective_attachment is None:
        return True  # other service messages (renamed, reopened, pinned…): nothing to relay
    return await _relay(context, store, message, enquiry)


async def _relay(context: Context, store: EnquiryStore, message: Message, enquiry: Enquiry) -> bool:
    """Relay a staff message (text or media) to the enquiry's user."""
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
    if await store.reopen(enquiry.id):
        await staff_forum.reopen_topic(context.bot, message.chat.id, enquiry)
    await store.mark_answered(enquiry.id)
    await message.reply_text(texts.STAFF_SENT)
    return True


async def close_command(update: Update, context: Context) -> None:
    """/close, as a reply to a message of an enquiry in the staff chat."""
    svc = context.bot_data
    message = update.effective_message
    if message is None:
        return
    store = svc.storage.enquiries
    original = message.reply_to_message
    enquiry = await _topic_enquiry(store, message)
    if enquiry is None and original is not None:
        enquiry = await store.for_staff_message(message.chat.id, original.message_id)
    if enquiry is None:
        await message.reply_text(texts.STAFF_CLOSE_HOW)
        return
    who = message.from_user.full_name if message.from_user else "staff"
    await _close_noted(context, message, enquiry, who)


async def close_button(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    """Staff's ✔️ Close under an enquiry: ex|<enquiry id>."""
    svc = context.bot_data
    query = update.callback_query
    assert query is not None
    message = query.message
    if not isinstance(message, Message):
        return (await languages.user_translator(update, context)).gettext(texts.EXPIRED)
    if message.chat.id != svc.settings.staff_chat_id:
        return texts.STAFF_CLOSE_HOW
    enquiry = await svc.storage.enquiries.get(data.int_arg(0) or 0)
    if enquiry is None:
        return texts.STAFF_ALREADY_CLOSED.format(id=data.arg(0))
    await _close_noted(context, message, enquiry, query.from_user.full_name)
    return None


async def _close_noted(context: Context, message: Message, enquiry: Enquiry, who: str) -> None:
    """/close or ✔️ Close in the staff chat: close, note it under `message`, close the topic."""
    await message.reply_text(await close(context, enquiry, who))
    await staff_forum.close_topic(context.bot, message.chat.id, enquiry)


async def close(context: Context, enquiry: Enquiry, who: str) -> str:
    """Close an enquiry and tell its user; the note for the staff chat."""
    store = context.bot_data.storage.enquiries
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


async def enquiries_command(update: Update, context: Context) -> None:
    """/enquiries: open and answered enquiries, oldest first."""
    svc = context.bot_data
    message = update.effective_message
    if message is None:
        return
    listing = enquiries.listing_html(await svc.storage.enquiries.active(), svc.clock())
    await send_html(message, listing)


# --- /forget --------------------------------------------------------------------------------


async def forget_enquiries(context: Context, user_key: str) -> None:
    """Before a user's rows are deleted: close their enquiries in the staff chat with a note,
    and delete the bot's copies there where Telegram still allows it (48 hours)."""
    svc = context.bot_data
    staff_chat = svc.settings.staff_chat_id
    if staff_chat is None:
        return
    store = svc.storage.enquiries
    for enquiry in await store.of_user(user_key):
        messages = await store.staff_messages(enquiry.id)
        if not messages and enquiry.staff_thread_id is None:
            continue
        if await staff_forum.forget_topic(context.bot, staff_chat, enquiry):
            # The topic and everything in it are gone: a note in General says why.
            text = texts.STAFF_FORGET_NOTE.format(
                id=enquiry.id, deleted=texts.STAFF_FORGET_TOPIC_DELETED
            )
            try:
                await context.bot.send_message(staff_chat, text)
            except TelegramError as exc:
                log.warning("could not note the forgotten enquiry #%s: %s", enquiry.id, exc)
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
                staff_chat,
                texts.STAFF_FORGET_NOTE.format(id=enquiry.id, deleted=deleted),
                message_thread_id=enquiry.staff_thread_id,
            )
        except TelegramError as exc:
            log.warning("could not note the forgotten enquiry #%s: %s", enquiry.id, exc)
