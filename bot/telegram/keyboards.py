"""Inline keyboards: what the user can press under each kind of message, in their language."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.conversation import Reply, ReplyKind
from bot.i18n import N_, Translator, translator
from bot.rendering import category_title, topic_title
from bot.telegram import callback_data as cd
from intents import KnowledgeBase, Topic

TALK_TO_PERSON = N_("🙋 Talk to a person")
BROWSE = N_("📚 Browse topics")
BACK = N_("« Back")
NONE_OF_THESE = N_("None of these")
YES_SHARE = N_("✅ Yes, share it")
NO = N_("✖️ No")
YES_DELETE = N_("🗑 Yes, delete")
KEEP = N_("Keep")
MORE = N_("More ▾")
MAX_BUTTON_TEXT = 48
_DANGLING = " ,;:–—-(&/"


def label(text: str) -> str:
    """`text` cut to fit a button at a word boundary, never mid-word, with an ellipsis."""
    if len(text) <= MAX_BUTTON_TEXT:
        return text
    cut = text[: MAX_BUTTON_TEXT - 1]
    if not text[MAX_BUTTON_TEXT - 1].isspace():  # the cut falls inside a word: drop it
        space = cut.rfind(" ")
        if space > 0:
            cut = cut[:space]
    return cut.rstrip(_DANGLING) + "…"


def with_more(
    keyboard: InlineKeyboardMarkup | None, topic: Topic, t: Translator
) -> InlineKeyboardMarkup:
    """`keyboard` under a shortened answer, with "More" (the rest of it, in place) on top."""
    more = InlineKeyboardButton(
        t.gettext(MORE), callback_data=cd.encode(cd.MORE, cd.topic_token(topic.id))
    )
    rows = [list(row) for row in keyboard.inline_keyboard] if keyboard else []
    return InlineKeyboardMarkup([[more], *rows])


VOTED = " ✓"


def _data(button: InlineKeyboardButton) -> str:
    return button.callback_data if isinstance(button.callback_data, str) else ""


def with_vote(
    keyboard: InlineKeyboardMarkup, helpful: bool
) -> tuple[InlineKeyboardMarkup, bool | None]:
    """`keyboard` with the vote that counts ticked (👍 ✓), and the vote it showed before
    (None if none): pressing the other thumb changes it."""
    before: bool | None = None
    rows = []
    for row in keyboard.inline_keyboard:
        buttons = []
        for button in row:
            data = cd.decode(_data(button))
            if data.action not in (cd.FEEDBACK, cd.VISIT_FEEDBACK):
                buttons.append(button)
                continue
            vote = data.arg(1) == "1"
            if button.text.endswith(VOTED):
                before = vote
            thumb = ("👍" if vote else "👎") + (VOTED if vote == helpful else "")
            buttons.append(InlineKeyboardButton(thumb, callback_data=button.callback_data))
        rows.append(buttons)
    return InlineKeyboardMarkup(rows), before


def without_more(keyboard: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The keyboard of an expanded answer: the same buttons, "More" gone."""
    if keyboard is None:
        return None
    rows = [
        [b for b in row if cd.decode(_data(b)).action != cd.MORE]
        for row in keyboard.inline_keyboard
    ]
    return InlineKeyboardMarkup([row for row in rows if row])


def topic_button(topic: Topic, t: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        label(topic_title(topic, t.language)),
        callback_data=cd.encode(cd.SHOW_TOPIC, cd.topic_token(topic.id)),
    )


def related_button(topic: Topic, t: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        label(topic_title(topic, t.language)),
        callback_data=cd.encode(cd.RELATED, cd.topic_token(topic.id)),
    )


def _thumbs(action: cd.Action, record_id: int) -> list[InlineKeyboardButton]:
    """👍/👎 voting on one record: <action>|<id>|1 or 0."""
    return [
        InlineKeyboardButton("👍", callback_data=cd.encode(action, record_id, 1)),
        InlineKeyboardButton("👎", callback_data=cd.encode(action, record_id, 0)),
    ]


def _talk_button(t: Translator, exchange_id: int = 0) -> InlineKeyboardButton:
    """🙋 Talk to a person: h|<exchange id>, or h|0 when not about a question."""
    return InlineKeyboardButton(
        t.gettext(TALK_TO_PERSON), callback_data=cd.encode(cd.HANDOFF, exchange_id)
    )


def reply_keyboard(reply: Reply, *, handoff: bool) -> InlineKeyboardMarkup | None:
    """Buttons under an answer, a 'did you mean…' or a fallback."""
    t = translator(reply.language)
    rows: list[list[InlineKeyboardButton]] = []
    exchange = reply.exchange_id or 0
    if reply.kind is ReplyKind.ANSWER and reply.topic is not None:
        rows += [[related_button(r, t)] for r in reply.related[:3]]
        if reply.exchange_id is not None:
            rows.append(_thumbs(cd.FEEDBACK, exchange))
    elif reply.kind is ReplyKind.CLARIFY:
        rows += [
            [
                InlineKeyboardButton(
                    label(topic_title(option, t.language)),
                    callback_data=cd.encode(cd.CHOOSE, exchange, cd.topic_token(option.id)),
                )
            ]
            for option in reply.options
        ]
        rows.append(
            [
                InlineKeyboardButton(
                    t.gettext(NONE_OF_THESE), callback_data=cd.encode(cd.NONE_OF_THESE, exchange)
                )
            ]
        )
    elif reply.kind is ReplyKind.FALLBACK:
        rows.append([InlineKeyboardButton(t.gettext(BROWSE), callback_data=cd.encode(cd.HOME))])
    else:
        return None
    if handoff and reply.kind is not ReplyKind.CLARIFY:
        rows.append([_talk_button(t, exchange)])
    return InlineKeyboardMarkup(rows) if rows else None


def categories_keyboard(kb: KnowledgeBase, t: Translator) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                label(category_title(c, t.language)), callback_data=cd.encode(cd.CATEGORY, c.id)
            )
        ]
        for c in kb.categories.values()
        if not c.courtesy and kb.topics_in(c.id)
    ]
    return InlineKeyboardMarkup(rows)


def category_keyboard(kb: KnowledgeBase, category_id: str, t: Translator) -> InlineKeyboardMarkup:
    rows = [[topic_button(topic, t)] for topic in kb.topics_in(category_id)]
    rows.append([InlineKeyboardButton(t.gettext(BACK), callback_data=cd.encode(cd.HOME))])
    return InlineKeyboardMarkup(rows)


def browsed_topic_keyboard(
    topic: Topic,
    kb: KnowledgeBase,
    t: Translator,
    *,
    handoff: bool = False,
    visit_id: int | None = None,
) -> InlineKeyboardMarkup:
    """Under a topic opened from a button or a deep link: related topics, 👍/👎 (recorded
    against the visit, fv|<id>; f|0 only thanks when the visit could not be recorded), back
    and browse, and 🙋 as under a typed answer."""
    rows = [[topic_button(related, t)] for related in kb.related_of(topic)[:3]]
    rows.append(_thumbs(cd.VISIT_FEEDBACK, visit_id) if visit_id else _thumbs(cd.FEEDBACK, 0))
    rows.append(
        [
            InlineKeyboardButton(
                t.gettext(BACK), callback_data=cd.encode(cd.CATEGORY, topic.category)
            ),
            InlineKeyboardButton(t.gettext(BROWSE), callback_data=cd.encode(cd.HOME)),
        ]
    )
    if handoff:
        rows.append([_talk_button(t)])
    return InlineKeyboardMarkup(rows)


def consent_keyboard(enquiry_id: int, t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext(YES_SHARE),
                    callback_data=cd.encode(cd.ENQUIRY_CONSENT, enquiry_id, "y"),
                ),
                InlineKeyboardButton(
                    t.gettext(NO), callback_data=cd.encode(cd.ENQUIRY_CONSENT, enquiry_id, "n")
                ),
            ]
        ]
    )


def forget_keyboard(t: Translator, user_id: int | None = None) -> InlineKeyboardMarkup:
    """Yes/Keep on a /forget prompt; with `user_id`, only that user's press counts."""
    owner = () if user_id is None else (user_id,)
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t.gettext(YES_DELETE), callback_data=cd.encode(cd.FORGET, "y", *owner)
                ),
                InlineKeyboardButton(
                    t.gettext(KEEP), callback_data=cd.encode(cd.FORGET, "n", *owner)
                ),
            ]
        ]
    )


def talk_keyboard(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_talk_button(t)]])


def language_keyboard(choices: dict[str, str]) -> InlineKeyboardMarkup:
    """One button per choice (its callback value → its label), each on its own row."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(name, callback_data=cd.encode(cd.LANGUAGE, value))]
            for value, name in choices.items()
        ]
    )
