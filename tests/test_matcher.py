"""The matcher's contract: answer what it knows, ask when two topics are close, decline
honestly otherwise; tolerate typos and spelling variants; never fail on any input."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar, NotRequired, TypedDict

import pytest

from intents.knowledge.base import KnowledgeBase
from intents.knowledge.models import MatchingSettings, Topic
from intents.matching.decision import Evidence, decide
from intents.matching.matcher import Matcher
from intents.matching.names import NameSpotter
from intents.matching.result import Candidate, Outcome
from intents.text.dictionary import real_words
from intents.text.typos import TypoCorrector


class TopicFields(TypedDict):
    """What a test topic sets beyond its id, category and answer."""

    title: str
    questions: tuple[str, ...]
    aliases: NotRequired[tuple[str, ...]]
    keywords: NotRequired[tuple[str, ...]]


TOPICS: dict[str, TopicFields] = {
    "project.medicis": TopicFields(
        title="CERN-MEDICIS",
        questions=(
            "What is MEDICIS?",
            "Can my hospital get radioisotopes from CERN?",
            "Which isotopes does the facility produce for medical research?",
        ),
        aliases=("MEDICIS", "CERN-MEDICIS"),
        keywords=("radioisotopes", "isotope production"),
    ),
    "project.stella": TopicFields(
        title="STELLA – affordable radiotherapy",
        questions=(
            "What is STELLA?",
            "affordable linear accelerator for radiotherapy in low-income countries",
            "robust radiotherapy machine for hospitals in Africa",
        ),
        aliases=("STELLA",),
    ),
    "project.eurosig": TopicFields(
        title="EuroSIG – superconducting ion gantry",
        questions=(
            "What is EuroSIG?",
            "superconducting gantry for carbon ions",
            "lighter rotating gantry built by a European collaboration",
        ),
        aliases=("EuroSIG",),
        keywords=("gantry",),
    ),
    "project.gatoroid": TopicFields(
        title="GaToroid – toroidal gantry",
        questions=(
            "What is GaToroid?",
            "non-rotating gantry with a toroidal magnet",
            "toroidal magnet design for hadron therapy",
        ),
        aliases=("GaToroid",),
        keywords=("gantry",),
    ),
    "route.collaboration": TopicFields(
        title="Collaborating with CERN",
        questions=(
            "How can we start a collaboration with CERN?",
            "joint research and development agreement",
            "partner with CERN on a research project",
        ),
        keywords=("collaboration agreement",),
    ),
    "route.licensing": TopicFields(
        title="Licensing a CERN technology",
        questions=(
            "How do I license a CERN technology?",
            "license agreement for a CERN patent",
            "can my company use a CERN invention commercially",
        ),
        keywords=("patent",),
    ),
    "about.kt-group": TopicFields(
        title="The Knowledge Transfer group",
        questions=(
            "What does the CERN Knowledge Transfer group do?",
            "who runs technology transfer at CERN",
            "how does CERN share its technology with industry",
        ),
        aliases=("KT group",),
    ),
    "smalltalk.greeting": TopicFields(
        title="Greeting",
        questions=("hello", "hi there", "good morning"),
        aliases=("hey",),
    ),
}


def knowledge_base(settings: MatchingSettings | None = None) -> KnowledgeBase:
    topics = {
        topic_id: Topic(id=topic_id, category="test", answer=f"About {topic_id}.", **fields)
        for topic_id, fields in TOPICS.items()
    }
    return KnowledgeBase(topics, {}, {}, settings or MatchingSettings(), "test", Path("."))


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.build(knowledge_base())


def answers(matcher: Matcher, text: str, intent: str) -> None:
    result = matcher.match(text)
    assert (result.outcome, result.intent) == (Outcome.ANSWER, intent), result


def test_a_question_from_the_knowledge_base_answers(matcher: Matcher) -> None:
    answers(matcher, "What is MEDICIS?", "project.medicis")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("which radioisotopes can a hospital obtain", "project.medicis"),
        ("cheap radiotherapy machines for poor countries", "project.stella"),
        ("toroidal magnet gantry", "project.gatoroid"),
        ("R&D agreement with CERN", "route.collaboration"),
    ],
)
def test_a_paraphrase_answers(matcher: Matcher, text: str, intent: str) -> None:
    answers(matcher, text, intent)


def test_an_alias_inside_a_sentence_answers(matcher: Matcher) -> None:
    answers(matcher, "Tell me about STELLA please", "project.stella")


def test_typo_in_acronym_still_answers(matcher: Matcher) -> None:
    answers(matcher, "medisis", "project.medicis")
    answers(matcher, "what is gatoroyd", "project.gatoroid")


def test_typo_in_a_long_word_is_corrected(matcher: Matcher) -> None:
    query = matcher.index.vectorizer.vectorize("a colaboration with CERN")
    assert query.corrections == {"colaboration": "collaboration"}
    answers(matcher, "colaboration agreement", "route.collaboration")


def test_short_real_words_are_not_corrected_into_knowledge_base_words(matcher: Matcher) -> None:
    # "gentry" is one letter from "gantry", "patient" one from "patent": real words stay.
    assert matcher.index.vectorizer.vectorize("gentry patient").corrections == {}


def test_spelling_variants_match(matcher: Matcher) -> None:
    answers(matcher, "licence for a CERN patent", "route.licensing")


def test_case_accents_and_punctuation_do_not_matter(matcher: Matcher) -> None:
    answers(matcher, "  MÉDICIS ??? ", "project.medicis")


def test_rare_words_outweigh_common_ones(matcher: Matcher) -> None:
    # "what", "CERN" and "project" appear everywhere; "isotope" decides.
    answers(matcher, "what is the CERN project for isotope production", "project.medicis")


@pytest.mark.parametrize("text", ["what is the project", "CERN", "what does it do", "how"])
def test_common_words_alone_fall_back(matcher: Matcher, text: str) -> None:
    assert matcher.match(text).outcome is Outcome.FALLBACK


@pytest.mark.parametrize(
    "text",
    ["best pizza in geneva", "How heavy is the top quark?", "qwerty uiop", "sing me a song"],
)
def test_unrelated_questions_fall_back(matcher: Matcher, text: str) -> None:
    result = matcher.match(text)
    assert result.outcome is Outcome.FALLBACK
    assert result.intent is None


def test_close_topics_ask_to_clarify(matcher: Matcher) -> None:
    result = matcher.match("gantry")
    assert result.outcome is Outcome.CLARIFY
    offered = {c.intent for c in result.candidates}
    assert {"project.eurosig", "project.gatoroid"} <= offered
    assert 2 <= len(result.candidates) <= matcher.kb.settings.max_alternatives


def test_every_result_exposes_the_score_and_runner_ups(matcher: Matcher) -> None:
    for text in ("What is MEDICIS?", "gantry", "best pizza in geneva"):
        result = matcher.match(text)
        assert 0.0 <= result.score <= 1.0
        assert result.alternatives, result
        scores = [c.score for c in result.candidates]
        assert scores == sorted(scores, reverse=True)


def test_thresholds_come_from_the_knowledge_base_settings() -> None:
    strict = Matcher.build(
        knowledge_base(
            MatchingSettings(answer_threshold=0.99, clarify_threshold=0.98, option_threshold=0.97)
        )
    )
    assert strict.match("What is MEDICIS?").outcome is Outcome.FALLBACK


@pytest.mark.parametrize(
    "text",
    [
        "",
        " \n\t ",
        "\x00\x01\x02\u202e\u200b\ufeff medicis",
        "🧪" * 2000,
        "MEDICIS" + "\u0301" * 500,
        "x" * 10_000,
        "medicis " * 2_000,
        "\ud800 lone surrogate",
        "ǅ ﷽ 𝔐𝔈𝔇𝔌𝔆𝔌𝔖",
    ],
)
def test_any_string_gets_a_valid_result(matcher: Matcher, text: str) -> None:
    result = matcher.match(text)
    assert result.outcome in set(Outcome)
    assert 0.0 <= result.score <= 1.0
    assert result.intent is None or result.intent in matcher.kb.topics
    assert all(c.intent in matcher.kb.topics for c in result.alternatives)


def test_text_without_words_falls_back(matcher: Matcher) -> None:
    result = matcher.match("?!")
    assert (result.outcome, result.score) == (Outcome.FALLBACK, 0.0)


def test_the_built_index_is_read_only(matcher: Matcher) -> None:
    rows = matcher.index.rows
    for array in (rows.dense, rows.postings_values, matcher.index.vectorizer.weights):
        assert not array.flags.writeable


def test_concurrent_matches_agree_with_sequential_ones(matcher: Matcher) -> None:
    texts = ["What is MEDICIS?", "gantry", "medisis", "best pizza", "hello"] * 40
    expected = [matcher.match(t) for t in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(matcher.match, texts)) == expected


def test_a_knowledge_base_with_one_topic_still_works() -> None:
    only = {"project.stella": TOPICS["project.stella"]}
    topics = {
        tid: Topic(id=tid, category="test", answer="x", **fields) for tid, fields in only.items()
    }
    kb = KnowledgeBase(topics, {}, {}, MatchingSettings(), "one", Path("."))
    result = Matcher.build(kb).match("What is STELLA?")
    assert (result.outcome, result.intent, result.alternatives) == (
        Outcome.ANSWER,
        "project.stella",
        (),
    )


class TestDecision:
    """The thresholds' meaning, on hand-made rankings."""

    settings = MatchingSettings(
        answer_threshold=0.5,
        clarify_threshold=0.3,
        clarify_margin=0.1,
        option_threshold=0.2,
        max_alternatives=3,
    )

    def decide(self, *scores: float) -> tuple[Outcome, str | None, list[str]]:
        result = decide("q", self.evidence(*scores), self.settings)
        return result.outcome, result.intent, [c.intent for c in result.alternatives]

    def offered(self, *scores: float, **found: Any) -> tuple[Outcome, str | None, tuple[str, ...]]:
        """What is answered and the buttons offered with it."""
        result = decide("q", self.evidence(*scores, **found), self.settings)
        return result.outcome, result.intent, result.suggestions

    @staticmethod
    def evidence(*scores: float, **found: Any) -> Evidence:
        return Evidence(tuple(Candidate(f"t{i}", s) for i, s in enumerate(scores)), **found)

    def test_a_named_topic_is_answered_below_the_answer_threshold_with_the_route_offered(
        self,
    ) -> None:
        assert self.offered(0.42, 0.40, 0.1, named=("t0",)) == (Outcome.ANSWER, "t0", ("t1",))

    def test_a_named_topic_as_close_as_a_rival_comes_before_the_unnamed_best(self) -> None:
        # "what are medcis": the name, not "what are (you)", says what is asked.
        result = decide("q", self.evidence(0.44, 0.42, 0.1, named=("t1",)), self.settings)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "t1")

    def test_two_close_courtesies_are_answered_not_asked_about(self) -> None:
        # "ok thanks bye": asking "thanks or goodbye?" helps nobody.
        courtesy = frozenset({"t0", "t1"})
        result = decide("q", self.evidence(0.6, 0.58, courtesy=courtesy), self.settings)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "t0")

    def test_a_courtesy_close_to_a_real_topic_is_still_asked_about(self) -> None:
        result = decide("q", self.evidence(0.6, 0.58, courtesy=frozenset({"t0"})), self.settings)
        assert result.outcome is Outcome.CLARIFY

    def test_a_greeting_read_as_the_first_question_is_not_answered_first(self) -> None:
        per_question = (Candidate("t5", 0.9), Candidate("t0", 0.6))
        evidence = self.evidence(0.6, 0.1, per_question=per_question, courtesy=frozenset({"t5"}))
        assert decide("q", evidence, self.settings).intent == "t0"

    def test_a_confident_first_question_is_answered_before_the_message_s_topic(self) -> None:
        # "Can we license a CERN patent? Also, who handles NDAs?": licensing first, and the
        # NDA topic the whole message leans to is offered with it.
        per_question = (Candidate("t5", 0.5), Candidate("t0", 0.6))
        result = decide("q", self.evidence(0.6, 0.1, per_question=per_question), self.settings)
        assert (result.intent, result.suggestions) == ("t5", ("t0",))

    def test_a_first_question_far_below_the_message_s_topic_is_only_offered(self) -> None:
        # "What is EuroSIG, and how does it differ from GaToroid? Mainly I need EuroSIG's
        # aim.": the later question carries the message.
        per_question = (Candidate("t5", 0.5), Candidate("t0", 0.95))
        result = decide("q", self.evidence(0.95, 0.1, per_question=per_question), self.settings)
        assert (result.intent, result.suggestions) == ("t0", ("t5",))

    def test_a_named_topic_far_behind_the_best_does_not_overtake_it(self) -> None:
        result = decide("q", self.evidence(0.8, 0.42, named=("t1",)), self.settings)
        assert result.intent == "t0"

    def test_a_named_topic_answered_offers_a_plausible_route_even_when_not_close(self) -> None:
        assert self.offered(0.6, 0.35, 0.1, named=("t0",)) == (Outcome.ANSWER, "t0", ("t1",))

    def test_a_named_topic_answered_offers_no_implausible_route(self) -> None:
        result = decide("q", self.evidence(0.6, 0.2, named=("t0",)), self.settings)
        assert result.suggestions == ()

    def test_an_answer_offers_a_runner_up_nearly_as_likely(self) -> None:
        # Past the clarify margin, but four fifths of the answer's score: worth a button.
        assert self.offered(0.5, 0.41, 0.1) == (Outcome.ANSWER, "t0", ("t1",))

    def test_an_answer_offers_no_runner_up_far_behind_it(self) -> None:
        result = decide("q", self.evidence(0.6, 0.4, 0.1), self.settings)
        assert (result.outcome, result.suggestions) == (Outcome.ANSWER, ())

    def test_an_answer_offers_no_greeting_as_runner_up(self) -> None:
        evidence = self.evidence(0.5, 0.41, courtesy=frozenset({"t1"}))
        assert decide("q", evidence, self.settings).suggestions == ()

    def test_a_named_topic_with_a_close_sibling_using_the_same_name_is_answered_offering_it(
        self,
    ) -> None:
        # "Which isotopes does MEDICIS produce?": the facility and its isotopes both fit.
        found = {"named": ("t0",), "siblings": frozenset({"t1"})}
        assert self.offered(0.42, 0.40, **found) == (Outcome.ANSWER, "t0", ("t1",))

    def test_a_message_closer_to_the_declined_questions_falls_back(self) -> None:
        evidence = self.evidence(0.8, 0.1, out_of_scope=0.85)
        assert decide("q", evidence, self.settings).outcome is Outcome.FALLBACK

    def test_a_confident_second_question_is_offered_with_the_answer(self) -> None:
        evidence = self.evidence(
            0.8, 0.1, per_question=(Candidate("t0", 0.8), Candidate("t5", 0.6))
        )
        assert decide("q", evidence, self.settings).suggestions == ("t5",)

    def test_a_clear_winner_above_the_answer_threshold_is_answered(self) -> None:
        assert self.decide(0.8, 0.5, 0.1) == (Outcome.ANSWER, "t0", ["t1", "t2"])

    def test_a_close_runner_up_turns_an_answer_into_a_question(self) -> None:
        assert self.decide(0.8, 0.75, 0.1) == (Outcome.CLARIFY, "t0", ["t1"])

    def test_a_middling_best_score_asks_with_the_plausible_options(self) -> None:
        assert self.decide(0.4, 0.3, 0.21, 0.19) == (Outcome.CLARIFY, "t0", ["t1", "t2"])

    def test_a_middling_best_score_with_a_clear_lead_is_answered(self) -> None:
        # Under the answer threshold, but the runner-up scores under 0.7 of it.
        assert self.decide(0.4, 0.27, 0.1) == (Outcome.ANSWER, "t0", ["t1", "t2"])

    def test_a_clear_lead_over_the_topics_but_not_the_declined_questions_asks(self) -> None:
        # "any good place for raclette near Geneva?": the lead is one place name.
        result = decide("q", self.evidence(0.4, 0.05, out_of_scope=0.3), self.settings)
        # "Did you mean X?" alone: a 0.05 runner-up would only be noise on a button.
        assert (result.outcome, result.intent, result.alternatives) == (
            Outcome.CLARIFY,
            "t0",
            (),
        )

    def test_below_the_clarify_threshold_falls_back_but_keeps_the_guesses(self) -> None:
        assert self.decide(0.2, 0.1) == (Outcome.FALLBACK, None, ["t0", "t1"])

    def test_topics_sharing_nothing_with_the_question_are_no_guesses(self) -> None:
        assert self.decide(0.1, 0.0, 0.0) == (Outcome.FALLBACK, None, ["t0"])

    def test_a_named_topic_under_the_clarify_threshold_is_offered_alone(self) -> None:
        # "waht is medcis": the name was read through the typos, the words around it not.
        result = decide("q", self.evidence(0.25, 0.21, named=("t0",)), self.settings)
        assert (result.outcome, result.intent, result.alternatives) == (
            Outcome.CLARIFY,
            "t0",
            (),
        )

    def test_the_same_score_without_a_name_falls_back(self) -> None:
        assert self.decide(0.25, 0.21) == (Outcome.FALLBACK, None, ["t0", "t1"])

    def test_a_named_topic_under_the_option_threshold_falls_back(self) -> None:
        evidence = self.evidence(0.15, named=("t0",))
        assert decide("q", evidence, self.settings).outcome is Outcome.FALLBACK

    def test_a_named_topic_no_closer_than_the_declined_questions_falls_back(self) -> None:
        evidence = self.evidence(0.25, named=("t0",), out_of_scope=0.25)
        assert decide("q", evidence, self.settings).outcome is Outcome.FALLBACK


def test_a_typo_equally_close_to_two_words_becomes_the_more_frequent_one() -> None:
    corrector = TypoCorrector.build({"medicxyz": 1, "aedicxyx": 50})

    assert corrector.correct("medicxyx") == "aedicxyx"


class TestTyposWithRealWords:
    """With a list of real words, a short unknown word is corrected, missing or extra
    letters included, unless it is a real word itself."""

    known: ClassVar[dict[str, int]] = {"license": 9, "patent": 5, "space": 3, "donate": 4}
    real = frozenset({"spare", "found", "license", "patent", "space", "donate"})

    @pytest.mark.parametrize(
        ("typed", "meant"),
        [("licnse", "license"), ("patnet", "patent"), ("donnate", "donate"), ("spase", "space")],
    )
    def test_a_short_misspelling_is_corrected(self, typed: str, meant: str) -> None:
        assert TypoCorrector.build(self.known, self.real).correct(typed) == meant

    def test_a_real_word_is_never_corrected_into_a_knowledge_base_word(self) -> None:
        assert TypoCorrector.build(self.known, self.real).correct("spare") is None

    def test_four_letters_are_corrected_only_for_two_neighbours_swapped(self) -> None:
        corrector = TypoCorrector.build({"fund": 3, "cost": 2, "much": 1}, self.real)
        assert corrector.correct("fudn") == "fund"
        assert corrector.correct("csot") == "cost"
        assert corrector.correct("fnd") is None  # a missing letter in so few: a guess
        assert corrector.correct("mach") is None  # a wrong letter: "much", "each" or "mach"?

    def test_a_swap_that_could_undo_to_two_words_is_left_alone(self) -> None:
        corrector = TypoCorrector.build({"form": 1, "from": 1, "abdc": 1, "bacd": 1}, self.real)
        assert (corrector.correct("fomr"), corrector.correct("rfom")) == ("form", "from")
        assert corrector.correct("badc") is None  # "abdc" and "bacd" are each one swap away

    def test_without_the_list_short_words_are_left_alone(self) -> None:
        assert TypoCorrector.build(self.known).correct("licnse") is None

    def test_the_shipped_list_knows_common_words_but_not_misspellings(self) -> None:
        words = real_words()
        assert {"spare", "found", "train"} <= words
        assert not {"licnse", "patnet", "recieve"} & words


def test_no_candidates_fall_back() -> None:
    assert decide("q", Evidence(()), TestDecision.settings).outcome is Outcome.FALLBACK


def test_a_topic_kept_from_a_names_siblings_is_never_offered_with_it() -> None:
    examples = [["What is FLASH?"], ["FLASH status"], ["Can FLASH cure my tumour?"]]
    spotter = NameSpotter.build([["FLASH"], [], []], examples, frozenset(), no_siblings=(2,))
    (hit,) = spotter.find("tell me about FLASH", ["tell", "me", "about", "flash"])
    assert 1 in hit.siblings
    assert 2 not in hit.siblings
