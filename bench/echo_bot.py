"""A bare python-telegram-bot echo bot (long polling): the throughput ceiling for load tests.

    python bench/echo_bot.py --api-url http://127.0.0.1:8081/bot --token 123:demo

``--api-url`` defaults to $KTBOT_TELEGRAM_API_URL and ``--token`` to $TELEGRAM_BOT_TOKEN.
"""

from __future__ import annotations

import argparse
import os

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


def build(api_url: str, token: str, concurrent_updates: int) -> Application:
    """``api_url`` ends with ``/bot``, like https://api.telegram.org/bot."""
    file_url = api_url.removesuffix("/bot") + "/file/bot"
    return (
        Application.builder()
        .token(token)
        .base_url(api_url)
        .base_file_url(file_url)
        .concurrent_updates(concurrent_updates)
        .build()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api-url", default=os.environ.get("KTBOT_TELEGRAM_API_URL"))
    parser.add_argument("--token", default=os.environ.get("TELEGRAM_BOT_TOKEN"))
    parser.add_argument(
        "--concurrent-updates",
        type=int,
        default=1,
        help="updates handled at once (PTB's default: 1)",
    )
    args = parser.parse_args()
    if not args.api_url or not args.token:
        parser.error("--api-url and --token (or KTBOT_TELEGRAM_API_URL, TELEGRAM_BOT_TOKEN) needed")
    app = build(args.api_url.rstrip("/"), args.token, args.concurrent_updates)
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.run_polling(allowed_updates=[Update.MESSAGE])


if __name__ == "__main__":
    main()
