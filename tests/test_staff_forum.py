"""Forum-topic names of enquiries (bot.enquiries.topic_name): what it is about, never who."""

from __future__ import annotations

from bot.enquiries import TOPIC_NAME_LIMIT, forgotten_topic_name, topic_name


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
