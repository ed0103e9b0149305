"""Questions about another organisation's own business (`intents.matching.elsewhere`): its
patterns are searched only in questions that hold a listed name or seller as whole words, and
that finds what searching every question found."""

from __future__ import annotations

import random
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from intents.knowledge.loader import load_knowledge
from intents.matching.elsewhere import OtherOrganisations, _names_cern
from intents.text.normalize import normalize_text, written_as

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
KB = load_knowledge(KNOWLEDGE)
SHIPPED = OtherOrganisations.build(KB.other_organisations, KB.sellers)


def found_as_before(
    labs: OtherOrganisations, pattern: re.Pattern[str], question: str
) -> str | None:
    """`OtherOrganisations._found` as it was, searching every question."""
    if not labs.selling or _names_cern(question):
        return None
    plain = normalize_text(question)
    if labs.member.search(plain):
        return None
    cased = question != question.lower()
    for found in pattern.finditer(plain):
        name = labs.name.search(found.group())
        assert name is not None
        spelled = labs.selling[name.group()]
        if cased and name.group() in labs.everyday and not written_as(spelled, question):
            continue
        return spelled
    return None


def answers_as_before(labs: OtherOrganisations, question: str) -> None:
    assert labs.owner_of(question) == found_as_before(labs, labs.owner, question)
    assert labs.owner_of(question, possessive=True) == found_as_before(labs, labs.thing, question)
    assert labs.seller_of(question) == found_as_before(labs, labs.seller, question)


def knowledge_texts() -> list[str]:
    """Every example and declined question, and each with its words shuffled."""
    rng = random.Random(7)
    texts = [text for topic in KB.topics.values() for text in (topic.title, *topic.questions)]
    texts += KB.out_of_scope
    return texts + [" ".join(rng.sample(text.split(), len(text.split()))) for text in texts]


def test_the_knowledge_base_lists_organisations_and_sellers() -> None:
    assert SHIPPED.selling and set(SHIPPED.spelled) < set(SHIPPED.selling)


def test_every_knowledge_base_text_is_answered_as_before() -> None:
    for text in knowledge_texts():
        answers_as_before(SHIPPED, text)


NAMES = sorted({*SHIPPED.selling.values(), "CERN"})
WORDS = [
    "at",
    "of",
    "the",
    "from",
    "does",
    "a",
    "price",
    "cost",
    "how",
    "much",
    "sell",
    "ip",
    "office",
    "licence",
    "we",
    "are",
    "its",
    "their",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(NAMES), st.sampled_from(WORDS)), max_size=12))
def test_texts_of_names_and_frames_are_answered_as_before(parts: list[str]) -> None:
    answers_as_before(SHIPPED, " ".join(parts))
    answers_as_before(SHIPPED, " ".join(parts).lower() + "?")
