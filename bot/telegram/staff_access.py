"""Who may use the staff commands, where, and the command menu admins see.

Admin commands list other users' questions: they answer only an admin in a private chat
with the bot, or an admin in the staff chat, never in a customer group. Enquiry commands
(/enquiries, /close) are for the staff chat (and /enquiries for admins in private too).
Anyone else gets the normal bot: the command is treated like any unknown one.
"""

from __future__ import annotations

import logging
from enum import Enum

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeChatMember
from telegram.error import TelegramError
from telegram.ext import filters

from bot.settings import Settings
from bot.telegram.context import KtApplication
from bot.telegram.errors import short_error

log = logging.getLogger(__name__)

ADMIN_COMMANDS = (
    BotCommand("enquiries", "Open enquiries, oldest first"),
    BotCommand("unanswered", "Review unanswered questions"),
    BotCommand("stats", "Usage statistics"),
    BotCommand("reload", "Reload the knowledge base now"),
)
"""Added to the admins' menu (in English: they are KT staff)."""


class Place(Enum):
    """Where a command is taken (`routes.Command`)."""

    ANYWHERE = "anywhere"
    ADMINS = "an admin, in a private chat or in the staff chat"
    STAFF_CHAT = "the staff chat"
    ENQUIRIES = "the staff chat, or an admin in a private chat"


def staff_chat_filter(settings: Settings) -> filters.BaseFilter | None:
    if settings.staff_chat_id is None:
        return None
    return filters.Chat(chat_id=settings.staff_chat_id)


def admin_place_filter(settings: Settings) -> filters.BaseFilter | None:
    """An admin, in a private chat or in the staff chat."""
    if not settings.admin_ids:
        return None
    places: filters.BaseFilter = filters.ChatType.PRIVATE
    staff = staff_chat_filter(settings)
    if staff is not None:
        places = places | staff
    return filters.User(user_id=settings.admin_ids) & places


def place_filter(place: Place, settings: Settings) -> filters.BaseFilter | None:
    """Where a staff command is taken; None: nowhere (no admins or no staff chat set)."""
    admins = admin_place_filter(settings)
    staff = staff_chat_filter(settings)
    if place is Place.ADMINS:
        return admins
    if place is Place.STAFF_CHAT:
        return staff
    if place is Place.ENQUIRIES and staff is not None:
        return staff if admins is None else staff | admins
    return None


async def set_admin_menus(
    application: KtApplication, user_commands: tuple[BotCommand, ...]
) -> None:
    """Each admin's menu: the user commands and the admin ones, in their private chat and
    (as a member) in the staff chat. Best effort, like the default menu."""
    settings = application.bot_data.settings
    commands = (*user_commands, *ADMIN_COMMANDS)
    for admin_id in sorted(settings.admin_ids):
        scopes: list[BotCommandScopeChat | BotCommandScopeChatMember] = [
            BotCommandScopeChat(admin_id)
        ]
        if settings.staff_chat_id is not None:
            scopes.append(BotCommandScopeChatMember(settings.staff_chat_id, admin_id))
        for scope in scopes:
            try:
                await application.bot.set_my_commands(commands, scope=scope)
            except TelegramError as exc:
                log.warning(
                    "could not set the admin command menu for %s: %s", admin_id, short_error(exc)
                )
