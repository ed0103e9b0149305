"""A project with several topics: the words of a topic's `aspects:` in a message naming the
project say which of its topics is asked ("flash status??" is the facility's milestones)."""

from __future__ import annotations

from pathlib import Path

import pytest

from intents.knowledge.base import KnowledgeBase
from intents.knowledge.loader import load_knowledge
from intents.knowledge.models import MatchingSettings, Topic
from intents.matching.aspects import Aspects
from intents.matching.matcher import Matcher
from intents.matching.result import Outcome

FLASH = Topic(
    id="project.flash",
    title="FLASH radiotherapy with very-high-energy electrons",
    category="test",
    questions=(
        "What is FLASH radiotherapy?",
        "flash radiotherapy",
        "How does the FLASH machine work?",
        "FLASH radiotherapy with electrons for deep tumours",
        "Could our company license the FLASH technology?",
        "Who should I talk to about FLASH radiotherapy?",
    ),
    aliases=("FLASH", "VHEE"),
    answer="About FLASH.",
)
STATUS_ASPECTS = ("status", "yet", "ready", "milestone", "funding", "paid")
FLASH_STATUS = Topic(
    id="project.flash-status",
    title="FLASH facility - milestones and funding",
    category="test",
    questions=(
        "When will the FLASH facility treat its first patients?",
        "Who funds the FLASH facility?",
        "FLASH project milestones",
    ),
    aspects=STATUS_ASPECTS,
    answer="About the FLASH facility's milestones.",
)
LICENSING = Topic(
    id="route.licensing",
    title="Licensing a CERN technology",
    category="test",
    questions=(
        "How do I license a CERN technology?",
        "license agreement for a CERN patent",
        "can my company use a CERN invention commercially",
    ),
    answer="About licensing.",
)


def matcher_of(*topics: Topic) -> Matcher:
    kb = KnowledgeBase({t.id: t for t in topics}, {}, {}, MatchingSettings(), "test", Path("."))
    return Matcher.build(kb)


@pytest.fixture(scope="module")
def with_aspects() -> Matcher:
    return matcher_of(FLASH, FLASH_STATUS, LICENSING)


@pytest.fixture(scope="module")
def without_aspects() -> Matcher:
    return matcher_of(FLASH, FLASH_STATUS.model_copy(update={"aspects": ()}), LICENSING)


STATUS_QUESTION = "flash radiotherapy status??"


def test_without_the_aspect_the_overview_wins_a_short_status_question(
    without_aspects: Matcher,
) -> None:
    # The premise of the feature: the overview's examples are closer to the words.
    assert without_aspects.match(STATUS_QUESTION).intent == "project.flash"


def test_an_aspect_next_to_the_project_name_answers_its_topic_and_offers_the_project(
    with_aspects: Matcher,
) -> None:
    result = with_aspects.match(STATUS_QUESTION)
    assert (result.outcome, result.intent) == (Outcome.ANSWER, "project.flash-status")
    assert "project.flash" in result.suggestions


def test_any_name_of_the_project_brings_its_aspects_into_play(with_aspects: Matcher) -> None:
    # "VHEE" appears in no example of the status topic: the name is still the project's.
    result = with_aspects.match("Is the VHEE machine ready yet?")
    assert (result.outcome, result.intent) == (Outcome.ANSWER, "project.flash-status")


def test_the_project_itself_is_answered_when_no_aspect_is_asked(with_aspects: Matcher) -> None:
    assert with_aspects.match("What is FLASH radiotherapy exactly?").intent == "project.flash"
    assert with_aspects.match("Can we license FLASH?").intent in {
        "project.flash",
        "route.licensing",
    }


@pytest.mark.parametrize(
    "message",
    [
        "What is the status of my licence request?",  # an aspect without the project's name
        "How do I license a CERN technology?",
        "funding for a CERN licence",
    ],
)
def test_messages_not_naming_the_project_are_untouched(
    with_aspects: Matcher, without_aspects: Matcher, message: str
) -> None:
    assert with_aspects.evidence(message) == without_aspects.evidence(message)


def test_the_projects_own_aspect_in_the_question_keeps_the_choice_to_the_words() -> None:
    own = FLASH.model_copy(update={"aspects": ("license",)})
    both = matcher_of(own, FLASH_STATUS, LICENSING)
    plain = matcher_of(FLASH, FLASH_STATUS.model_copy(update={"aspects": ()}), LICENSING)
    message = "Is FLASH ready to license yet?"
    assert both.evidence(message) == plain.evidence(message)


def test_the_projects_own_aspect_alone_puts_it_ahead_of_its_other_topics() -> None:
    # "collaboration" is FLASH's own aspect; "facility" and "cost" lean to the status topic.
    own = FLASH.model_copy(update={"aspects": ("collaboration",)})
    message = "What would a FLASH collaboration with the facility cost?"
    assert matcher_of(FLASH, FLASH_STATUS, LICENSING).match(message).intent == (
        "project.flash-status"
    )
    result = matcher_of(own, FLASH_STATUS, LICENSING).match(message)
    assert (result.outcome, result.intent) == (Outcome.ANSWER, "project.flash")
    assert "project.flash-status" in result.suggestions


def test_aspects_of_a_topic_sharing_no_name_with_the_project_do_nothing() -> None:
    lone = LICENSING.model_copy(update={"aspects": ("status",)})
    plain = matcher_of(FLASH, FLASH_STATUS.model_copy(update={"aspects": ()}), LICENSING)
    aspects = matcher_of(FLASH, FLASH_STATUS.model_copy(update={"aspects": ()}), lone)
    assert aspects.evidence(STATUS_QUESTION) == plain.evidence(STATUS_QUESTION)


class TestAspectPhrases:
    def test_a_phrase_matches_as_a_whole_and_plurals_as_the_singular(self) -> None:
        aspects = Aspects.build(
            [(), ("first patients", "milestone")], {("flash",): (0, 1)}, {("flash",): (0,)}
        )
        assert aspects.asked(0, ["when", "first", "patient"]) == [1]
        assert aspects.asked(0, ["milestone"]) == [1]
        assert aspects.asked(0, ["first", "meeting", "patient"]) == []

    def test_only_the_named_topics_family_is_asked_about(self) -> None:
        aspects = Aspects.build(
            [(), ("status",), ("status",)], {("flash",): (0, 1)}, {("flash",): (0,)}
        )
        assert aspects.asked(0, ["status"]) == [1]
        assert aspects.asked(2, ["status"]) == []

    def test_the_named_topics_own_aspect_claims_the_question_unless_a_sibling_is_asked(
        self,
    ) -> None:
        aspects = Aspects.build(
            [("collaboration",), ("status",)], {("flash",): (0, 1)}, {("flash",): (0,)}
        )
        assert aspects.claimed(0, ["flash", "collaboration"]) == (1,)
        assert aspects.claimed(0, ["flash", "collaboration", "status"]) == ()
        assert aspects.claimed(0, ["flash"]) == ()

    def test_an_aspect_the_named_topic_shares_with_a_sibling_still_claims_the_question(
        self,
    ) -> None:
        # MEDICIS's examples mention CHUV, a name of FLASH; "collaboration" is an aspect of
        # both, so "a FLASH collaboration" still says FLASH, not its facility's status.
        aspects = Aspects.build(
            [("collaboration",), ("status",), ("collaboration",)],
            {("flash",): (0, 1, 2)},
            {("flash",): (0,)},
        )
        assert aspects.claimed(0, ["flash", "collaboration"]) == (1, 2)
        assert aspects.claimed(0, ["flash", "collaboration", "status"]) == ()


@pytest.fixture(scope="module")
def shipped() -> Matcher:
    return Matcher.build(load_knowledge(Path(__file__).resolve().parents[1] / "knowledge"))


class TestShippedAspects:
    """The shipped knowledge base, with messages written for these tests."""

    @pytest.mark.parametrize(
        ("message", "intent"),
        [
            ("flash radiotherapy at chuv, status?", "project.flash-status"),
            ("Is the THERYQ machine in Lausanne operational yet?", "project.flash-status"),
            ("Can our lab order MEDICIS isotopes for a mouse study?", "project.medicis-isotopes"),
            ("What is MEDICIS, in two sentences?", "project.medicis"),
            ("Can we license the FLASH technology?", "project.flash"),
            ("Could our lab irradiate tumour spheroids with VHEE at CERN?", "project.clear"),
            # CHUV, the hospital the machine is built for, names the project.
            ("who paid for the chuv machine", "project.flash-status"),
            ("où en est le projet flash ?", "project.flash-status"),
            # Getting isotopes, in the words of the other languages.
            ("Wie können wir Terbium bei MEDICIS anfordern?", "project.medicis-isotopes"),
            ("Possiamo richiedere del lutezio a MEDICIS?", "project.medicis-isotopes"),
            ("¿Cómo pedir actinio a MEDICIS para un ensayo?", "project.medicis-isotopes"),
            # The facility's progress and the isotopes' price, in those languages too.
            ("La salle FLASH du CHUV est-elle achevée ?", "project.flash-status"),
            ("Ist die FLASH-Anlage am CHUV schon fertig?", "project.flash-status"),
            ("¿La instalación FLASH del CHUV ya está terminada?", "project.flash-status"),
            ("Gibt es für MEDICIS-Isotope eine Gebühr?", "project.medicis-isotopes"),
            ("do you charge a fee for MEDICIS isotopes?", "project.medicis-isotopes"),
        ],
    )
    def test_a_named_project_and_an_aspect(
        self, shipped: Matcher, message: str, intent: str
    ) -> None:
        result = shipped.match(message)
        assert result.intent == intent, result

    def test_each_question_of_a_message_is_read_for_its_aspect(self, shipped: Matcher) -> None:
        first_asks_for_isotopes = shipped.match(
            "Hello from Graz. Does MEDICIS still give isotopes to outside groups? Also, what"
            " does a PRISMAP application cost academic users?"
        )
        assert first_asks_for_isotopes.intent == "project.medicis-isotopes"
        first_asks_what_it_is = shipped.match("What is MEDICIS? And can we order its isotopes?")
        assert first_asks_what_it_is.intent == "project.medicis"
        assert "project.medicis-isotopes" in first_asks_what_it_is.suggestions

    def test_a_route_asked_about_a_project_with_sibling_topics_is_offered_too(
        self, shipped: Matcher
    ) -> None:
        # The runner-up shares the project's name (its isotopes); the route asked about comes
        # after it and is offered as well.
        result = shipped.match("Could we license the target technology developed for MEDICIS?")
        assert result.intent == "project.medicis", result
        assert "route.licensing" in result.suggestions
