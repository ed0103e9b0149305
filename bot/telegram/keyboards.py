"""Inline keyboards: what the user can press under each kind of message."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.conversation import Reply, ReplyKind
from bot.telegram import callback_data as cd
from intents.knowledge import KnowledgeBase
from intents.models import Topic

TALK_TO_PERSON = "🙋 Talk to a person"
BROWSE = "📚 Browse topics"
BACK = "« Back"
MAX_BUTTON_TEXT = 48


def _label(text: str) -> str:
    return text if len(text) <= MAX_BUTTON_TEXT else text[: MAX_BUTTON_TEXT - 1] + "…"


def topic_button(topic: Topic) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        _label(topic.title), callback_data=cd.encode(cd.SHOW_TOPIC, cd.topic_token(topic.id))
    )


def related_button(topic: Topic) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        _label(topic.title), callback_data=cd.encode(cd.RELATED, cd.topic_token(topic.id))
    )


def reply_keyboard(reply: Reply, *, handoff: bool) -> InlineKeyboardMarkup | None:
    """Buttons under an answer, a 'did you mean…' or a fallback."""
    rows: list[list[InlineKeyboardButton]] = []
    exchange = reply.exchange_id or 0
    if reply.kind is ReplyKind.ANSWER and reply.topic is not None:
        rows += [[related_button(t)] for t in reply.related[:3]]
        if reply.exchange_id is not None:
            rows.append(
                [
                    InlineKeyboardButton("👍", callback_data=cd.encode(cd.FEEDBACK, exchange, 1)),
                    InlineKeyboardButton("👎", callback_data=cd.encode(cd.FEEDBACK, exchange, 0)),
                ]
            )
    elif reply.kind is ReplyKind.CLARIFY:
        rows += [
            [
                InlineKeyboardButton(
                    _label(t.title),
                    callback_data=cd.encode(cd.CHOOSE, exchange, cd.topic_token(t.id)),
                )
            ]
            for t in reply.options
        ]
        rows.append(
            [
                InlineKeyboardButton(
                    "None of these", callback_data=cd.encode(cd.NONE_OF_THESE, exchange)
                )
            ]
        )
    elif reply.kind is ReplyKind.FALLBACK:
        rows.append([InlineKeyboardButton(BROWSE, callback_data=cd.encode(cd.HOME))])
    else:
        return None
    if handoff and reply.kind is not ReplyKind.CLARIFY:
        rows.append(
            [InlineKeyboardButton(TALK_TO_PERSON, callback_data=cd.encode(cd.HANDOFF, exchange))]
        )
    return InlineKeyboardMarkup(rows) if rows else None


def categories_keyboard(kb: KnowledgeBase) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(_label(c.title), callback_data=cd.encode(cd.CATEGORY, c.id))]
        for c in kb.categories.values()
        if kb.topics_in(c.id)
    ]
    return InlineKeyboardMarkup(rows)


def category_keyboard(kb: KnowledgeBase, category_id: str) -> InlineKeyboardMarkup:
    rows = [[topic_button(t)] for t in kb.topics_in(category_id)]
    rows.append([InlineKeyboardButton(BACK, callback_data=cd.encode(cd.HOME))])
    return InlineKeyboardMarkup(rows)


def browsed_topic_keyboard(topic: Topic, kb: KnowledgeBase) -> InlineKeyboardMarkup:
    rows = [[topic_button(t)] for t in kb.related_of(topic)[:3]]
    rows.append(
        [
            InlineKeyboardButton(BACK, callback_data=cd.encode(cd.CATEGORY, topic.category)),
            InlineKeyboardButton(BROWSE, callback_data=cd.encode(cd.HOME)),
        ]
    )
    return InlineKeyboardMarkup(rows)


def consent_keyboard(exchange_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    "✅ Yes, share it",
                    callback_data=cd.encode(cd.HANDOFF_CONSENT, exchange_id, "y"),
                ),
                InlineKeyboardButton(
                    "✖️ No", callback_data=cd.encode(cd.HANDOFF_CONSENT, exchange_id, "n")
                ),
            ]
        ]
    )


def forget_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("🗑 Yes, delete", callback_data=cd.encode(cd.FORGET, "y")),
                InlineKeyboardButton("Keep", callback_data=cd.encode(cd.FORGET, "n")),
            ]
        ]
    )


def talk_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(TALK_TO_PERSON, callback_data=cd.encode(cd.HANDOFF, 0))]]
    )
