"""Terminal chat: a peer of the Telegram adapter over the same conversation service."""

from __future__ import annotations

import asyncio
import getpass
import logging
from contextlib import AsyncExitStack
from pathlib import Path
from typing import TextIO

from bot.conversation import Conversation, Reply, ReplyKind
from bot.i18n import N_, Translator, translator
from bot.live_knowledge import LiveKnowledge
from bot.pseudonym import user_key
from bot.rendering import reply_text, topic_title
from bot.settings import Settings
from bot.storage import Storage, StorageError
from intents import DEFAULT_LANGUAGE, KnowledgeBase, Language, localized_category

log = logging.getLogger(__name__)

BANNER = N_(
    "ktbot — CERN medical applications & knowledge transfer.\n"
    "Ask a question, type 'topics' to browse, 'help' for help, 'quit' to leave."
)
# The command words (topics, topic, quit) are typed as they are: keep them in English.
HELP = N_(
    "Type a question in your own words, e.g. 'what is MEDICIS?' or 'can we license a CERN "
    "technology?'.\nCommands: topics (browse), topic ID (show one topic), quit."
)
CHOOSE_NUMBER = N_("Type the number of your choice, 0 for none of these, or ask again.")
NO_SUCH_TOPIC = N_("No topic “{topic}”; type 'topics'.")
NUMBER_RANGE = N_("Please type a number between 0 and {last}.")
QUIT = {"quit", "exit", "/quit", "/exit", "bye!"}
FALLBACK_UNRECORDED = N_(
    "I’m sorry, I don’t have a reliable answer to that, and I’d rather not guess. "
    "This chat cannot record questions right now, so this one will not reach the Knowledge "
    "Transfer team."
)
"""Instead of the fallback's "I've noted your question" when there is no database."""


def topics_listing(kb: KnowledgeBase, language: Language = DEFAULT_LANGUAGE) -> str:
    """The categories and their topics, titled in `language` where translated."""
    lines: list[str] = []
    for category in kb.categories.values():
        topics = kb.topics_in(category.id)
        if not topics:
            continue
        shown = localized_category(category, language)
        lines.append(f"{shown.title} — {shown.description}")
        lines += [f"  {t.id:<32} {topic_title(t, language)}" for t in topics]
    return "\n".join(lines)


async def chat(
    settings: Settings,
    knowledge_dir: Path,
    stdin: TextIO,
    stdout: TextIO,
    *,
    language: Language | None = None,
) -> int:
    """`language` ("en", "fr") answers in it whatever the question's; None follows each one."""
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
        # The key only names the user in recorded exchanges: without a database, no secret
        # is needed (a missing KTBOT_SECRET must not stop a chat that records nothing).
        key = (
            user_key(settings.pseudonym_secret(), "cli", getpass.getuser())
            if storage is not None
            else "unrecorded"
        )
        session = _ChatSession(conversation, key, stdout, language)
        if interactive:
            session.say(session.t.gettext(BANNER))
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
    def __init__(
        self,
        conversation: Conversation,
        key: str,
        out: TextIO,
        language: Language | None = None,
    ) -> None:
        self.conversation = conversation
        self.key = key
        self.out = out
        self.chosen = language
        self.language: Language = language or DEFAULT_LANGUAGE
        """The interface's: the chosen one, else that of the last question."""
        self.pending: Reply | None = None  # the last 'did you mean…', answerable by number

    @property
    def t(self) -> Translator:
        return translator(self.language)

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
            self.say(self.t.gettext(HELP))
            return True
        if command in {"topics", "/topics"}:
            self.say(topics_listing(self.conversation.knowledge.kb, self.language))
            return True
        if command.startswith(("topic ", "/topic ")):
            self._show_topic(text.split(maxsplit=1)[1].strip())
            return True
        if self.pending is not None and (text.isdigit() or command == "none"):
            await self._choose(0 if command == "none" else int(text))
            return True
        reply = await self.conversation.ask(text, user_key=self.key, chosen_language=self.chosen)
        self.language = reply.language
        self.pending = reply if reply.kind is ReplyKind.CLARIFY else None
        self.say(self._text(reply))
        if reply.kind is ReplyKind.CLARIFY:
            self.say(self.t.gettext(CHOOSE_NUMBER))
        return True

    def _text(self, reply: Reply) -> str:
        """`reply` for the terminal; a fallback never claims its question was noted when
        nothing is recorded."""
        if self.conversation.storage is None:
            return reply_text(reply, fallback=FALLBACK_UNRECORDED)
        return reply_text(reply)

    def _show_topic(self, topic_id: str, language: Language | None = None) -> None:
        reply = self.conversation.topic_reply(topic_id, language=language or self.language)
        self.say(
            reply_text(reply) if reply else self.t.gettext(NO_SUCH_TOPIC).format(topic=topic_id)
        )

    async def _choose(self, number: int) -> None:
        pending = self.pending
        assert pending is not None
        if number == 0:
            self.pending = None
            reply = await self.conversation.none_of_these(
                pending.exchange_id, language=pending.language
            )
            self.say(self._text(reply))
            return
        if not 1 <= number <= len(pending.options):
            self.say(self.t.gettext(NUMBER_RANGE).format(last=len(pending.options)))
            return
        topic = pending.options[number - 1]
        if pending.exchange_id is not None:
            await self.conversation.record_choice(pending.exchange_id, topic.id, user_key=self.key)
        self.pending = None
        self._show_topic(topic.id, pending.language)  # in the language the question was in
