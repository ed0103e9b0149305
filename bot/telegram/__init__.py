"""The Telegram adapter: a thin layer over `bot.conversation`."""

from bot.telegram.app import build_application, register_handlers, run_telegram_bot

__all__ = ["build_application", "register_handlers", "run_telegram_bot"]
