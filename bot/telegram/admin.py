"""Admin-only commands (KTBOT_ADMIN_IDS): reload, unanswered review, stats, digest."""

from __future__ import annotations

import html
import logging
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot import review
from bot.i18n import N_, Translator, translator
from bot.live_knowledge import ReloadReport
from bot.message_split import split_html
from bot.rendering import topic_title
from bot.stale_report import stale_readings
from bot.storage import ReviewState, StorageError
from bot.telegram import callback_data as cd
from bot.telegram import keyboards
from bot.telegram.context import BotData, Context, KtApplication
from bot.telegram.languages import user_translator

log = logging.getLogger(__name__)

PAGE_SIZE = 5
MAX_MESSAGE = 3800

NOTHING_OPEN = N_("No open unanswered questions. 🎉")
# Telegram HTML: keep the tags and the placeholders.
PAGE_TITLE = N_("<b>Open unanswered questions</b> ({total}), page {page} of {pages}:")
NEAREST = N_(" → nearest {topic} ({score})")
NEWER = N_("« Newer")
OLDER = N_("Older »")
# Telegram HTML: keep the tags; the command is typed as it is.
PAGE_HELP = N_(
    "✅ offers the nearest topics to resolve it with; 🗑 ignores it. "
    "To add it as an example: <code>ktbot unanswered promote ID --topic TOPIC</code>"
)
EXPIRED = N_("This button has expired.")
TOPIC_GONE = N_("That topic no longer exists.")
RESOLVED = N_("#{id} resolved by {topic}")
# Telegram HTML: keep the tags and the placeholders.
CHOOSE_TOPIC = N_("Resolve <b>#{id}</b> “{question}” with which topic?")
NO_CANDIDATES = N_("No nearby topic: use <code>ktbot unanswered promote ID --topic TOPIC</code>")
ALREADY_HANDLED = N_("#{id} is no longer open.")
CANCEL = N_("Cancel")
IGNORED = N_("#{id} ignored")
UNDO = N_("↩️ Undo #{id}")
REOPENED = N_("#{id} is open again.")


def _clip(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE] + "\n…"


async def reload_command(update: Update, context: Context) -> None:
    """Reload the knowledge base now and report problems with file and line."""
    svc = context.bot_data
    message = update.effective_message
    if message is None:
        return
    report = await svc.knowledge.reload_async()
    svc.last_reload_failure = report.problems if not report.ok else None
    # Every problem, in as many messages as it takes: the one that matters may come last.
    for part in split_html(f"<pre>{html.escape(report.summary())}</pre>"):
        await message.reply_html(part)


# Telegram HTML: keep the tags and the placeholders.
RELOAD_FAILED = N_("⚠️ <b>Knowledge base NOT reloaded</b>; still serving version {version}.")
RELOAD_CAUSE = N_("Cause:")
RELOAD_MORE = N_("… and {count} more: run <code>ktbot check</code> for the full list.")
RELOAD_FIXED = N_(
    "✅ The knowledge base loads again (version {version}): the problem reported earlier is fixed."
)
SHOWN_FOLLOWING = 8


def reload_failure_html(report: ReloadReport, t: Translator) -> str:
    """A failed reload for admins: the cause first (a file that could not be read), then
    the problems that may only follow from it, a few of them, well within one message."""
    causes = [p for p in report.problems if p.root_cause] or list(report.problems[:1])
    rest = [p for p in report.problems if all(p is not c for c in causes)]
    lines = [
        t.gettext(RELOAD_FAILED).format(version=html.escape(report.version)),
        "",
        html.escape(t.gettext(RELOAD_CAUSE)),
        *(f"<code>{html.escape(str(p))}</code>" for p in causes),
    ]
    if rest:
        following = t.ngettext(
            "{count} further problem, which may follow from it:",
            "{count} further problems, which may follow from it:",
            len(rest),
        ).format(count=len(rest))
        lines += [
            "",
            html.escape(following),
            *(html.escape(str(p)) for p in rest[:SHOWN_FOLLOWING]),
        ]
        if len(rest) > SHOWN_FOLLOWING:
            lines.append(t.gettext(RELOAD_MORE).format(count=len(rest) - SHOWN_FOLLOWING))
    return _clip("\n".join(lines))


def _admin_translator(application: KtApplication, admin_id: int) -> Translator:
    """The admin's /language choice when known (the watcher has no update to read it from)."""
    data = application.user_data.get(admin_id)
    return translator((data.chosen_language if data is not None else None) or None)


async def notify_reload(application: KtApplication, report: ReloadReport) -> None:
    """Tell admins about a background reload: a failure once each (its cause first), then an
    all-clear when it is fixed, and successes when the knowledge changed."""
    svc = application.bot_data
    if not svc.started:
        return
    fixed = False
    if report.ok:
        fixed = bool(svc.last_reload_failure)
        svc.last_reload_failure = None
        if not report.changed and not fixed:
            return
    elif svc.last_reload_failure == report.problems:
        return  # the same broken edit: admins were already told
    else:
        svc.last_reload_failure = report.problems
    for admin_id in svc.settings.admin_ids:
        t = _admin_translator(application, admin_id)
        if not report.ok:
            text = reload_failure_html(report, t)
        elif fixed:
            text = html.escape(t.gettext(RELOAD_FIXED).format(version=report.version))
        else:
            text = f"<pre>{html.escape(_clip(report.summary()))}</pre>"
        try:
            await application.bot.send_message(admin_id, text, parse_mode=ParseMode.HTML)
        except TelegramError as exc:
            log.warning("could not notify admin about reload: %s", exc)


# --- unanswered ---------------------------------------------------------------------------


async def unanswered_command(update: Update, context: Context) -> None:
    """List open unanswered questions, a page at a time, with resolve/ignore buttons."""
    message = update.effective_message
    if message is None:
        return
    t = await user_translator(update, context)
    text, keyboard = await _unanswered_page(context.bot_data, 0, t)
    await message.reply_html(text, reply_markup=keyboard)


async def _unanswered_page(
    svc: BotData, page: int, t: Translator
) -> tuple[str, InlineKeyboardMarkup | None]:
    total = await svc.storage.count_unanswered(state=ReviewState.OPEN)
    pages = max(1, -(-total // PAGE_SIZE))
    # After the last question of the last page is handled, show the page before it.
    page = min(max(page, 0), pages - 1)
    items = await svc.storage.unanswered(
        state=ReviewState.OPEN, limit=PAGE_SIZE, offset=page * PAGE_SIZE
    )
    if not items:
        return html.escape(t.gettext(NOTHING_OPEN)), None
    lines = [t.gettext(PAGE_TITLE).format(total=total, page=page + 1, pages=pages)]
    rows: list[list[InlineKeyboardButton]] = []
    for item in items:
        nearest = item.alternatives[0] if item.alternatives else None
        near = (
            t.gettext(NEAREST).format(
                topic=_title(svc, nearest.intent, t), score=f"{nearest.score:.2f}"
            )
            if nearest
            else ""
        )
        language = f" [{item.language}]" if item.language else ""
        lines.append(
            f"\n<b>#{item.id}</b> {item.asked_at:%Y-%m-%d}{language}: "
            f"{html.escape(item.question[:300])}{html.escape(near)}"
        )
        buttons = [
            InlineKeyboardButton(
                f"🗑 #{item.id}", callback_data=cd.encode(cd.ADMIN_IGNORE, item.id, page)
            )
        ]
        if nearest is not None:  # ✅ offers the nearest topics by title, to choose from
            buttons.insert(
                0,
                InlineKeyboardButton(
                    f"✅ #{item.id}", callback_data=cd.encode(cd.ADMIN_CHOOSE, item.id, page)
                ),
            )
        rows.append(buttons)
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(t.gettext(NEWER), callback_data=cd.encode(cd.ADMIN_PAGE, page - 1))
        )
    if (page + 1) * PAGE_SIZE < total:
        nav.append(
            InlineKeyboardButton(t.gettext(OLDER), callback_data=cd.encode(cd.ADMIN_PAGE, page + 1))
        )
    if nav:
        rows.append(nav)
    lines.append("\n" + t.gettext(PAGE_HELP))
    return _clip("\n".join(lines)), InlineKeyboardMarkup(rows)


async def _admin_press(update: Update, context: Context) -> tuple[Translator, bool]:
    """The presser's translator, and whether they are an admin (still)."""
    query = update.callback_query
    assert query is not None
    t = await user_translator(update, context)
    return t, context.bot_data.is_admin(query.from_user.id)


async def _admin_exchange_press(
    update: Update, context: Context, data: cd.CallbackData
) -> tuple[Translator, int | None]:
    """The presser's translator, and the exchange a button under an unanswered question
    acts on: None when the presser is no admin (any more) or the button is malformed."""
    t, is_admin = await _admin_press(update, context)
    exchange_id = data.int_arg(0)
    return t, exchange_id if is_admin else None


def _title(svc: BotData, topic_id: str, t: Translator) -> str:
    topic = svc.knowledge.kb.topics.get(topic_id)
    return topic_title(topic, t.language) if topic else topic_id


CANDIDATES = 3


async def choose_button(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    """✅ under an unanswered question (ac|id|page): its nearest topics by title, one press
    each to resolve it with (ar|…), or back to the page: nothing is resolved yet."""
    t, exchange_id = await _admin_exchange_press(update, context, data)
    if exchange_id is None:
        return t.gettext(EXPIRED)
    svc = context.bot_data
    page = data.int_arg(1) or 0
    item = await svc.storage.unanswered_question(exchange_id)
    if item is None or item.state is not ReviewState.OPEN:
        await _show_page(update, context, page, t)
        return t.gettext(ALREADY_HANDLED).format(id=exchange_id)
    kb = svc.knowledge.kb
    candidates = [c for c in item.alternatives if c.intent in kb.topics][:CANDIDATES]
    rows = [
        [
            InlineKeyboardButton(
                keyboards.label(f"✅ {_title(svc, c.intent, t)}"),
                callback_data=cd.encode(
                    cd.ADMIN_RESOLVE, exchange_id, page, cd.topic_token(c.intent)
                ),
            )
        ]
        for c in candidates
    ]
    rows.append(
        [InlineKeyboardButton(t.gettext(CANCEL), callback_data=cd.encode(cd.ADMIN_PAGE, page))]
    )
    text = t.gettext(CHOOSE_TOPIC).format(id=exchange_id, question=html.escape(item.question[:300]))
    if not candidates:
        text += "\n\n" + t.gettext(NO_CANDIDATES)
    query = update.callback_query
    assert query is not None
    try:
        await query.edit_message_text(
            text, parse_mode=ParseMode.HTML, reply_markup=InlineKeyboardMarkup(rows)
        )
    except TelegramError as exc:
        log.debug("could not show the topics to resolve with: %s", exc)
    return None


async def resolve_button(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    """✅ under an unanswered question: resolved by its nearest topic (ar|id|page|topic)."""
    t, exchange_id = await _admin_exchange_press(update, context, data)
    if exchange_id is None:
        return t.gettext(EXPIRED)
    svc = context.bot_data
    topic = cd.resolve_topic_token(data.arg(2), svc.knowledge.kb.topics)
    if topic is None or topic not in svc.knowledge.kb.topics:
        return t.gettext(TOPIC_GONE)
    try:
        await svc.storage.resolve(exchange_id, topic)
    except StorageError as exc:
        return str(exc)[:190]
    await _show_page(update, context, data.int_arg(1) or 0, t, undo=exchange_id)
    return t.gettext(RESOLVED).format(id=exchange_id, topic=_title(svc, topic, t))


async def ignore_button(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    """🗑 under an unanswered question: ignored (ai|id|page)."""
    t, exchange_id = await _admin_exchange_press(update, context, data)
    if exchange_id is None:
        return t.gettext(EXPIRED)
    try:
        # A record for staff, not a message to the admin: kept in English.
        await context.bot_data.storage.ignore(exchange_id, "ignored by an admin in Telegram")
    except StorageError as exc:
        return str(exc)[:190]
    await _show_page(update, context, data.int_arg(1) or 0, t, undo=exchange_id)
    return t.gettext(IGNORED).format(id=exchange_id)


async def undo_button(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    """↩️ Undo after a resolve or an ignore (au|id|page): the question is open again."""
    t, exchange_id = await _admin_exchange_press(update, context, data)
    if exchange_id is None:
        return t.gettext(EXPIRED)
    try:
        await context.bot_data.storage.reopen_unanswered(exchange_id)
    except StorageError as exc:
        return str(exc)[:190]
    await _show_page(update, context, data.int_arg(1) or 0, t)
    return t.gettext(REOPENED).format(id=exchange_id)


async def page_button(update: Update, context: Context, data: cd.CallbackData) -> str | None:
    """« Newer / Older »: another page of unanswered questions (ap|page)."""
    t, is_admin = await _admin_press(update, context)
    if not is_admin:
        return t.gettext(EXPIRED)
    await _show_page(update, context, data.int_arg(0) or 0, t)
    return None


async def _show_page(
    update: Update, context: Context, page: int, t: Translator, *, undo: int | None = None
) -> None:
    """Show a page in place; `undo`: the question just handled, offered for undoing first."""
    query = update.callback_query
    assert query is not None
    text, keyboard = await _unanswered_page(context.bot_data, page, t)
    if undo is not None:
        button = InlineKeyboardButton(
            t.gettext(UNDO).format(id=undo), callback_data=cd.encode(cd.ADMIN_UNDO, undo, page)
        )
        rows = list(keyboard.inline_keyboard) if keyboard else []
        keyboard = InlineKeyboardMarkup([[button], *rows])
    if isinstance(query.message, Message):
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
        except TelegramError as exc:
            log.debug("could not edit unanswered page: %s", exc)


# --- stats and digest ---------------------------------------------------------------------


async def stats_command(update: Update, context: Context) -> None:
    """Usage over the last 30 days."""
    svc = context.bot_data
    message = update.effective_message
    if message is None:
        return
    now = svc.clock()
    since = now - timedelta(days=30)
    kb = svc.knowledge.kb
    stats = await svc.storage.stats(since, current_id=kb.current_id)
    open_items = await svc.storage.unanswered(state=ReviewState.OPEN, since=since)
    stale = await stale_readings(svc.storage, kb, now.date(), since)
    titles = {topic_id: topic.title for topic_id, topic in kb.topics.items()}
    handoffs = await svc.storage.enquiries.consented_since(since)
    visits = await svc.storage.visit_counts(since)
    text = review.format_stats(
        stats,
        review.group_similar(open_items),
        stale,
        titles=titles,
        handoffs=handoffs,
        visits=visits,
    )
    await message.reply_html(f"<pre>{html.escape(_clip(text))}</pre>")


async def weekly_digest(context: Context) -> None:
    """Send admins this week's unanswered questions and the stale topics users read most."""
    svc = context.bot_data
    now = svc.clock()
    since = now - timedelta(days=7)
    items = await svc.storage.unanswered(state=ReviewState.OPEN, since=since)
    stale = await stale_readings(svc.storage, svc.knowledge.kb, now.date(), since)
    if not items and not stale:
        return
    titles = {topic_id: topic.title for topic_id, topic in svc.knowledge.kb.topics.items()}
    text = review.format_digest(review.group_similar(items), stale=stale, titles=titles)
    for admin_id in svc.settings.admin_ids:
        try:
            await context.bot.send_message(
                admin_id, f"<pre>{html.escape(_clip(text))}</pre>", parse_mode=ParseMode.HTML
            )
        except TelegramError as exc:
            log.warning("could not send the weekly digest to an admin: %s", exc)
