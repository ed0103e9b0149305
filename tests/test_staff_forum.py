"""Forum topics of enquiries: their names (bot.enquiries.topic_name), what it is about, never
who; closing and reopening them (bot.telegram.staff_forum), quiet when already done."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import cast

import pytest
from telegram import Bot
from telegram.error import BadRequest

from bot.enquiries import TOPIC_NAME_LIMIT, forgotten_topic_name, topic_name
from bot.storage.enquiries import Enquiry
from bot.telegram import staff_forum


def test_a_topic_is_named_after_the_knowledge_topic_when_there_is_one() -> None:
    assert topic_name(12, "how do I license it", "Licensing CERN technology") == (
        "#12 Licensing CERN technology"
    )


def test_otherwise_after_the_first_words_of_the_question() -> None:
    name = topic_name(3, "can CERN test our dosimeter in a beam next month")
    assert name == "#3 can CERN test our dosimeter in…"
    assert topic_name(4, "   ") == "#4 (no text)"


def test_a_long_name_is_cut_at_a_word_within_telegrams_limit() -> None:
    name = topic_name(7, "x", "radiation " * 40)
    assert len(name) <= TOPIC_NAME_LIMIT and name.endswith("radiation…")
    assert len(topic_name(7, "x", "a" * 300)) <= TOPIC_NAME_LIMIT


def test_a_forgotten_enquiry_keeps_only_its_number() -> None:
    assert forgotten_topic_name(5) == "#5 (forgotten)"


class _TopicBot:
    """Just the topic calls of a Bot, each refused with `error`."""

    def __init__(self, error: str) -> None:
        self.error = error
        self.calls: list[tuple[str, int, int]] = []

    async def close_forum_topic(self, chat_id: int, thread_id: int) -> bool:
        self.calls.append(("close", chat_id, thread_id))
        raise BadRequest(self.error)

    async def reopen_forum_topic(self, chat_id: int, thread_id: int) -> bool:
        self.calls.append(("reopen", chat_id, thread_id))
        raise BadRequest(self.error)


def _enquiry(thread: int | None) -> Enquiry:
    return cast(Enquiry, SimpleNamespace(id=5, staff_thread_id=thread))


@pytest.mark.parametrize("change", [staff_forum.close_topic, staff_forum.reopen_topic])
async def test_a_topic_already_closed_or_open_is_no_warning(
    change: Callable[[Bot, int, Enquiry], Awaitable[None]], caplog: pytest.LogCaptureFixture
) -> None:
    bot = _TopicBot("Topic_not_modified")
    await change(cast(Bot, bot), -100, _enquiry(9))
    assert [(chat, thread) for _, chat, thread in bot.calls] == [(-100, 9)]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]

    refused = _TopicBot("Not enough rights to close or open the topic")
    await change(cast(Bot, refused), -100, _enquiry(9))
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == [
        f"could not {bot.calls[0][0]} the topic of enquiry #5: "
        "Not enough rights to close or open the topic"
    ]


async def test_an_enquiry_without_a_topic_has_none_to_close() -> None:
    bot = _TopicBot("unexpected")
    await staff_forum.close_topic(cast(Bot, bot), -100, _enquiry(None))
    await staff_forum.reopen_topic(cast(Bot, bot), -100, _enquiry(None))
    assert bot.calls == []
