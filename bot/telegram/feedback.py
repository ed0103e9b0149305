"""👍/👎 under an answer: recorded, and shown on the message itself."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable

from telegram import Message, Update
from telegram.error import TelegramError

from bot.i18n import N_
from bot.storage import ExchangeGone, NotTheAsker, StorageError
from bot.telegram import callback_data as cd
from bot.telegram import keyboards
from bot.telegram.context import Context
from bot.telegram.languages import user_translator

log = logging.getLogger(__name__)

THANKS = N_("Thanks!")
FEEDBACK_THANKS = N_("Thanks for your feedback!")
FEEDBACK_CHANGED = N_("Vote changed. Thanks!")
FEEDBACK_FAILED = N_("Sorry, I could not save that right now.")
NOT_YOUR_ANSWER = N_("Only the person who asked can rate this answer.")
FEEDBACK_NOT_ON_RECORD = N_(
    "This answer is no longer on record (deleted at your request or after the retention "
    "period), so the vote was not saved."
)


async def vote(update: Update, context: Context, data: cd.CallbackData) -> str:
    """👍/👎 under a typed answer: f|<exchange id>|1 or 0."""
    storage = context.bot_data.storage
    return await _vote(update, context, data, storage.record_feedback)


async def vote_on_visit(update: Update, context: Context, data: cd.CallbackData) -> str:
    """👍/👎 under a topic opened from a button or a deep link: fv|<visit id>|1 or 0."""
    storage = context.bot_data.storage
    return await _vote(update, context, data, storage.record_visit_feedback)


async def _vote(
    update: Update,
    context: Context,
    data: cd.CallbackData,
    record: Callable[[int, bool, str | None], Awaitable[None]],
) -> str:
    t = await user_translator(update, context)
    record_id = data.int_arg(0)
    if not record_id:
        return t.gettext(THANKS)
    helpful = data.arg(1) == "1"
    presser = update.effective_user
    voter = context.bot_data.user_key(presser.id) if presser is not None else None
    try:
        await record(record_id, helpful, voter)
    except ExchangeGone as exc:  # an old button after /forget or retention: expected
        log.info("vote on a record no longer kept: %s", exc)
        return t.gettext(FEEDBACK_NOT_ON_RECORD)
    except NotTheAsker as exc:  # a group member pressing under someone else's answer
        log.info("vote not counted: %s", exc)
        return t.gettext(NOT_YOUR_ANSWER)
    except StorageError as exc:
        log.error("could not record feedback for %s: %s", data.arg(0), exc)
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
