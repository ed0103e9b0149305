"""Terminal chat: a peer of the Telegram adapter over the same conversation service."""

from __future__ import annotations

import asyncio
import getpass
import logging
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TextIO

from bot.conversation import Conversation, Reply, ReplyKind
from bot.live_knowledge import LiveKnowledge
from bot.pseudonym import user_key
from bot.rendering import reply_text
from bot.settings import Settings
from bot.storage import Storage, StorageError
from intents.knowledge import KnowledgeBase
from intents.language import DEFAULT_LANGUAGE, Language

log = logging.getLogger(__name__)

BANNER = (
    "ktbot — CERN medical applications & knowledge transfer.\n"
    "Ask a question, type 'topics' to browse, 'help' for help, 'quit' to leave."
)
HELP = (
    "Type a question in your own words, e.g. 'what is MEDICIS?' or 'can we license a CERN "
    "technology?'.\nCommands: topics (browse), topic ID (show one topic), quit."
)
QUIT = {"quit", "exit", "/quit", "/exit", "bye!"}


def topics_listing(kb: KnowledgeBase) -> str:
    lines: list[str] = []
    for category in kb.categories.values():
        topics = kb.topics_in(category.id)
        if not topics:
            continue
        lines.append(f"{category.title} — {category.description}")
        lines += [f"  {t.id:<32} {t.title}" for t in topics]
    return "\n".join(lines)


async def chat(settings: Settings, knowledge_dir: Path, stdin: TextIO, stdout: TextIO) -> int:
    knowledge = LiveKnowledge.load(knowledge_dir)
    interactive = stdin.isatty()
    async with AsyncExitStack() as stack:
        storage: Storage | None = None
        try:
            storage = await Storage.open(settings.db_path)
            stack.push_async_callback(storage.close)
        except StorageError as exc:
            log.warning("chat runs without recording: %s", exc)
        conversation = Conversation(knowledge, storage, channel="cli")
        key = user_key(settings.pseudonym_secret(), "cli", getpass.getuser())
        session = _ChatSession(conversation, key, stdout)
        if interactive:
            session.say(BANNER)
        while True:
            if interactive:
                stdout.write("\nyou> ")
                stdout.flush()
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                break
            if not await session.handle(line.strip()):
                break
    return 0


class _ChatSession:
    def __init__(self, conversation: Conversation, key: str, out: TextIO) -> None:
        self.conversation = conversation
        self.key = key
        self.out = out
        self.pending: Reply | None = None  # the last 'did you mean…', answerable by number

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    async def handle(self, text: str) -> bool:
        """Answer one line; False ends the chat."""
        command = text.casefold()
        if not text:
            return True
        if command in QUIT:
            return False
        if command in {"help", "/help", "/start"}:
            self.say(HELP)
            return True
        if command in {"topics", "/topics"}:
            self.say(topics_listing(self.conversation.knowledge.kb))
            return True
        if command.startswith(("topic ", "/topic ")):
            self._show_topic(text.split(maxsplit=1)[1].strip())
            return True
        if self.pending is not None and (text.isdigit() or command == "none"):
            await self._choose(0 if command == "none" else int(text))
            return True
        reply = await self.conversation.ask(text, user_key=self.key)
        self.pending = reply if reply.kind is ReplyKind.CLARIFY else None
        self.say(reply_text(reply))
        if reply.kind is ReplyKind.CLARIFY:
            self.say("Type the number of your choice, 0 for none of these, or ask again.")
        return True

    def _show_topic(self, topic_id: str, language: Language = DEFAULT_LANGUAGE) -> None:
        reply = self.conversation.topic_reply(topic_id, language=language)
        self.say(reply_text(reply) if reply else f"No topic {topic_id!r}; type 'topics'.")

    async def _choose(self, number: int) -> None:
        pending = self.pending
        assert pending is not None
        if number == 0:
            self.pending = None
            self.say(reply_text(await self.conversation.none_of_these(pending.exchange_id)))
            return
        if not 1 <= number <= len(pending.options):
            self.say(f"Please type a number between 0 and {len(pending.options)}.")
            return
        topic = pending.options[number - 1]
        if pending.exchange_id is not None:
            await self.conversation.record_choice(pending.exchange_id, topic.id)
        self.pending = None
        self._show_topic(topic.id, pending.language)  # in the language the question was in
