"""pytest fixture: ``from tests.emulator.fixtures import bot_api`` in a conftest.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from .emulator import BotApiEmulator


@pytest_asyncio.fixture
async def bot_api() -> AsyncIterator[BotApiEmulator]:
    """A started emulator on a free 127.0.0.1 port, stopped after the test."""
    emulator = BotApiEmulator()
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()
