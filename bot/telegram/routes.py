"""Every Telegram route in one table: commands, buttons and messages, in the order tried.

python-telegram-bot tries the handlers of a group in order and the first that matches takes
the update, so the order below is the routing: staff commands before the user commands
(where they apply they win), one route per button action (`callback_data.Action`), then
messages. `handlers` turns the table into PTB handlers for the configured bot: a staff
command is registered only where it has a place (admins or a staff chat configured).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.settings import Settings
from bot.telegram import (
    admin,
    browsing,
    commands,
    consent,
    feedback,
    forget,
    handoff,
    languages,
    questions,
    staff_access,
)
from bot.telegram import callback_data as cd
from bot.telegram.callback_data import Action
from bot.telegram.context import Context
from bot.telegram.staff_access import Place

Callback = Callable[[Update, Context], Coroutine[Any, Any, None]]
ButtonCallback = Callable[[Update, Context, cd.CallbackData], Coroutine[Any, Any, str | None]]
"""A button's callback, given the decoded data; it returns the toast to show, if any."""
Handler = BaseHandler[Update, Context, None]


@dataclass(frozen=True)
class Command:
    """/name, where it is allowed (anywhere, or a staff place)."""

    name: str
    callback: Callback
    place: Place = Place.ANYWHERE

    def handler(self, settings: Settings) -> Handler | None:
        if self.place is Place.ANYWHERE:  # user commands are rate-limited like questions
            return CommandHandler(self.name, rate_limited(self.callback))
        where = staff_access.place_filter(self.place, settings)
        return None if where is None else CommandHandler(self.name, self.callback, filters=where)


@dataclass(frozen=True)
class Button:
    """An inline-button press of one action; `None` takes the presses no route took."""

    action: Action | None
    callback: ButtonCallback

    def handler(self, settings: Settings) -> Handler:
        pattern = None if self.action is None else cd.pattern(self.action)
        return CallbackQueryHandler(answering(self.callback), pattern=pattern)


@dataclass(frozen=True)
class Messages:
    """The messages a filter lets through."""

    filter: filters.BaseFilter
    callback: Callback

    def handler(self, settings: Settings) -> Handler:
        return MessageHandler(self.filter, self.callback)


Route = Command | Button | Messages


def answering(callback: ButtonCallback) -> Callback:
    """Decode the press for the callback, then answer it (with the toast, if any): a press
    left unanswered keeps the button spinning."""

    async def on_press(update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        notice = await callback(update, context, cd.decode(query.data))
        with contextlib.suppress(TelegramError):
            await query.answer(notice)

    on_press.__qualname__ = on_press.__name__ = f"answering({callback.__qualname__})"
    return on_press


def rate_limited(callback: Callback) -> Callback:
    """The callback, unless the user is over the rate limit questions have too."""

    async def limited(update: Update, context: Context) -> None:
        if not await questions.over_limit(update, context):
            await callback(update, context)

    limited.__qualname__ = limited.__name__ = f"rate_limited({callback.__qualname__})"
    return limited


ROUTES: tuple[Route, ...] = (
    # Staff commands first: where they apply, they win over the user commands.
    Command("reload", admin.reload_command, Place.ADMINS),
    Command("unanswered", admin.unanswered_command, Place.ADMINS),
    Command("stats", admin.stats_command, Place.ADMINS),
    Command("enquiries", handoff.enquiries_command, Place.ENQUIRIES),
    Command("close", handoff.close_command, Place.STAFF_CHAT),
    # User commands.
    Command("start", commands.start),
    Command("help", commands.help_command),
    Command("topics", commands.topics_command),
    Command("contact", commands.contact_command),
    Command("forget", forget.forget_command),
    Command("language", languages.language_command),
    # Buttons: one route per action.
    Button(Action.SHOW_TOPIC, browsing.show_topic),
    Button(Action.RELATED, browsing.related),
    Button(Action.MORE, browsing.more),
    Button(Action.CATEGORY, browsing.category),
    Button(Action.HOME, browsing.home),
    Button(Action.CHOOSE, questions.choose),
    Button(Action.NONE_OF_THESE, questions.none_of_these),
    Button(Action.FEEDBACK, feedback.vote),
    Button(Action.VISIT_FEEDBACK, feedback.vote_on_visit),
    Button(Action.FORGET, forget.confirm),
    Button(Action.LANGUAGE, languages.on_button),
    Button(Action.HANDOFF, consent.talk_button),
    Button(Action.ENQUIRY_CONSENT, consent.consent_button),
    Button(Action.HANDOFF_CONSENT, consent.retired_consent_button),
    Button(Action.ENQUIRY_CLOSE, handoff.close_button),
    Button(Action.ADMIN_CHOOSE, admin.choose_button),
    Button(Action.ADMIN_RESOLVE, admin.resolve_button),
    Button(Action.ADMIN_IGNORE, admin.ignore_button),
    Button(Action.ADMIN_PAGE, admin.page_button),
    Button(Action.ADMIN_UNDO, admin.undo_button),
    Button(None, browsing.expired),  # an action this bot no longer has
    # Messages.
    Messages(filters.UpdateType.EDITED, questions.edited),
    Messages(filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND, questions.question),
    Messages(filters.UpdateType.MESSAGE & filters.COMMAND, commands.unknown_command),
    Messages(filters.UpdateType.MESSAGE & ~filters.TEXT, questions.not_text),
)


def handlers(settings: Settings, routes: tuple[Route, ...] = ROUTES) -> list[Handler]:
    """The PTB handlers of the routes, in order, for a bot with these settings."""
    return [handler for route in routes if (handler := route.handler(settings)) is not None]
