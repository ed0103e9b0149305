"""A real PTB Application wired to the fake Bot API, with a small knowledge base."""

from __future__ import annotations

import textwrap
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from telegram import Update

from bot.live_knowledge import LiveKnowledge
from bot.settings import Settings
from bot.storage import Storage
from bot.telegram import build_application
from bot.telegram.context import BotData, KtApplication
from tests.fake_bot_api import FakeBotApi

ADMIN_ID = 9001
STAFF_CHAT_ID = -100500

KNOWLEDGE = {
    "categories.yaml": """
        categories:
          - id: projects
            title: Medical projects
            description: CERN projects with medical applications.
          - id: partnering
            title: Partnering with CERN
            description: Routes for companies and hospitals.
          - id: about
            title: About
            description: This assistant.
    """,
    "contacts.yaml": """
        contacts:
          - id: kt
            name: CERN Knowledge Transfer
            url: https://kt.cern/
    """,
    "settings.yaml": """
        settings: {}
        special:
          welcome_topic: about.bot
          contact_topic: route.contact
          default_contact: kt
    """,
    "topics/projects.yaml": """
        topics:
          - id: project.medicis
            title: CERN-MEDICIS
            category: projects
            questions:
              - What is MEDICIS?
              - radioisotopes for medical research
              - medicis isotope production
            aliases: [MEDICIS]
            keywords: [radioisotope]
            answer: |
              **CERN-MEDICIS** produces non-conventional radioisotopes for research.
            links:
              - title: MEDICIS <page>
                url: https://kt.cern/medtech/medicis
            contacts: [kt]
            related: [route.licensing, project.gantry-magnets]
          - id: project.gantry-magnets
            title: Superconducting gantry magnets
            category: projects
            questions:
              - superconducting gantry magnet design
              - gantry magnet for ion therapy
              - toroidal gantry magnets
            answer: Magnet designs for gantries.
            contacts: [kt]
          - id: project.gantry-collaboration
            title: Superconducting gantry collaboration
            category: projects
            questions:
              - superconducting gantry collaboration partners
              - gantry collaboration for ion therapy
              - who collaborates on the gantry
            answer: A collaboration on gantries.
            contacts: [kt]
    """,
    "topics/routes.yaml": """
        # Partnering routes: comments must survive promotion.
        topics:
          - id: route.licensing
            title: Licensing CERN technology
            category: partnering
            questions:
              - How can my company license a CERN technology?
              - patent licence from CERN
              - licensing terms for CERN inventions
            aliases: [licensing]
            answer: Companies can license CERN technologies through the KT group.
            contacts: [kt]
            related: [project.medicis]
          - id: route.contact
            title: Contact the KT team
            category: partnering
            questions:
              - how do I reach the knowledge transfer team
              - contact a person at CERN KT
              - who can I email at knowledge transfer
            answer: Use the KT web site or the Talk to a person button.
            contacts: [kt]
          - id: about.bot
            title: About this assistant
            category: about
            questions:
              - what can this bot do
              - help me use this assistant
              - what do you know about
            answer: I answer questions about CERN medical applications.
            contacts: [kt]
    """,
}


def write_knowledge(root: Path, files: dict[str, str] = KNOWLEDGE) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


@dataclass
class BotHarness:
    app: KtApplication
    api: FakeBotApi
    settings: Settings

    @property
    def services(self) -> BotData:
        return self.app.bot_data

    @property
    def storage(self) -> Storage:
        storage = self.services.storage
        assert storage is not None
        return storage

    async def send(self, payload: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(payload, self.app.bot))


@asynccontextmanager
async def running_bot(tmp_path: Path, **overrides: Any) -> AsyncIterator[BotHarness]:
    knowledge_dir = write_knowledge(tmp_path / "knowledge")
    settings = Settings(
        knowledge_dir=knowledge_dir,
        db_path=tmp_path / "data" / "ktbot.sqlite3",
        telegram_token="123456:TEST-token",
        admin_ids=frozenset({ADMIN_ID}),
        staff_chat_id=STAFF_CHAT_ID,
        secret="test-secret",
        rate_limit_per_minute=600,
        send_rate_per_second=0,
    )
    settings = replace(settings, **overrides)
    api = FakeBotApi()
    app = build_application(settings, LiveKnowledge.load(knowledge_dir), request=api)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    try:
        yield BotHarness(app, api, settings)
    finally:
        assert app.post_stop is not None and app.post_shutdown is not None
        await app.post_stop(app)
        await app.shutdown()
        await app.post_shutdown(app)


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[BotHarness]:
    """`running_bot(tmp_path)` as a fixture; import it as `bot as bot` where it is used."""
    async with running_bot(tmp_path) as harness:
        yield harness


def callbacks(bot: BotHarness) -> list[str]:
    """The callback data of every button the bot has sent."""
    return [data for _, data in bot.api.buttons()]


def texts_to(bot: BotHarness, chat_id: int) -> list[str]:
    return [p["text"] for p in bot.api.sent() if p["chat_id"] == chat_id]
