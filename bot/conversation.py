"""The conversation service: one question in, one reply decision out, recorded.

Telegram and the terminal chat are thin adapters over this; neither decides what to say.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from bot.follow_ups import RecentSubjects
from bot.live_knowledge import LiveKnowledge
from bot.storage import ExchangeGone, NewExchange, Storage, StorageError
from intents import (
    DEFAULT_LANGUAGE,
    TELEGRAM_MESSAGE_LIMIT,
    Contact,
    KnowledgeBase,
    Language,
    MatchResult,
    Outcome,
    Topic,
    detect_language,
    language_of_code,
    load_language_model,
    strip_invisible,
)

log = logging.getLogger(__name__)

# Telegram caps messages at 4,096 characters; longer text (pasted documents) is cut so
# storage and matching stay bounded, and the reply says so.
MAX_QUESTION_CHARS = TELEGRAM_MESSAGE_LIMIT


MAX_SUBJECT_CHARS = 600
"""A chain of follow-ups is remembered by its last words only: what "it" points to is in the
last few questions, and the matcher reads a bounded text."""


class ReplyKind(StrEnum):
    """What a reply does: the matcher's `Outcome` (same names, same values), or EMPTY."""

    ANSWER = Outcome.ANSWER.value
    CLARIFY = Outcome.CLARIFY.value
    FALLBACK = Outcome.FALLBACK.value
    EMPTY = "empty"
    """Nothing to match (only spaces, control characters or emoji): ask for words."""


@dataclass(frozen=True, slots=True)
class Reply:
    kind: ReplyKind
    kb: KnowledgeBase
    result: MatchResult | None = None
    topic: Topic | None = None
    options: tuple[Topic, ...] = ()
    """CLARIFY: the topics to choose from, best first."""
    exchange_id: int | None = None
    truncated: bool = False
    language: Language = DEFAULT_LANGUAGE
    """The user's language: an answer is given in it when the topic has a translation
    (`intents.knowledge.translation`), else in English with a notice in it."""
    on_record: bool = True
    """False for a fallback whose question is no longer recorded (an old "None of these"
    after /forget): its text must not claim the question was noted."""

    @property
    def related(self) -> tuple[Topic, ...]:
        """Topics offered with an answer: what the message also asked about first (the route
        of "can we license GaToroid", a second question), then the topic's own related ones."""
        if self.topic is None:
            return ()
        asked = self.result.suggestions if self.result is not None else ()
        also = [self.kb.topics[i] for i in asked if i in self.kb.topics and i != self.topic.id]
        unique = {t.id: t for t in (*also, *self.kb.related_of(self.topic))}
        return tuple(unique.values())

    @property
    def contacts(self) -> tuple[Contact, ...]:
        if self.topic is not None and self.topic.contacts:
            return self.kb.contacts_of(self.topic)
        return default_contacts(self.kb)


def default_contacts(kb: KnowledgeBase) -> tuple[Contact, ...]:
    """Where to send someone the knowledge base has no specific contact for."""
    contact = kb.default_contact
    return (contact,) if contact is not None else ()


def clean_question(text: str) -> tuple[str, bool]:
    """Strip control characters and surrounding space; cut to MAX_QUESTION_CHARS.

    Invisible format characters (soft hyphen, zero-width, bidi marks) go first and leave no
    space: inside a word they would otherwise split it ("MEDI\u00adCIS" is MEDICIS)."""
    cleaned = "".join(
        ch if unicodedata.category(ch)[0] != "C" or ch in "\n\t" else " "
        for ch in strip_invisible(text)
    )
    cleaned = " ".join(cleaned.split())
    truncated = len(cleaned) > MAX_QUESTION_CHARS
    return cleaned[:MAX_QUESTION_CHARS], truncated


def has_words(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


class Conversation:
    """Matches questions against the live knowledge base and records each exchange."""

    def __init__(self, knowledge: LiveKnowledge, storage: Storage | None, *, channel: str) -> None:
        self.knowledge = knowledge
        self.storage = storage
        self.channel = channel
        self.recent = RecentSubjects()
        load_language_model()  # at start (0.5 s), not on the first user's question

    async def ask(
        self,
        text: str,
        *,
        user_key: str | None = None,
        update_id: int | None = None,
        language_code: str | None = None,
        chosen_language: Language | None = None,
    ) -> Reply:
        """`language_code` (Telegram's, of the user's app) is the language assumed when the
        question is too short to tell; without one, English. `chosen_language` (the user's
        /language) is the language of the reply whatever the question's; the detected one is
        still recorded, for staff to see what people write in."""
        question, truncated = clean_question(text)
        matcher = self.knowledge.matcher  # one snapshot for the whole exchange
        kb = matcher.kb
        prior = chosen_language or language_code
        if not has_words(question):
            return Reply(ReplyKind.EMPTY, kb, language=language_of_code(prior) or DEFAULT_LANGUAGE)
        previous = self.recent.recall(user_key) if user_key is not None else None
        result = matcher.match(question, follows=previous)
        if user_key is not None:
            self._remember(user_key, question, previous, result, matcher.courtesy)
        detected = detect_language(question, prior)
        exchange_id = await self._record(question, result, kb, user_key, update_id, detected)
        return self.reply_for(
            result,
            kb,
            exchange_id=exchange_id,
            truncated=truncated,
            language=chosen_language or detected,
        )

    def _remember(
        self,
        user_key: str,
        question: str,
        previous: str | None,
        result: MatchResult,
        courtesy: frozenset[str],
    ) -> None:
        """What a follow-up from `user_key` will point back to: an answered question, with
        the one it followed if it pointed back too ("What is GaToroid?" – "Can we license
        it?" – "Who do I contact about it?" is still about GaToroid). A courtesy ("thanks!")
        changes nothing; anything else leaves nothing to point to."""
        if result.outcome is not Outcome.ANSWER:
            self.recent.forget(user_key)
        elif result.intent not in courtesy:
            subject = f"{previous} {question}" if result.followed else question
            self.recent.remember(user_key, subject[-MAX_SUBJECT_CHARS:])

    def reply_for(
        self,
        result: MatchResult,
        kb: KnowledgeBase,
        *,
        exchange_id: int | None = None,
        truncated: bool = False,
        language: Language = DEFAULT_LANGUAGE,
    ) -> Reply:
        answered = kb.topics.get(result.intent) if result.intent is not None else None
        if result.outcome is Outcome.ANSWER and answered is not None:
            return Reply(
                ReplyKind.ANSWER,
                kb,
                result,
                answered,
                exchange_id=exchange_id,
                truncated=truncated,
                language=language,
            )
        if result.outcome is Outcome.CLARIFY:
            options = tuple(
                kb.topics[c.intent] for c in result.candidates if c.intent in kb.topics
            )[: kb.settings.max_alternatives]
            # One option is still a question ("did you mean this?"): its score is below the
            # answer threshold, so answering it outright could be a wrong answer.
            if options:
                return Reply(
                    ReplyKind.CLARIFY,
                    kb,
                    result,
                    options=options,
                    exchange_id=exchange_id,
                    truncated=truncated,
                    language=language,
                )
        return Reply(
            ReplyKind.FALLBACK,
            kb,
            result,
            exchange_id=exchange_id,
            truncated=truncated,
            language=language,
        )

    def topic_reply(self, topic_id: str, *, language: Language = DEFAULT_LANGUAGE) -> Reply | None:
        """The answer of one topic, chosen by button or deep link rather than matched."""
        kb = self.knowledge.kb
        topic = kb.topics.get(topic_id)
        return Reply(ReplyKind.ANSWER, kb, topic=topic, language=language) if topic else None

    async def record_choice(
        self, exchange_id: int, topic_id: str, *, user_key: str | None = None
    ) -> None:
        topic = self.knowledge.kb.topics.get(topic_id)
        if user_key is not None and topic is not None:
            # "Did you mean GaToroid?" – GaToroid – "Can we license it?": the topic chosen is
            # what "it" points to, by its title.
            self.recent.remember(user_key, topic.title)
        if self.storage is None:
            return
        try:
            await self.storage.record_choice(exchange_id, topic_id)
        except StorageError as exc:
            log.error("could not record clarification choice for exchange %s: %s", exchange_id, exc)

    async def none_of_these(
        self, exchange_id: int | None, *, language: Language = DEFAULT_LANGUAGE
    ) -> Reply:
        """None of the offered topics fit: the question goes to the unanswered review."""
        on_record = True
        if exchange_id and self.storage is not None:
            try:
                await self.storage.mark_unanswered(exchange_id)
            except ExchangeGone as exc:  # an old button after /forget or retention: expected
                log.info("'none of these' on a question no longer recorded: %s", exc)
                on_record = False
            except StorageError as exc:
                log.error("could not mark exchange %s as unanswered: %s", exchange_id, exc)
        return Reply(
            ReplyKind.FALLBACK,
            self.knowledge.kb,
            exchange_id=exchange_id if on_record and exchange_id else None,
            language=language,
            on_record=on_record,
        )

    async def _record(
        self,
        question: str,
        result: MatchResult,
        kb: KnowledgeBase,
        user_key: str | None,
        update_id: int | None,
        language: Language,
    ) -> int | None:
        if self.storage is None:
            return None
        try:
            # While the database refuses writes (locked, read-only, full) the exchange is deferred
            # (kept in memory) and written later; the user gets the answer either way.
            return await self.storage.record_exchange_or_defer(
                NewExchange(
                    channel=self.channel,
                    user_key=user_key,
                    question=question,
                    result=result,
                    kb_version=kb.version,
                    update_id=update_id,
                    language=language,
                )
            )
        except StorageError as exc:
            # The user still gets an answer; the log line carries what was lost.
            log.error(
                "could not record exchange (%s outcome=%s intent=%s): %s; exchange not recorded",
                self.channel,
                result.outcome,
                result.intent,
                exc,
            )
            return None
