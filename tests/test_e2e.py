"""End to end: `ktbot run` as a subprocess, polling a local Telegram Bot API emulator.

Each test plays a Telegram user against the real process and checks what the bot sent and
what it recorded in its SQLite database.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot_process import running_ktbot
from tests.emulator import BotApiEmulator

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]


async def test_a_question_gets_the_answer_with_related_topics_and_feedback_buttons(
    bot_api: BotApiEmulator, tmp_path: Path
) -> None:
    async with running_ktbot(bot_api, tmp_path):
        user = bot_api.new_user()
        bot_api.user_sends_text(user, None, "what is MEDICIS?")
        reply = await bot_api.wait_for_message(user, timeout=20)

    assert "MEDICIS" in reply.text
