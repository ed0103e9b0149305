"""Who may use the staff commands, where, and the command menu admins see.

Admin commands list other users' questions: they answer only an admin in a private chat
with the bot, or an admin in the staff chat, never in a customer group. Enquiry commands
(/enquiries, /close) are for the staff chat (and /enquiries for admins in private too).
Anyone else gets the normal bot: the command is treated like any unknown one.
"""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeChatMember
from telegram.error import TelegramError
from telegram.ext import Application, CommandHandler, filters

from bot.settings import Settings
from bot.telegram import admin, handoff
from bot.telegram.errors import short_error

log = logging.getLogger(__name__)

ADMIN_COMMANDS = (
    BotCommand("enquiries", "Open enquiries, oldest first"),
    BotCommand("unanswered", "Review unanswered questions"),
    BotCommand("stats", "Usage statistics"),
    BotCommand("reload", "Reload the knowledge base now"),
)
"""Added to the admins' menu (in English: they are KT staff)."""


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


def register(application: Application, settings: Settings) -> None:
    """The staff commands, before the user commands so that they win where they apply."""
    admins = admin_place_filter(settings)
    staff = staff_chat_filter(settings)
    if admins is not None:
        for name, callback in (
            ("reload", admin.reload_command),
            ("unanswered", admin.unanswered_command),
            ("stats", admin.stats_command),
        ):
            application.add_handler(CommandHandler(name, callback, filters=admins))
    enquiry_place = admins if staff is None else (staff if admins is None else staff | admins)
    if staff is not None and enquiry_place is not None:
        application.add_handler(
            CommandHandler("enquiries", handoff.enquiries_command, filters=enquiry_place)
        )
        application.add_handler(CommandHandler("close", handoff.close_command, filters=staff))


async def set_admin_menus(application: Application, user_commands: tuple[BotCommand, ...]) -> None:
    """Each admin's menu: the user commands and the admin ones, in their private chat and
    (as a member) in the staff chat. Best effort, like the default menu."""
    settings: Settings = application.bot_data["ktbot.settings"]
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
