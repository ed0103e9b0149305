"""A local Telegram Bot API emulator for end-to-end tests of the bot.

Start ``BotApiEmulator`` (or use the ``bot_api`` fixture from ``tests.emulator.fixtures``), point
python-telegram-bot at ``api_url``/``file_url``, play users with ``user_*`` methods and assert on
``sent_messages``/``calls`` or ``await wait_for_message(...)``.
"""

from .emulator import DEFAULT_TOKEN, BotApiEmulator
from .errors import ApiError
from .faults import Fault
from .formatting import EntityParseError, parse_html
from .models import ApiCall, Chat, ForumTopic, StoredFile, StoredMessage, User, WebhookConfig
from .webhook import SECRET_HEADER

__all__ = [
    "DEFAULT_TOKEN",
    "SECRET_HEADER",
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "Chat",
    "EntityParseError",
    "Fault",
    "ForumTopic",
    "StoredFile",
    "StoredMessage",
    "User",
    "WebhookConfig",
    "parse_html",
]
