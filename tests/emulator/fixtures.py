"""pytest fixture: ``from tests.emulator.fixtures import bot_api`` in a conftest.py."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest_asyncio

from .emulator import BotApiEmulator


@contextlib.asynccontextmanager
async def started_emulator() -> AsyncIterator[BotApiEmulator]:
    """A started emulator on a free 127.0.0.1 port, stopped on leaving (for fixtures of
    any scope)."""
    emulator = BotApiEmulator()
    await emulator.start()
    try:
        yield emulator
    finally:
        await emulator.stop()


@pytest_asyncio.fixture
async def bot_api() -> AsyncIterator[BotApiEmulator]:
    """A started emulator on a free 127.0.0.1 port, stopped after the test."""
    async with started_emulator() as emulator:
        yield emulator
