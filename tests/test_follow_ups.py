"""A follow-up that points back ("Can we license it?") is about what the writer asked just
before, on the shipped knowledge base, in the matcher and in the conversation service."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation import Conversation, ReplyKind
from bot.follow_ups import RecentSubjects
from bot.live_knowledge import LiveKnowledge
from intents import Matcher, Outcome, load_knowledge

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.build(load_knowledge(KNOWLEDGE))


class TestReadingAFollowUp:
    def test_a_follow_up_pointing_back_is_about_the_question_before(self, matcher: Matcher) -> None:
        alone = matcher.match("Can we license it?")
        assert alone.intent == "route.licensing"
        after = matcher.match("Can we license it?", follows="What is GaToroid?")
        assert (after.outcome, after.intent) == (Outcome.ANSWER, "project.gatoroid")
        assert after.followed and not alone.followed
        assert "route.licensing" in after.suggestions

    @pytest.mark.parametrize(
        ("previous", "follow_up", "intent"),
        [
            ("What is GaToroid?", "Who do I contact about it?", "project.gatoroid"),
            ("What is FLASH?", "Where does that project stand?", "project.flash-status"),
            ("What is MEDICIS?", "Is it open to outside groups?", "project.medicis"),
        ],
    )
    def test_what_it_points_to_is_answered(
        self, matcher: Matcher, previous: str, follow_up: str, intent: str
    ) -> None:
        assert matcher.match(follow_up, follows=previous).intent == intent

    @pytest.mark.parametrize(
        "message",
        [
            "What about confidentiality agreements?",
            "Can we license the FLASH technology?",
            # A sentence of its own to point to: the message is read as it stands.
            "We build dosimeters. Can we license it?",
            "thanks!",
        ],
    )
    def test_a_message_saying_what_it_is_about_is_read_alone(
        self, matcher: Matcher, message: str
    ) -> None:
        alone = matcher.match(message)
        after = matcher.match(message, follows="What is GaToroid?")
        assert (after.outcome, after.intent, after.score) == (
            alone.outcome,
            alone.intent,
            alone.score,
        )
        assert not after.followed


class TestRecentSubjects:
    def test_a_subject_is_forgotten_after_the_window(self) -> None:
        now = [0.0]
        recent = RecentSubjects(seconds=60, clock=lambda: now[0])
        recent.remember("u1", "What is GaToroid?")
        now[0] = 59
        assert recent.recall("u1") == "What is GaToroid?"
        now[0] = 61
        assert recent.recall("u1") is None
        assert len(recent) == 0

    def test_the_user_who_wrote_least_recently_is_forgotten_first(self) -> None:
        recent = RecentSubjects(capacity=2)
        recent.remember("u1", "a")
        recent.remember("u2", "b")
        recent.remember("u1", "c")
        recent.remember("u3", "d")
        assert (recent.recall("u1"), recent.recall("u2"), recent.recall("u3")) == ("c", None, "d")


@pytest.fixture
def conversation() -> Conversation:
    return Conversation(LiveKnowledge.load(KNOWLEDGE), None, channel="test")


async def answered(conversation: Conversation, *turns: tuple[str, str]) -> str | None:
    """The topic answered to the last of `turns` (user key, message), asked in order."""
    reply = None
    for user_key, message in turns:
        reply = await conversation.ask(message, user_key=user_key)
    assert reply is not None
    return reply.topic.id if reply.topic is not None else None


class TestConversationFollowUps:
    async def test_the_same_user_s_follow_up_is_about_their_last_question(
        self, conversation: Conversation
    ) -> None:
        turns = (("u1", "What is GaToroid?"), ("u1", "Can we license it?"))
        assert await answered(conversation, *turns) == "project.gatoroid"

    async def test_another_user_s_question_is_not_pointed_to(
        self, conversation: Conversation
    ) -> None:
        turns = (("u1", "What is GaToroid?"), ("u2", "Can we license it?"))
        assert await answered(conversation, *turns) == "route.licensing"

    async def test_a_chain_of_follow_ups_keeps_its_subject_through_a_thanks(
        self, conversation: Conversation
    ) -> None:
        messages = (
            "What is GaToroid?",
            "Can we license it?",
            "thanks!",
            "Who do I contact about it?",
        )
        turns = tuple(("u1", m) for m in messages)
        assert await answered(conversation, *turns) == "project.gatoroid"

    async def test_an_unanswered_question_leaves_nothing_to_point_to(
        self, conversation: Conversation
    ) -> None:
        await conversation.ask("What is GaToroid?", user_key="u1")
        fallback = await conversation.ask("How do I get a CERN visitor badge?", user_key="u1")
        assert fallback.kind is ReplyKind.FALLBACK
        assert await answered(conversation, ("u1", "Can we license it?")) == "route.licensing"

    async def test_a_topic_chosen_from_did_you_mean_is_what_it_points_to(
        self, conversation: Conversation
    ) -> None:
        await conversation.record_choice(1, "project.gatoroid", user_key="u1")
        assert await answered(conversation, ("u1", "Can we license it?")) == "project.gatoroid"
