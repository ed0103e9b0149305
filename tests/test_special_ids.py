"""The topics and contact the bot's own messages use are named in `special:`, and checked.

The code reaches them by id (/start, /contact, the medical-advice answer, the default
contact), so an id that names nothing must fail `ktbot check` where it is written, not
silently turn a feature off for users.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.conversation import default_contacts
from intents import KnowledgeBase, Matcher, load_knowledge
from tests.conftest import TINY_KB_FILES, KbFactory
from tests.knowledge_problems import line_of, problems_of

REPO_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"

SPECIAL = """
    special:
      welcome_topic: about.kt-group
      contact_topic: route.contact
      medical_advice_topic: project.flash
      default_contact: medicis-team
"""
"""Every special id, each naming a topic or contact of the tiny knowledge base."""

RENAMED_CONTACT_TOPIC = {
    "topics/about.yaml": TINY_KB_FILES["topics/about.yaml"].replace(
        "- id: route.contact", "- id: route.reach-us"
    )
}
"""`route.contact` renamed, its old id not kept as a former id."""


def test_the_shipped_knowledge_names_every_special_topic_and_contact() -> None:
    kb = load_knowledge(REPO_KNOWLEDGE)

    assert kb.welcome_topic is not None and kb.welcome_topic.id == kb.special.welcome_topic
    assert kb.contact_topic is not None and kb.contact_topic.id == kb.special.contact_topic
    assert kb.special.medical_advice_topic in kb.topics
    assert kb.default_contact is not None and kb.default_contact.id == kb.special.default_contact


def test_special_ids_give_the_topics_and_contact_the_bot_uses(make_kb: KbFactory) -> None:
    kb = load_knowledge(make_kb({"settings.yaml": SPECIAL}))

    assert kb.welcome_topic is kb.topics["about.kt-group"]
    assert kb.contact_topic is kb.topics["route.contact"]
    assert default_contacts(kb) == (kb.contacts["medicis-team"],)
    matcher = Matcher.build(kb)
    assert matcher.medical_advice is not None
    assert matcher.index.topic_ids[matcher.medical_advice] == "project.flash"


def test_without_special_ids_their_uses_are_off_and_the_first_contact_is_the_default(
    tiny_kb: Path,
) -> None:
    kb = load_knowledge(tiny_kb)

    assert (kb.welcome_topic, kb.contact_topic) == (None, None)
    assert Matcher.build(kb).medical_advice is None
    assert default_contacts(kb) == (next(iter(kb.contacts.values())),)


def test_renaming_the_contact_topic_without_updating_settings_is_reported_at_the_setting(
    make_kb: KbFactory,
) -> None:
    root = make_kb({"settings.yaml": SPECIAL, **RENAMED_CONTACT_TOPIC})

    [problem] = problems_of(root)

    assert problem.message == "special: contact_topic: unknown topic 'route.contact'"
    assert (problem.path.name, problem.line) == ("settings.yaml", line_of(SPECIAL, "contact_"))


def test_ktbot_check_fails_on_a_special_id_that_names_no_topic(
    make_kb: KbFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_kb({"settings.yaml": SPECIAL, **RENAMED_CONTACT_TOPIC})

    assert main(["check", "--knowledge", str(root)]) == 1

    line = line_of(SPECIAL, "contact_topic")
    expected = f"settings.yaml:{line}: special: contact_topic: unknown topic 'route.contact'"
    assert expected in capsys.readouterr().err


def test_a_special_topic_renamed_with_a_former_id_says_which_id_to_use(
    make_kb: KbFactory,
) -> None:
    renamed = RENAMED_CONTACT_TOPIC["topics/about.yaml"].replace(
        "- id: route.reach-us", "- id: route.reach-us\n            former_ids: [route.contact]"
    )
    root = make_kb({"settings.yaml": SPECIAL, "topics/about.yaml": renamed})

    [problem] = problems_of(root)

    assert problem.message == (
        "special: contact_topic: topic 'route.contact' was renamed: use 'route.reach-us'"
    )


def test_a_default_contact_that_names_no_contact_is_reported_with_the_known_ones(
    make_kb: KbFactory,
) -> None:
    source = SPECIAL.replace("default_contact: medicis-team", "default_contact: kt-ofice")
    root = make_kb({"settings.yaml": source})

    [problem] = problems_of(root)

    assert problem.message == (
        "special: default_contact: unknown contact 'kt-ofice' (known: kt-office, medicis-team)"
    )
    assert (problem.path.name, problem.line) == ("settings.yaml", line_of(source, "kt-ofice"))


def test_special_ids_are_read_as_identifiers(make_kb: KbFactory) -> None:
    root = make_kb({"settings.yaml": "special:\n  contact_topic: Route Contact\n"})

    [problem] = problems_of(root)

    assert (problem.path.name, problem.line) == ("settings.yaml", 2)
    assert problem.message.startswith("special.contact_topic: ")


def test_a_knowledge_base_built_by_hand_has_no_special_ids(tiny_kb: Path) -> None:
    kb = load_knowledge(tiny_kb)
    bare = KnowledgeBase(kb.topics, kb.contacts, kb.categories, kb.settings, "v", tiny_kb)

    assert (bare.welcome_topic, bare.contact_topic, bare.special.default_contact) == (
        None,
        None,
        None,
    )
