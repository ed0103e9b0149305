"""`/reload` reports every problem, in as many messages as Telegram needs (never clipped)."""

from __future__ import annotations

from pathlib import Path

from bot.message_split import telegram_length
from tests import telegram_updates as tg
from tests.bot_harness import ADMIN_ID, running_bot


async def test_reload_sends_every_problem_however_long_the_report(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        topics = bot.settings.knowledge_dir / "topics"
        for n in range(120):  # about 10,000 characters of problems
            (topics / f"zz-broken-{n:03}.yaml").write_text(
                "topics:\n  - id: x.y\n    title: [unclosed\n", encoding="utf-8"
            )
        bot.api.reset()

        await bot.send(tg.message("/reload", user_id=ADMIN_ID))

        sent = [m["text"] for m in bot.api.sent()]
        assert len(sent) > 1
        assert all(telegram_length(text) <= 4096 for text in sent)
        report = "".join(sent)
        assert "NOT reloaded" in sent[0]
        assert all(f"zz-broken-{n:03}.yaml" in report for n in range(120))
