"""/forget: delete everything recorded about the user, after confirmation."""

from __future__ import annotations

import html
import logging

from telegram import Update

from bot import enquiry_texts as texts
from bot.i18n import N_
from bot.storage import StorageError
from bot.telegram import callback_data as cd
from bot.telegram import handoff, keyboards, languages
from bot.telegram.context import Context
from bot.telegram.languages import user_translator
from bot.telegram.sending import edit_or_send, send_html

log = logging.getLogger(__name__)

FORGET_PROMPT = N_(
    "Delete what this bot has recorded about you: your questions, your votes, your choice "
    "of language and its own record of your enquiries to KT staff? This cannot be undone."
)
NOTHING_DELETED = N_("Nothing was deleted.")
DELETION_FAILED = N_("Sorry, deletion failed; please try again later.")
NOT_YOUR_PROMPT = N_("This prompt is for the person who sent /forget. Send /forget yourself.")


async def forget_command(update: Update, context: Context) -> None:
    """Ask for confirmation before deleting what was recorded about the user."""
    if update.effective_message is None:
        return
    t = await user_translator(update, context)
    prompt = t.gettext(FORGET_PROMPT)
    if context.bot_data.handoff_enabled:  # say what a deletion cannot reach
        prompt += "\n\n" + t.gettext(texts.FORGET_STAFF_COPIES)
    # The prompt names who asked: in a group, another member's press is refused.
    user = update.effective_user
    keyboard = keyboards.forget_keyboard(t, user.id if user else None)
    await send_html(update.effective_message, html.escape(prompt, quote=False), keyboard)


async def confirm(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    """The answer to the /forget prompt: y deletes, anything else keeps."""
    query = update.callback_query
    assert query is not None
    svc = context.bot_data
    t = await user_translator(update, context)
    owner = data.int_arg(1)  # None on prompts sent before they named their user
    if owner is not None and owner != query.from_user.id:
        return t.gettext(NOT_YOUR_PROMPT)
    if data.arg(0) != "y":
        await edit_or_send(update, html.escape(t.gettext(NOTHING_DELETED), quote=False), None)
        return None
    user_key = svc.user_key(query.from_user.id)
    try:
        await handoff.forget_enquiries(context, user_key)
        count = await svc.storage.forget_user(user_key)
    except StorageError as exc:
        log.error("forget failed: %s", exc)
        return t.gettext(DELETION_FAILED)
    languages.forget_languages(context)
    done = t.ngettext(
        "Done: deleted {count} record about you.", "Done: deleted {count} records about you.", count
    )
    await edit_or_send(update, html.escape(done.format(count=count), quote=False), None)
    return None
