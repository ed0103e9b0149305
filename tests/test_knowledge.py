"""The loaded knowledge base cannot be changed after loading: mappings, fields and models."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pydantic
import pytest

from intents.knowledge.base import KnowledgeBase
from intents.knowledge.loader import load_knowledge
from tests.conftest import TINY_KB_TOPIC_IDS

# --- immutability -------------------------------------------------------------------------


def test_knowledge_base_mappings_cannot_be_mutated(tiny_kb: Path) -> None:
    kb = load_knowledge(tiny_kb)
    flash = kb.topic("project.flash")

    for mapping, key, value in (
        (kb.topics, "project.new", flash),
        (kb.contacts, "someone", kb.contacts["kt-office"]),
        (kb.categories, "misc", kb.categories["about"]),
        (kb.topic_files, "project.new", tiny_kb),
    ):
        # Deliberately outside the types (a Mapping has no item assignment or deletion): the
        # runtime must refuse what the annotations already forbid.
        with pytest.raises(TypeError):
            mapping[key] = value  # type: ignore[index]
        with pytest.raises(TypeError):
            del mapping[next(iter(mapping))]  # type: ignore[union-attr]


def test_knowledge_base_fields_cannot_be_reassigned(tiny_kb: Path) -> None:
    kb = load_knowledge(tiny_kb)

    with pytest.raises(dataclasses.FrozenInstanceError):
        kb.version = "tampered"  # type: ignore[misc]


def test_knowledge_base_is_not_affected_by_changes_to_the_dicts_it_was_built_from(
    tiny_kb: Path,
) -> None:
    loaded = load_knowledge(tiny_kb)
    topics = dict(loaded.topics)
    kb = KnowledgeBase(
        topics=topics,
        contacts=loaded.contacts,
        categories=loaded.categories,
        settings=loaded.settings,
        version="v",
        root=tiny_kb,
    )

    topics.clear()

    assert tuple(kb.topics) == TINY_KB_TOPIC_IDS


def test_models_are_frozen_down_to_their_lists(tiny_kb: Path) -> None:
    kb = load_knowledge(tiny_kb)
    flash = kb.topic("project.flash")

    with pytest.raises(pydantic.ValidationError):
        flash.title = "Changed"
    with pytest.raises(pydantic.ValidationError):
        flash.links[0].url = "https://example.org/"
    with pytest.raises(pydantic.ValidationError):
        kb.contacts["kt-office"].url = "https://example.org/"
    with pytest.raises(pydantic.ValidationError):
        kb.settings.answer_threshold = 0.1
    assert isinstance(flash.questions, tuple)
    assert isinstance(flash.related, tuple)
