"""The user commands: /start (and deep links), /help, /topics, /contact, and any other."""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.constants import ChatType

from bot.i18n import N_
from bot.rendering import contact_page_html
from bot.storage.visits import VisitSource
from bot.telegram import callback_data as cd
from bot.telegram import keyboards, questions
from bot.telegram.browsing import (
    choose_category_html,
    gone_html,
    topic_html,
    visited_topic_view,
    welcome_html,
)
from bot.telegram.context import Context
from bot.telegram.languages import user_translator
from bot.telegram.sending import send_html

log = logging.getLogger(__name__)

UNKNOWN_COMMAND = N_("I don’t know that command. Try /help, /topics or simply type your question.")
NO_CONTACT_TOPIC = N_("Please see https://kt.cern/ to reach the team.")
LINK_UNKNOWN = N_("The topic in that link does not exist (any more).")


async def start(update: Update, context: Context) -> None:
    """Welcome the user, or open a topic from a deep link (t.me/<bot>?start=project__flash)."""
    svc = context.bot_data
    message = update.effective_message
    if message is None:
        return
    kb = svc.knowledge.kb
    t = await user_translator(update, context)
    if context.args:
        topic_id = cd.topic_from_payload(context.args[0])
        # find_topic: a link shared before a topic was renamed opens the renamed topic.
        topic = kb.find_topic(topic_id) or kb.find_topic(context.args[0])
        if topic is not None:
            view = await visited_topic_view(update, svc, topic, t, VisitSource.DEEP_LINK)
            await send_html(message, *view)
            return
        # An outdated or mistyped link: say so, and open the browser rather than a dead end.
        log.info("unknown deep link %r: showing the topic browser", context.args[0][:64])
        await send_html(
            message, gone_html(t.gettext(LINK_UNKNOWN), t), keyboards.categories_keyboard(kb, t)
        )
        return
    await send_html(message, welcome_html(kb, t), keyboards.categories_keyboard(kb, t))


async def help_command(update: Update, context: Context) -> None:
    """Explain what the bot covers and how to use it."""
    svc = context.bot_data
    if update.effective_message is None:
        return
    topic = svc.knowledge.kb.welcome_topic
    t = await user_translator(update, context)
    text = topic_html(topic, svc, t.language) if topic else choose_category_html(t)
    await send_html(
        update.effective_message, text, keyboards.categories_keyboard(svc.knowledge.kb, t)
    )


async def topics_command(update: Update, context: Context) -> None:
    """Open the topic browser."""
    svc = context.bot_data
    if update.effective_message is None:
        return
    t = await user_translator(update, context)
    await send_html(
        update.effective_message,
        choose_category_html(t),
        keyboards.categories_keyboard(svc.knowledge.kb, t),
    )


async def contact_command(update: Update, context: Context) -> None:
    """How to reach a person, with the hand-off button when staff chat is configured."""
    svc = context.bot_data
    if update.effective_message is None:
        return
    topic = svc.knowledge.kb.contact_topic
    t = await user_translator(update, context)
    if not svc.handoff_enabled:  # no staff chat, no button: the public contact page
        text = contact_page_html(svc.knowledge.kb, t)
    elif topic:
        text = topic_html(topic, svc, t.language)
    else:
        text = html.escape(t.gettext(NO_CONTACT_TOPIC), quote=False)
    keyboard = keyboards.talk_keyboard(t) if svc.handoff_enabled else None
    await send_html(update.effective_message, text, keyboard)


async def unknown_command(update: Update, context: Context) -> None:
    """Any other command, admin ones included for non-admins: reveal nothing, offer help.

    In a group, only a command addressed to this bot (/foo@bot): other bots' are not ours."""
    message = update.effective_message
    if message is None:
        return
    if message.chat.type != ChatType.PRIVATE:
        command = (message.text or "").split(maxsplit=1)[0] if message.text else ""
        if not command.casefold().endswith(f"@{context.bot.username}".casefold()):
            return
    if await questions.over_limit(update, context):
        return
    t = await user_translator(update, context)
    await send_html(message, html.escape(t.gettext(UNKNOWN_COMMAND), quote=False))
