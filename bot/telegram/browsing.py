"""The topic browser and topic views: categories, topics, related topics, "More"."""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardMarkup, Message, Update

from bot.conversation import Reply, ReplyKind
from bot.i18n import N_, Translator, translator
from bot.rendering import brief_answer_html, category_html, markup_html, reply_html
from bot.storage import StorageError
from bot.storage.visits import VisitSource
from bot.telegram import callback_data as cd
from bot.telegram import keyboards
from bot.telegram.context import BotData, Context
from bot.telegram.languages import user_translator
from bot.telegram.sending import edit_or_send, send_html
from intents import DEFAULT_LANGUAGE, KnowledgeBase, Language, Topic, localized_answer

log = logging.getLogger(__name__)

CHOOSE_CATEGORY = N_("What would you like to know about? Choose a category:")
TOPIC_GONE = N_("This topic no longer exists.")
CATEGORY_GONE = N_("This category no longer exists.")
BUTTON_EXPIRED = N_("This button has expired.")


# --- views --------------------------------------------------------------------------------


def topic_html(topic: Topic, svc: BotData, language: Language = DEFAULT_LANGUAGE) -> str:
    reply = Reply(ReplyKind.ANSWER, svc.knowledge.kb, topic=topic, language=language)
    return reply_html(reply, handoff=svc.handoff_enabled)


def answer_view(
    reply: Reply, svc: BotData, keyboard: InlineKeyboardMarkup | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """An answer as sent: cut to one phone screen, with "More" for the rest, when long."""
    full = reply_html(reply, handoff=svc.handoff_enabled)
    brief = brief_answer_html(reply, full, handoff=svc.handoff_enabled)
    if brief is None or reply.topic is None:
        return full, keyboard
    return brief, keyboards.with_more(keyboard, reply.topic, translator(reply.language))


def topic_view(
    topic: Topic, svc: BotData, t: Translator, visit_id: int | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A topic opened from the browser, a related button or a deep link."""
    kb = svc.knowledge.kb
    reply = Reply(ReplyKind.ANSWER, kb, topic=topic, language=t.language)
    keyboard = keyboards.browsed_topic_keyboard(
        topic, kb, t, handoff=svc.handoff_enabled, visit_id=visit_id
    )
    return answer_view(reply, svc, keyboard)


async def visited_topic_view(
    update: Update, svc: BotData, topic: Topic, t: Translator, source: VisitSource
) -> tuple[str, InlineKeyboardMarkup | None]:
    """`topic_view`, the visit recorded first (for /stats, and so that the 👍/👎 under it
    count): best effort, since the user gets the topic either way."""
    user = update.effective_user
    visit_id = None
    try:
        user_key = svc.user_key(user.id) if user else None
        visit_id = await svc.storage.record_visit(user_key, topic.id, source)
    except StorageError as exc:
        log.warning("topic visit not recorded: %s", exc)
    return topic_view(topic, svc, t, visit_id)


def choose_category_html(t: Translator) -> str:
    return html.escape(t.gettext(CHOOSE_CATEGORY), quote=False)


def welcome_html(kb: KnowledgeBase, t: Translator) -> str:
    """The welcome topic's answer alone (its title would repeat the bot's name), translated,
    then the browser's prompt: what /start shows, and "home" shows again."""
    welcome = kb.welcome_topic
    text = markup_html(localized_answer(welcome, t.language).answer) if welcome else ""
    return "\n\n".join(filter(None, [text, choose_category_html(t)]))


def gone_html(why: str, t: Translator) -> str:
    """One line saying why, then the topic browser's prompt."""
    return f"{html.escape(why, quote=False)}\n\n{choose_category_html(t)}"


async def browse_instead(
    update: Update, svc: BotData, why: str, t: Translator, *, new_message: bool = False
) -> None:
    """A button of a removed topic or category: the topic browser, with the reason."""
    query = update.callback_query
    assert query is not None
    text = gone_html(why, t)
    keyboard = keyboards.categories_keyboard(svc.knowledge.kb, t)
    if new_message and isinstance(query.message, Message):
        await send_html(query.message, text, keyboard)
    else:
        await edit_or_send(update, text, keyboard)


def find_topic(svc: BotData, token: str) -> Topic | None:
    kb = svc.knowledge.kb
    # Buttons sent before a topic was renamed name its former id (or that id's hash).
    topic_id = cd.resolve_topic_token(token, [*kb.topics, *kb.former_ids])
    return kb.find_topic(topic_id) if topic_id else None


async def pressed_topic(
    update: Update, svc: BotData, t: Translator, token: str, *, new_message: bool = False
) -> Topic | None:
    """The topic a pressed button names; None once the topic browser is shown instead,
    with the reason, because the topic was removed."""
    topic = find_topic(svc, token)
    if topic is None:
        await browse_instead(update, svc, t.gettext(TOPIC_GONE), t, new_message=new_message)
    return topic


# --- buttons ------------------------------------------------------------------------------


async def show_topic(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    svc = context.bot_data
    t = await user_translator(update, context)
    topic = await pressed_topic(update, svc, t, data.arg(0))
    if topic is not None:
        view = await visited_topic_view(update, svc, topic, t, VisitSource.BROWSE)
        await edit_or_send(update, *view)
    return None


async def related(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    svc = context.bot_data
    t = await user_translator(update, context)
    query = update.callback_query
    assert query is not None
    # A removed topic: the answer above stays, the browser comes as a new message.
    topic = await pressed_topic(update, svc, t, data.arg(0), new_message=True)
    if topic is not None and isinstance(query.message, Message):
        view = await visited_topic_view(update, svc, topic, t, VisitSource.RELATED)
        await send_html(query.message, *view)
    return None


async def more(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    svc = context.bot_data
    t = await user_translator(update, context)
    query = update.callback_query
    assert query is not None
    topic = await pressed_topic(update, svc, t, data.arg(0))
    if topic is None:
        return None
    # The whole answer in place, under the same buttons but "More".
    shown = query.message.reply_markup if isinstance(query.message, Message) else None
    await edit_or_send(update, topic_html(topic, svc, t.language), keyboards.without_more(shown))
    return None


async def category(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    svc = context.bot_data
    t = await user_translator(update, context)
    kb = svc.knowledge.kb
    found = kb.categories.get(data.arg(0))
    if found is None:
        await browse_instead(update, svc, t.gettext(CATEGORY_GONE), t)
    else:
        text = category_html(found, t.language)
        await edit_or_send(update, text, keyboards.category_keyboard(kb, found.id, t))
    return None


async def home(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    t = await user_translator(update, context)
    kb = context.bot_data.knowledge.kb
    await edit_or_send(update, welcome_html(kb, t), keyboards.categories_keyboard(kb, t))
    return None


async def expired(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    """A button of an action this bot no longer has."""
    return (await user_translator(update, context)).gettext(BUTTON_EXPIRED)
