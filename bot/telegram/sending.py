"""Sending replies: split when over Telegram's limit, retried once on a network error."""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.message_split import split_html, telegram_length
from bot.telegram.errors import not_modified, short_error
from intents import TELEGRAM_MESSAGE_LIMIT

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 2
SEND_RETRY_SECONDS = 1.0


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
        if not_modified(exc):
            return
        if isinstance(query.message, Message):
            await send_html(query.message, text, keyboard)
