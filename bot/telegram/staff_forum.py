"""Forum-topic mode of the staff chat: one topic per enquiry.

When the staff chat is a supergroup with topics (`getChat().is_forum`) and the bot may
manage topics, each enquiry gets its own topic (`createForumTopic`), named after what it is
about, never after who asked. Everything about the enquiry goes into it
(`message_thread_id`), anything staff write in it reaches the user, and closing the enquiry
closes the topic. Without the right the bot falls back to the plain-group mode (each enquiry
a message staff reply to) with a log line and a notice to admins.

The mode is detected once, at the first delivery run after start, and again after an error
(`redetect`): a change of rights or of the chat takes effect without a restart.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import Bot, ChatMemberAdministrator
from telegram.error import TelegramError

from bot import enquiries
from bot import enquiry_texts as texts
from bot.storage import StorageError
from bot.storage.enquiries import Enquiry, EnquiryStore
from bot.telegram.context import BotData, KtApplication
from bot.telegram.errors import not_modified, short_error

log = logging.getLogger(__name__)


def redetect(application: KtApplication) -> None:
    """Forget the detected mode: the next delivery asks Telegram again."""
    application.bot_data.staff_forum = None


async def forum_mode(application: KtApplication) -> bool:
    """True if enquiries get their own topics in the staff chat (detected once)."""
    mode = application.bot_data.staff_forum
    if mode is None:
        mode = await detect(application)
        application.bot_data.staff_forum = mode
    return bool(mode)


async def detect(application: KtApplication) -> bool:
    svc = application.bot_data
    if not svc.started or svc.settings.staff_chat_id is None:
        return False
    chat_id = svc.settings.staff_chat_id
    bot = application.bot
    try:
        chat = await bot.get_chat(chat_id)
        if not chat.is_forum:
            log.info("the staff chat is a plain group: each enquiry is a message to reply to")
            return False
        member = await bot.get_chat_member(chat_id, bot.id)
    except TelegramError as exc:
        log.warning(
            "could not tell whether the staff chat has topics (%s): enquiries go as replies "
            "until it can",
            short_error(exc),
        )
        return False
    except Exception as exc:  # an odd answer (not a chat) must not stop deliveries
        log.warning("could not read the staff chat (%s): enquiries go as replies", exc)
        return False
    if isinstance(member, ChatMemberAdministrator) and member.can_manage_topics:
        log.info("the staff chat has topics: each enquiry gets its own topic")
        return True
    log.warning(
        "the staff chat has topics but the bot may not manage them: falling back to "
        "replies in General (make the bot an administrator with 'Manage topics')"
    )
    if not application.bot_data.staff_forum_notice_sent:
        application.bot_data.staff_forum_notice_sent = True
        for admin_id in sorted(svc.settings.admin_ids):
            try:
                await bot.send_message(admin_id, texts.ADMIN_FORUM_NO_RIGHTS)
            except TelegramError as exc:
                log.warning("could not tell admin %s: %s", admin_id, short_error(exc))
    return False


async def knowledge_title(svc: BotData, enquiry: Enquiry) -> str | None:
    """The title of the knowledge topic the enquiry followed, if it followed an answer."""
    if enquiry.exchange_id is None:
        return None
    try:
        exchange = await svc.storage.exchange(enquiry.exchange_id)
    except StorageError as exc:
        log.warning("could not read the exchange of enquiry #%s: %s", enquiry.id, exc)
        return None
    if exchange is None:
        return None
    intent = exchange.choice or (exchange.intent if exchange.outcome == "answer" else None)
    topic = svc.knowledge.kb.topics.get(intent) if intent else None
    return str(topic.title) if topic is not None else None


async def open_topic(
    bot: Bot, svc: BotData, store: EnquiryStore, enquiry: Enquiry, chat_id: int
) -> int:
    """Create the enquiry's topic and record it at once; its message_thread_id.

    A kill between Telegram creating the topic and the commit (a millisecond) leaves an empty
    topic behind and the retry creates another: the same window as for any message."""
    name = enquiries.topic_name(enquiry.id, enquiry.question, await knowledge_title(svc, enquiry))
    topic = await bot.create_forum_topic(chat_id, name)
    await store.set_thread(enquiry.id, topic.message_thread_id)
    log.info("enquiry #%s has topic %s in the staff chat", enquiry.id, topic.message_thread_id)
    return topic.message_thread_id


async def close_topic(bot: Bot, chat_id: int, enquiry: Enquiry) -> None:
    """Close the enquiry's topic, if it has one; best effort (staff may have done it)."""
    await _set_topic_state(bot.close_forum_topic, chat_id, enquiry, "close")


async def reopen_topic(bot: Bot, chat_id: int, enquiry: Enquiry) -> None:
    """Reopen the enquiry's topic, if it has one; best effort, like `close_topic`."""
    await _set_topic_state(bot.reopen_forum_topic, chat_id, enquiry, "reopen")


async def _set_topic_state(
    call: Callable[[int, int], Awaitable[object]], chat_id: int, enquiry: Enquiry, what: str
) -> None:
    if enquiry.staff_thread_id is None:
        return
    try:
        await call(chat_id, enquiry.staff_thread_id)
    except TelegramError as exc:
        if not not_modified(exc):  # TOPIC_NOT_MODIFIED: it already was
            log.warning("could not %s the topic of enquiry #%s: %s", what, enquiry.id, exc)


async def forget_topic(bot: Bot, chat_id: int, enquiry: Enquiry) -> bool:
    """/forget: delete the enquiry's topic (the bot made it, so it may); True if deleted.
    Otherwise it is closed and renamed so that its name no longer tells the question; the
    caller deletes what messages it can and notes the rest."""
    thread = enquiry.staff_thread_id
    if thread is None:
        return False
    try:
        await bot.delete_forum_topic(chat_id, thread)
        return True
    except TelegramError as exc:
        log.warning("could not delete the topic of enquiry #%s: %s", enquiry.id, exc)
    try:
        await bot.edit_forum_topic(chat_id, thread, name=enquiries.forgotten_topic_name(enquiry.id))
    except TelegramError as exc:
        log.info("could not rename the topic of enquiry #%s: %s", enquiry.id, exc)
    await close_topic(bot, chat_id, enquiry)
    return False
