"""Helpers shared by the Bot API emulator's tests: a PTB `Bot` on the emulator, a user, and a
PTB Application polling it or serving a webhook."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import Application

from tests.emulator import BotApiEmulator, User
from tests.emulator.fixtures import bot_api  # noqa: F401 - the fixture

Emulator = BotApiEmulator


def client_for(emulator: Emulator, token: str | None = None) -> Bot:
    return Bot(token or emulator.token, base_url=emulator.api_url, base_file_url=emulator.file_url)


@pytest_asyncio.fixture
async def bot(bot_api: Emulator) -> AsyncIterator[Bot]:  # noqa: F811
    async with client_for(bot_api) as client:
        yield client


@pytest.fixture
def alice(bot_api: Emulator) -> User:  # noqa: F811
    return bot_api.new_user("Alice", username="alice_w")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def running_application(
    emulator: Emulator, *handlers: Any, webhook_secret: str | None = None
) -> AsyncIterator[Application]:
    """A PTB Application polling the emulator, or serving a webhook if given a secret."""
    app = (
        Application.builder()
        .token(emulator.token)
        .base_url(emulator.api_url)
        .base_file_url(emulator.file_url)
        .build()
    )
    app.add_handlers(list(handlers))
    async with app:
        assert app.updater is not None
        if webhook_secret is None:
            await app.updater.start_polling(poll_interval=0, timeout=1)
        else:
            port = free_port()
            await app.updater.start_webhook(
                listen="127.0.0.1",
                port=port,
                url_path="hook",
                webhook_url=f"http://127.0.0.1:{port}/hook",
                secret_token=webhook_secret,
            )
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


def error_of(emulator: Emulator, method: str) -> str | None:
    """The exact description Telegram would have answered the last call of ``method``."""
    return emulator.calls(method)[-1].description


def choice_keyboard(*labels: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=t) for t in labels]])
