"""Deliver consented enquiries to the staff chat: at once, then retried with back-off.

The enquiry row is committed before anything is sent. Delivery is two idempotent steps,
each recorded as soon as Telegram has done it, so a bot killed at any moment resumes after
its restart where it stopped (the delivery job runs at start-up):

1. tell the user, by editing their consent prompt in place: doing it twice shows once;
2. send the parts of the enquiry to the staff chat, recording each part's message id as it
   is sent: a retry sends only the parts still missing.

The one window no Bot API client can close is between Telegram accepting a part and the
commit of its id (a millisecond): a kill exactly there sends that part again.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter, TelegramError

from bot import enquiries
from bot import enquiry_texts as texts
from bot.i18n import translator
from bot.storage import StorageError
from bot.storage.enquiries import Enquiry, EnquiryStore
from bot.telegram import callback_data as cd
from bot.telegram import staff_forum
from bot.telegram.context import BotData, Context, KtApplication
from bot.telegram.errors import not_modified, retry_delay, short_error
from bot.telegram.jobs import run_now_and_every

log = logging.getLogger(__name__)

DELIVERY_JOB_SECONDS = 5
"""How often due retries are looked for (the back-off itself is per enquiry)."""
REMINDER_JOB_SECONDS = 600


def close_keyboard(enquiry_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.CLOSE_BUTTON, callback_data=cd.encode(cd.ENQUIRY_CLOSE, enquiry_id)
                )
            ]
        ]
    )


def received_text(enquiry: Enquiry, reply_days: int | None) -> str:
    """'We have your question' and what happens next, in the user's language. A reply time
    only when staff configured one (KTBOT_REPLY_DAYS): no promise the team has not made."""
    t = translator(enquiry.language)
    text = t.gettext(texts.RECEIVED_PRIVATE if enquiry.from_group else texts.RECEIVED)
    text = text.format(id=enquiry.id)
    if reply_days:
        when = t.ngettext(
            "They usually answer within {days} working day.",
            "They usually answer within {days} working days.",
            reply_days,
        )
        text += " " + when.format(days=reply_days)
    return text


async def tell_user(
    bot: Bot, store: EnquiryStore, enquiry: Enquiry, reply_days: int | None = None
) -> None:
    """'We have your question', by editing the consent prompt (idempotent); best effort."""
    if enquiry.user_told_at is not None:
        return
    text = received_text(enquiry, reply_days)
    try:
        if enquiry.prompt_chat_id is not None and enquiry.prompt_message_id is not None:
            try:
                await bot.edit_message_text(
                    text, chat_id=enquiry.prompt_chat_id, message_id=enquiry.prompt_message_id
                )
            except BadRequest as exc:
                if not not_modified(exc):  # told before a crash: done
                    raise
        elif enquiry.user_chat_id is not None:
            await bot.send_message(enquiry.user_chat_id, text)
    except TelegramError as exc:
        # The enquiry is safe either way; staff will answer in the private chat.
        log.warning("could not tell the user about enquiry #%s: %s", enquiry.id, short_error(exc))
    await store.mark_user_told(enquiry.id)


async def deliver(application: KtApplication, enquiry_id: int) -> bool:
    """Send one enquiry to the staff chat if it is due; True once it is delivered."""
    svc = application.bot_data
    staff_chat = svc.settings.staff_chat_id
    if staff_chat is None:
        return False
    in_flight = svc.delivering
    if enquiry_id in in_flight:
        return False  # the job and a button press at once: one of them sends
    in_flight.add(enquiry_id)
    try:
        return await _deliver(application, svc, svc.storage.enquiries, enquiry_id)
    finally:
        in_flight.discard(enquiry_id)


async def _deliver(
    application: KtApplication, svc: BotData, store: EnquiryStore, enquiry_id: int
) -> bool:
    bot = application.bot
    enquiry = await store.get(enquiry_id)
    if enquiry is None or not enquiry.active:
        return False
    await tell_user(bot, store, enquiry, svc.settings.reply_days)
    if enquiry.delivered:
        return True
    staff_chat = svc.settings.staff_chat_id
    assert staff_chat is not None
    sent = {m.part for m in await store.staff_messages(enquiry_id) if m.part is not None}
    head = await store.head(enquiry_id)
    thread = enquiry.staff_thread_id
    try:
        # A forum staff chat: the enquiry's own topic first (unless a part already went
        # out as a plain message before the chat became a forum: it stays a plain one).
        if thread is None and not sent and await staff_forum.forum_mode(application):
            thread = await _open_topic(application, svc, store, enquiry, staff_chat)
        parts = enquiries.staff_parts(
            enquiry, from_group=enquiry.from_group, in_topic=thread is not None
        )
        for index, part in enumerate(parts):
            if index in sent:
                continue
            last = index == len(parts) - 1
            message = await bot.send_message(
                staff_chat,
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=close_keyboard(enquiry_id) if last else None,
                reply_to_message_id=head.message_id if head and thread is None else None,
                message_thread_id=thread,
                disable_web_page_preview=True,
            )
            await store.record_message(enquiry_id, staff_chat, message.message_id, index)
            if head is None:
                head = await store.head(enquiry_id)
    except TelegramError as exc:
        staff_forum.redetect(application)  # the chat or the bot's rights may have changed
        await _failed(bot, svc, store, enquiry, exc)
        return False
    await store.mark_delivered(enquiry_id)
    log.info("enquiry #%s delivered to the staff chat in %d part(s)", enquiry_id, len(parts))
    return True


async def _open_topic(
    application: KtApplication,
    svc: BotData,
    store: EnquiryStore,
    enquiry: Enquiry,
    staff_chat: int,
) -> int | None:
    """The enquiry's new topic; None if the chat turns out not to allow one any more (the
    enquiry then goes as a plain message). TelegramError for anything else."""
    try:
        return await staff_forum.open_topic(application.bot, svc, store, enquiry, staff_chat)
    except BadRequest as exc:
        staff_forum.redetect(application)
        if await staff_forum.forum_mode(application):
            raise
        log.warning("enquiry #%s goes without a topic: %s", enquiry.id, short_error(exc))
        return None


async def _failed(
    bot: Bot, svc: BotData, store: EnquiryStore, enquiry: Enquiry, exc: TelegramError
) -> None:
    error = short_error(exc)
    now = svc.clock()
    attempts_before = enquiry.attempts
    delay = enquiries.retry_delay(attempts_before + 1)
    if isinstance(exc, RetryAfter):  # Telegram says how long: never sooner than that
        delay = max(delay, retry_delay(exc))
    attempts = await store.record_failure(enquiry.id, error, now + delay)
    log.warning(
        "enquiry #%s not delivered to the staff chat (attempt %d, next in %s): %s",
        enquiry.id,
        attempts,
        delay,
        error,
    )
    if attempts == 1:  # admins are told once per enquiry, not at every retry
        text = texts.ADMIN_DELIVERY_FAILED.format(id=enquiry.id, error=html.escape(error))
        for admin_id in svc.settings.admin_ids:
            try:
                await bot.send_message(admin_id, text, parse_mode=ParseMode.HTML)
            except TelegramError as admin_exc:
                log.warning("could not tell admin %s: %s", admin_id, short_error(admin_exc))


async def deliver_due(application: KtApplication) -> int:
    """Deliver every enquiry whose (next) attempt is due; return how many were delivered.

    Also tells users not yet told (a crash between consent and the notice)."""
    svc = application.bot_data
    if not svc.started or svc.settings.staff_chat_id is None:
        return 0
    store = svc.storage.enquiries
    delivered = 0
    await staff_forum.forum_mode(application)  # detected at start, and again after an error
    try:
        for enquiry in await store.untold():
            await tell_user(application.bot, store, enquiry, svc.settings.reply_days)
        for enquiry in await store.due(svc.clock()):
            delivered += await deliver(application, enquiry.id)
    except StorageError as exc:
        log.error("enquiry delivery: the database failed: %s", exc)
    return delivered


async def delivery_job(context: Context) -> None:
    await deliver_due(context.application)


async def remind_staff(application: KtApplication, now: datetime | None = None) -> int:
    """Remind the staff chat of enquiries unanswered for longer than configured."""
    svc = application.bot_data
    if not svc.started or svc.settings.staff_chat_id is None:
        return 0
    hours = svc.settings.enquiry_reminder_hours
    if hours <= 0:
        return 0
    now = now or svc.clock()
    store = svc.storage.enquiries
    reminded = 0
    for enquiry in await store.due_reminders(now - timedelta(hours=hours)):
        head = await store.head(enquiry.id)
        thread = enquiry.staff_thread_id
        try:
            message = await application.bot.send_message(
                svc.settings.staff_chat_id,
                enquiries.reminder_html(enquiry, now),
                parse_mode=ParseMode.HTML,
                reply_to_message_id=head.message_id if head and thread is None else None,
                message_thread_id=thread,
            )
        except TelegramError as exc:
            log.warning("could not remind staff of enquiry #%s: %s", enquiry.id, short_error(exc))
            continue
        await store.record_message(enquiry.id, svc.settings.staff_chat_id, message.message_id)
        await store.mark_reminded(enquiry.id)
        reminded += 1
    return reminded


async def reminder_job(context: Context) -> None:
    try:
        await remind_staff(context.application)
    except StorageError as exc:
        log.error("enquiry reminders: the database failed: %s", exc)


def schedule(application: KtApplication) -> None:
    """The delivery job (first run at start-up: what a crash left undelivered goes now) and
    the reminder job."""
    jobs = application.job_queue
    if jobs is None:
        return
    run_now_and_every(jobs, delivery_job, DELIVERY_JOB_SECONDS, "enquiries")
    jobs.run_repeating(
        reminder_job, interval=REMINDER_JOB_SECONDS, first=REMINDER_JOB_SECONDS, name="reminders"
    )
