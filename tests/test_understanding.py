"""How the matcher reads messages as people write them: sentences by role, names, synonyms,
declined questions and personal health questions. The rules are tested on their own, then on
the shipped knowledge base with messages written for these tests (never evaluation lines)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from intents.knowledge.errors import KnowledgeError
from intents.knowledge.loader import load_knowledge
from intents.matching.elsewhere import OtherOrganisations, compared
from intents.matching.health import is_personal_health_question
from intents.matching.identity import asks_about_the_assistant, asks_for_a_person
from intents.matching.index import IndexConfig
from intents.matching.matcher import COVERAGE_FLOOR, NAME_BONUS, Matcher
from intents.matching.misconceptions import takes_cern_for_a_clinic
from intents.matching.names import FUZZY_QUALITY, NameSpotter
from intents.matching.result import Outcome
from intents.matching.vectorizer import TYPO_DISCOUNT
from intents.text.features import terms
from intents.text.normalize import fold
from intents.text.phrases import Phrases
from intents.text.segments import (
    WEIGHTS,
    Role,
    closes_the_conversation,
    role_of,
    segment,
    without_asides,
)
from intents.text.vocabulary import Vocabulary
from tests.conftest import KbFactory

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"


@pytest.fixture(scope="module")
def shipped() -> Matcher:
    return Matcher.build(load_knowledge(KNOWLEDGE))


@pytest.fixture(scope="module")
def words_only(shipped: Matcher) -> Matcher:
    """The shipped knowledge base scored by the words it shares with a message alone: for
    the word index's own arithmetic, to which the shipped `semantic_weight` adds meaning."""
    settings = shipped.kb.settings.model_copy(update={"semantic_weight": 0.0})
    return Matcher.build(dataclasses.replace(shipped.kb, settings=settings))


class TestSentenceRoles:
    def test_a_greeting_and_an_introduction_weigh_less_than_the_question(self) -> None:
        parts = segment(
            "Good morning. I'm a radiographer at a clinic in Graz. "
            "We run a small isotope lab. How would we receive terbium from CERN?"
        )
        roles = [p.role for p in parts]
        assert roles == [Role.COURTESY, Role.INTRODUCTION, Role.CONTEXT, Role.QUESTION]
        assert parts[0].weight < parts[1].weight < parts[2].weight < parts[3].weight

    def test_a_question_pointing_back_takes_its_subject_from_the_sentence_before(
        self,
    ) -> None:
        parts = segment(
            "Good morning. I heard CERN helps design a sturdier linac. Can you tell me about it?"
        )
        assert [p.role for p in parts] == [Role.COURTESY, Role.REFERENT, Role.QUESTION]
        assert parts[1].weight > WEIGHTS[Role.CONTEXT]

    @pytest.mark.parametrize(
        "opening",
        [
            "We're a small imaging company and would like to in-license a CERN detector.",
            "I'm a founder in Turin and I'd like to build a product on your gantry design.",
        ],
    )
    def test_an_introduction_that_says_what_the_writer_wants_is_the_questions_subject(
        self, opening: str
    ) -> None:
        parts = segment(f"{opening} Where does that process start?")
        assert [p.role for p in parts] == [Role.REFERENT, Role.QUESTION]

    def test_a_question_pointing_back_to_an_introduction_takes_its_subject_from_it(
        self,
    ) -> None:
        parts = segment("I'm a radiochemist working with terbium isotopes. How do I get them?")
        assert [p.role for p in parts] == [Role.REFERENT, Role.QUESTION]

    @pytest.mark.parametrize(
        "follow_up",
        [
            "Where do we start?",
            "What is the first step?",
            "Any pointers?",
            "Advice?",
            "Please advise on the process.",
            "Kindly advise.",
            "Still a thing?",
            "How?",
            "Possible?",
            "Still open today?",
            "Possible at CERN?",
            "Feasible for a start-up?",
            "Who should we approach?",
            "Could you tell me how to apply?",
            "What support is available?",
            "Which one applies to us?",
            "Is there an overview somewhere?",
            "What's the best way?",
            "What would you recommend?",
        ],
    )
    def test_a_follow_up_naming_no_subject_takes_it_from_the_sentence_before(
        self, follow_up: str
    ) -> None:
        parts = segment(f"Our clinic wants to test a dosimeter in a CERN beam. {follow_up}")
        assert [p.role for p in parts] == [Role.REFERENT, Role.QUESTION]

    @pytest.mark.parametrize(
        "message",
        [
            "Nous voudrions un accord de confidentialité. Combien de temps cela prend-il ?",
            "Wir hätten gern eine Vertraulichkeitsvereinbarung. Wie lange dauert das ungefähr?",
            "Wir möchten einen Detektor lizenzieren. Wer ist dafür zuständig?",
            "Vorremmo un accordo di riservatezza. Quanto tempo ci vuole per questo?",
            "Queremos un acuerdo de confidencialidad. ¿Quién firma eso?",
        ],
    )
    def test_a_question_pointing_back_in_another_language_takes_its_subject_from_before(
        self, message: str
    ) -> None:
        assert [p.role for p in segment(message)] == [Role.REFERENT, Role.QUESTION]

    @pytest.mark.parametrize(
        "message",
        [
            # German "das" before a noun is an article, Spanish "está" a verb once folded.
            "Wir sind ein Start-up aus Graz. Wie lange dauert das Verfahren für eine Lizenz?",
            "Somos una empresa de Sevilla. ¿La instalación de CLEAR está abierta a empresas?",
        ],
    )
    def test_an_article_or_verb_in_another_language_points_nowhere(self, message: str) -> None:
        assert Role.REFERENT not in [p.role for p in segment(message)]

    @pytest.mark.parametrize(
        "help_asked", ["What would you recommend?", "Any advice?", "Please advise.", "Thoughts?"]
    )
    def test_a_request_for_help_after_a_question_adds_nothing_to_it(self, help_asked: str) -> None:
        parts = segment(f"We want to license a CERN detector for our scanner. {help_asked}")
        assert [p.role for p in parts] == [Role.QUESTION, Role.COURTESY]

    def test_a_question_after_a_question_is_still_asked(self) -> None:
        parts = segment("We want to license a CERN detector. Who should we contact?")
        assert [p.role for p in parts] == [Role.QUESTION, Role.QUESTION]

    @pytest.mark.parametrize(
        ("question", "subject"),
        [
            ("Who do I talk to about a start-up?", "a start-up?"),
            ("who should we contact regarding beam time", "beam time"),
            ("Contact person for the STELLA project please", "the STELLA project please"),
        ],
    )
    def test_asking_whom_to_contact_about_something_asks_about_that_thing(
        self, question: str, subject: str
    ) -> None:
        parts = segment(question)
        assert [p.role for p in parts] == [Role.REFERENT, Role.QUESTION]
        assert parts[1].text == subject

    def test_the_bot_answers_whom_to_talk_to_about_a_start_up_with_the_start_up_topic(
        self, shipped: Matcher
    ) -> None:
        # The brief's own example: the start-up answer carries the KT group as its contact.
        result = shipped.match("who do I talk to about a start-up?")
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "route.startups")

    @pytest.mark.parametrize(
        "question",
        [
            "Who do I contact for more information?",
            "Who can I talk to at KT about a medical project?",
            "Who do I contact to become a member?",
            "I'd like to license your detector. Who do I talk to about that?",
        ],
    )
    def test_asking_for_a_contact_and_nothing_more_stays_a_contact_question(
        self, question: str
    ) -> None:
        parts = segment(question)
        assert parts[-1].role is Role.QUESTION
        assert parts[-1].text == question.split(". ")[-1]

    @pytest.mark.parametrize(
        "follow_up",
        [
            "What is the status, and can our institute participate?",
            "What's available, and how does the selection work?",
            "How does the application work?",
            "Is Kenya eligible, and what would we get?",
            "What kind of help could we receive?",
            "What part does CERN play?",
            "What is CERN's involvement?",
            "What's the usual process?",
            "What are our obligations if we sell the result?",
        ],
    )
    def test_a_question_about_an_aspect_without_a_subject_takes_it_from_before(
        self, follow_up: str
    ) -> None:
        parts = segment(f"I heard CERN designs a robust linac for countries like ours. {follow_up}")
        assert [p.role for p in parts] == [Role.REFERENT, Role.QUESTION]

    def test_an_aspect_with_its_own_subject_does_not_point_back(self) -> None:
        parts = segment("We run a clinic. What is the status of the FLASH trials?")
        assert [p.role for p in parts] == [Role.CONTEXT, Role.QUESTION]

    @pytest.mark.parametrize(
        "greeting", ["Buenos días.", "Guten Morgen!", "Hi again.", "Namaste.", "Bom dia!"]
    )
    def test_a_greeting_in_another_language_opening_a_long_message_weighs_nothing(
        self, greeting: str
    ) -> None:
        parts = segment(f"{greeting} We make RF cavities. We'd like to know how to supply CERN.")
        assert [p.role for p in parts] == [Role.COURTESY, Role.CONTEXT, Role.QUESTION]

    @pytest.mark.parametrize(
        "message", ["Good evening from Nairobi 👋", "hello from the Oslo team!"]
    )
    def test_a_greeting_that_says_where_it_comes_from_is_a_greeting(self, message: str) -> None:
        [part] = segment(message)
        assert fold(part.text).split()[0] in ("good", "hello")
        assert "from" not in part.text

    def test_a_greeting_then_a_place_in_a_question_is_still_the_question(self) -> None:
        [part] = segment("Hi, in which country is the nearest incubator?")
        assert "incubator" in part.text

    def test_a_long_question_about_that_project_takes_its_subject_from_before(self) -> None:
        parts = segment(
            "A compact ion linac is being designed for hospitals. Where does that project "
            "stand today, who is funding it and when could the first prototype be tested?"
        )
        assert [p.role for p in parts] == [Role.REFERENT, Role.QUESTION]

    def test_a_long_question_about_such_a_thing_takes_its_subject_from_before(self) -> None:
        parts = segment(
            "Our trust would like to support a medical project financially. Could you explain "
            "how such a gift is made, and whether it can go to one particular project?"
        )
        assert [p.role for p in parts] == [Role.REFERENT, Role.QUESTION]

    @pytest.mark.parametrize(
        "question",
        [
            "But what other applications of CERN technology are there?",
            "Is there a CERN entrepreneurship programme students can apply to?",
            "Is there an overview of the KT Fund's projects?",
        ],
    )
    def test_a_question_asking_whether_there_is_something_has_its_own_subject(
        self, question: str
    ) -> None:
        parts = segment(f"I loved the story of the first PET image at CERN. {question}")
        assert [p.role for p in parts] == [Role.CONTEXT, Role.QUESTION]

    def test_asking_whether_there_are_fees_is_about_the_sentence_before(self) -> None:
        parts = segment("Our team builds on CERN's open hardware designs. Are there fees?")
        assert [p.role for p in parts] == [Role.REFERENT, Role.QUESTION]

    @pytest.mark.parametrize(
        "opening",
        [
            "Hi there, I'm a partner at a venture fund.",
            "Dear Sir, I write from a ministry.",
            "Good morning, science reporter here from a Dutch weekly.",
        ],
    )
    def test_who_is_writing_weighs_as_an_introduction(self, opening: str) -> None:
        parts = segment(f"{opening} How do CERN spin-offs get started?")
        assert [p.role for p in parts] == [Role.INTRODUCTION, Role.QUESTION]

    def test_a_long_question_using_that_as_a_conjunction_does_not(self) -> None:
        parts = segment(
            "We build detectors. Is it true that CERN lets companies use its designs for free "
            "and that nobody has to sign anything at all?"
        )
        assert [p.role for p in parts] == [Role.CONTEXT, Role.QUESTION]

    def test_a_plain_introduction_still_weighs_little(self) -> None:
        parts = segment("I'm a medical physicist in Lyon. How do we get beam time?")
        assert [p.role for p in parts] == [Role.INTRODUCTION, Role.QUESTION]

    def test_a_question_that_says_its_subject_leaves_the_context_as_context(self) -> None:
        parts = segment(
            "We run a radiopharmacy in Porto. Could you explain how a hospital group like "
            "ours can order MEDICIS isotopes and what they cost?"
        )
        assert [p.role for p in parts] == [Role.CONTEXT, Role.QUESTION]

    def test_a_one_sentence_message_is_all_question(self) -> None:
        assert [p.role for p in segment("hello")] == [Role.QUESTION]

    @pytest.mark.parametrize(
        ("message", "read"),
        [
            ("Bonjour, est-ce que le CERN propose des stages ?", "est-ce que le CERN propose"),
            ("Good morning, can we license FLASH?", "can we license FLASH?"),
            ("Hallo zusammen", "Hallo zusammen"),  # nothing else said: the greeting is it
            ("Hi there!", "Hi there!"),
            # Asking whether someone is there is still only a greeting.
            ("Hello, is anybody around?", "Hello, is anybody around?"),
            ("Bonjour à vous !", "Bonjour à vous !"),
            ("hey, good evening to you", "hey, good evening to you"),
            ("Hallo, ist da jemand?", "Hallo, ist da jemand?"),
            ("Buonasera, can we license GaToroid?", "can we license GaToroid?"),
        ],
    )
    def test_a_greeting_opening_a_sentence_that_says_more_is_left_out(
        self, message: str, read: str
    ) -> None:
        [part] = segment(message)
        assert part.text.startswith(read)

    @pytest.mark.parametrize(
        "sentence",
        [
            "Please tell me who handles start-up support",
            "I saw your open positions and wonder whether non-nationals can apply.",
            "Before I describe our idea I need to know if what I write stays confidential.",
            "My boss wants me to find out whether CERN licenses its linac designs.",
            "A short overview of the group and its mission would be really useful.",
            # A wish to know joined to what the writer does, its subject left out.
            "We make detectors and would like to know whether Member-State firms get priority.",
            # What the writer is trying to understand, or would like to: the request.
            "I'm trying to understand how CERN chose its medical priorities for 2021-2025.",
            "We are still hoping to learn which body approves new medical projects.",
            "I'd like to understand where the regional ion therapy centre plan stands.",
            # Asked after a comma, with no question mark.
            "We are writing a feature on isotopes for cancer, who should we talk to",
        ],
    )
    def test_a_request_without_question_mark_is_a_question(self, sentence: str) -> None:
        assert role_of(sentence) is Role.QUESTION

    @pytest.mark.parametrize(
        ("message", "context", "question"),
        [
            (
                "We follow the FLASH news, but what we need is the name of a contact.",
                "We follow the FLASH news",
                "what we need is the name of a contact.",
            ),
            (
                "I saw NIMMS in a talk, but really I just want to know about licences.",
                "I saw NIMMS in a talk",
                "really I just want to know about licences.",
            ),
            (
                "Reporter: after reading about MEDICIS, I'd like to know how licensing works.",
                "Reporter: after reading about MEDICIS",
                "I'd like to know how licensing works.",
            ),
            (
                "While reading about NIMMS I started wondering how projects get chosen.",
                "While reading about NIMMS",
                "I started wondering how projects get chosen.",
            ),
        ],
    )
    def test_a_sentence_turning_from_what_is_known_to_the_request_is_split(
        self, message: str, context: str, question: str
    ) -> None:
        parts = segment(message)
        assert [(p.text, p.role) for p in parts] == [
            (context, Role.CONTEXT),
            (question, Role.QUESTION),
        ]

    def test_a_but_inside_the_question_does_not_split_it(self) -> None:
        assert len(segment("Can we license it, but we need it fast?")) == 1

    def test_statements_only_are_read_as_the_request(self) -> None:
        parts = segment("Our firm licenses detectors. The product targets hospitals.")
        assert all(p.role is Role.QUESTION for p in parts)

    def test_a_greeting_is_left_out_of_the_sentence_it_opens(self) -> None:
        [greeting, question] = segment("Hello! Is GaToroid patented?")
        assert (greeting.role, question.text) == (Role.COURTESY, "Is GaToroid patented?")


class TestPleasantries:
    """Courtesies in everyday words ("hope you're keeping well", "talk soon") are courtesies,
    and a message of nothing else is answered with a greeting, a thanks or a goodbye."""

    @pytest.mark.parametrize(
        "sentence",
        [
            "Hope you're keeping well!",
            "Have a lovely weekend!",
            "Hi there, hope all is well with you",
            "ok, signing off now, speak soon",
            "that helps a lot",
            "That's really helpful!",
            "I'll pass it on to our legal team.",
            "I think I have everything for now.",
            "I'll sign off",
            "really informative",
            # A question announced, not asked yet; a newcomer saying so.
            "I've got a quick question for you.",
            "I'm new here",
            "j'ai une petite question",
            "ich hätte mal eine kurze Frage",
            "ho una domanda",
            "tengo una pregunta",
            "short question here",
            "anyone home?",
        ],
    )
    def test_a_pleasantry_is_a_courtesy(self, sentence: str) -> None:
        assert role_of(sentence) is Role.COURTESY

    @pytest.mark.parametrize(
        "sentence",
        [
            "Have you got a licensing contact?",
            "I hope the NIMMS study is going well",
            "that's all I needed to know about licensing",
            "Is that helpful for small hospitals?",
            "We'll share it with our investors before we license FLASH",
            "I have a question about the KT Fund",
            "Is it really useful for children?",
            "a quick question about the KT Fund",
        ],
    )
    def test_the_same_words_saying_something_are_not(self, sentence: str) -> None:
        assert role_of(sentence) is not Role.COURTESY

    def test_a_message_of_courtesies_only_is_marked_as_such(self) -> None:
        assert [p.courtesy for p in segment("Good afternoon, hope you are all well!")] == [True]
        assert [p.courtesy for p in segment("Hello! Is GaToroid patented?")] == [False, False]

    @pytest.mark.parametrize(
        ("message", "intent"),
        [
            ("Hi there, hope all is well with you", "smalltalk.greeting"),
            ("Good afternoon, hope you are all well!", "smalltalk.greeting"),
            ("right, signing off now, speak soon", "smalltalk.goodbye"),
            ("cheers, have a relaxing evening", "smalltalk.thanks"),
            # Words every topic shares ("doing", "side", "now", "tomorrow") and no courtesy
            # example uses: read as a question, they fell back.
            ("hope everyone is doing well on your side", "smalltalk.greeting"),
            ("alright, I'm heading off now, talk again tomorrow", "smalltalk.goodbye"),
            ("ok, checking out now, take care", "smalltalk.goodbye"),
            ("ok that's all I needed, have a good one", "smalltalk.goodbye"),
            # Chat shorthand and what the reader does next are thanks, not a question.
            ("thnks that helps a lot", "smalltalk.thanks"),
            ("Thanks, that helps a lot. I'll pass it on to our legal team.", "smalltalk.thanks"),
            ("OK, I think I have everything for now. I'll sign off.", "smalltalk.goodbye"),
            ("Hi, anyone around? I've got a quick question.", "smalltalk.greeting"),
            ("Buongiorno, ho una piccola domanda.", "smalltalk.greeting"),
            ("thx, really helpful", "smalltalk.thanks"),
            ("hi all, one quick question coming up", "smalltalk.greeting"),
            ("no thanks", "smalltalk.thanks"),
            ("ok thank you so much", "smalltalk.thanks"),
        ],
    )
    def test_courtesies_only_get_the_closest_courtesy_answer(
        self, shipped: Matcher, message: str, intent: str
    ) -> None:
        result = shipped.match(message)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, intent), result

    @pytest.mark.parametrize(
        ("message", "intent"),
        [
            ("who do we ask about licensing gatoroid thanks", "project.gatoroid"),
            ("can my startup license the nimms design thank you", "project.nimms"),
            ("je voudrais parler a quelqu'un du transfert de technologie merci", "route.contact"),
            ("quisiera donar para la investigación del cáncer gracias", "route.donations"),
        ],
    )
    def test_thanks_typed_after_a_request_without_a_comma_leave_the_request_to_answer(
        self, shipped: Matcher, message: str, intent: str
    ) -> None:
        parts = segment(message)
        assert parts[-1].role is Role.COURTESY
        result = shipped.match(message)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, intent), result

    def test_a_pleasantry_before_a_question_leaves_the_question_to_answer(
        self, shipped: Matcher
    ) -> None:
        result = shipped.match("Hello, how are you? Can we license GaToroid?")
        assert result.intent == "project.gatoroid"


def test_member_states_having_a_say_reads_as_their_representatives(shipped: Matcher) -> None:
    # The shipped synonyms: without them, "Member States" leans to their industry.
    result = shipped.match(
        "Do Member States have a voice in how CERN's medical technologies are transferred?"
    )
    assert (result.outcome, result.intent) == (Outcome.ANSWER, "governance.kt-forum"), result


def test_outside_hospitals_reads_as_beyond_medicine(shipped: Matcher) -> None:
    # The shipped synonyms: without them "outside of hospitals" leans to the facilities.
    result = shipped.match("Outside of hospitals, which sectors use CERN technology?")
    assert (result.outcome, result.intent) == (Outcome.ANSWER, "other.overview"), result


def test_a_project_named_around_a_question_with_its_own_subject_is_offered_not_answered(
    shipped: Matcher,
) -> None:
    result = shipped.match(
        "We read about GaToroid in a newsletter. If we co-develop a magnet with CERN engineers,"
        " who owns the patent?"
    )
    assert (result.outcome, result.intent) == (Outcome.ANSWER, "route.ip-ownership"), result
    assert "project.gatoroid" in result.suggestions


class TestNamedButOutOfScope:
    """A project's name says what a message is about, not that a topic answers it: its
    price, its shares, a tour of it, a job in its team are declined like the same questions
    naming nothing, while the project's own matters stay answered."""

    @pytest.mark.parametrize(
        "message",
        [
            "Is the firm that builds the FLASH machine publicly traded? I'm thinking of buying"
            " its stock.",
            "Are there internships in the GaToroid team this summer? How do I apply?",
            "I want an lxplus account to run Geant4 on the CERN batch farm, who gives me one?",
            "Could our pupils tour the MEDICIS lab on a school trip next spring?",
            "Is CERN hiring engineers for the FLASH project at the moment?",
            "Write a regular expression that finds MEDICIS isotope names in our lab notes.",
            "Translate 'FLASH therapy' into Japanese for our brochure.",
        ],
    )
    def test_a_declined_matter_of_a_named_project_is_declined(
        self, shipped: Matcher, message: str
    ) -> None:
        result = shipped.match(message)
        assert result.outcome is Outcome.FALLBACK, result

    @pytest.mark.parametrize(
        ("message", "intent"),
        [
            ("Can my company license GaToroid?", "project.gatoroid"),
            ("Can we license the MEDICIS target technology?", "project.medicis"),
            # A chance word ("write") shared with a declined question is no reason to decline.
            ("Our firm could supply parts for STELLA. Who do we write to?", "project.stella"),
            # Close to declined questions only by a few words: the name still wins.
            ("How much does a FLASH collaboration with CERN cost?", "project.flash"),
        ],
    )
    def test_a_named_projects_own_matters_stay_answered(
        self, shipped: Matcher, message: str, intent: str
    ) -> None:
        result = shipped.match(message)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, intent), result

    @pytest.mark.parametrize(
        "frame",
        [
            "Can we license {} technology for our company?",
            "I'd like to write to the {} team about a joint project. Who do we write to?",
            "Who should our company contact about {}?",
            "Can we sign an NDA before discussing {} with you?",
            "When was {} founded and by whom?",
        ],
    )
    def test_no_project_is_declined_for_the_frame_of_a_question_about_it(
        self, shipped: Matcher, frame: str
    ) -> None:
        # The frames of declined questions ("Can we rent a hall … for our company?", "write a
        # haiku about…") are CERN's questions' frames too; only the matter may decline.
        projects = ("MEDICIS", "GaToroid", "STELLA", "NIMMS", "EuroSIG", "CLEAR", "SEEIIST")
        declined = [
            p for p in projects if shipped.match(frame.format(p)).outcome is Outcome.FALLBACK
        ]
        assert not declined

    @pytest.mark.parametrize(
        "message", ["When was CERN founded and by whom?", "In which year was CERN established?"]
    )
    def test_cerns_own_founding_is_declined(self, shipped: Matcher, message: str) -> None:
        assert shipped.match(message).outcome is Outcome.FALLBACK
        # Declined as a matter, not only for scoring low: no project's founding is near it.
        assert shipped.matters.find(message) is not None


class TestDeclinedMatters:
    """A matter the bot never answers (`declined_matters:`: a job, a tour, a company's
    shares, a pet to treat) is declined whichever project the question names; mentioned
    only around the question, it declines nothing."""

    @pytest.mark.parametrize(
        "message",
        [
            "Hello, I'm a second-year engineering student in Lyon and I loved a talk on"
            " GaToroid. Is the team taking summer students, and where do I send my CV?",
            "Any job vacancies in the MEDICIS team for a radiochemist?",
            "How could I get a job in the GaToroid team? Any open positions for engineers?",
            "I'm Brazilian. Could I be hired to work on the NIMMS gantry studies?",
            "What is the tax treatment of shares in a CERN spin-off?",
            "If I sell my shares in a CERN spin-off, what are the tax implications?",
            "Should our FLASH spin-off be a limited company or a partnership, legal form wise?",
            "Is a GmbH the better legal form for a spin-off, tax-wise?",
            "which software do physicists use for LHC data analysis",
            "is the royalty income from my CERN licence taxable in France",
            "What's the stock price of the company that builds the FLASH linac?",
            "We'll be testing a detector at CLEAR for two weeks. Can external users stay at"
            " the CERN hostel?",
            "Could you draft the patent claims for my own toroidal gantry variant? It's"
            " inspired by GaToroid.",
            "How do I fix a segmentation fault when compiling Geant4 on macOS?",
            "Can we hold our start-up's launch party at CERN, near the MEDICIS building?",
            "What frequency does the Linac4 RFQ run at?",
            "Can my hospital buy Windows licences at a discount through CERN?",
            "How are the annual contributions of an Associate Member State calculated?",
            "What are the Belgian nuclear regulator's requirements for handling Ac-225 from"
            " MEDICIS?",
            # Visits, site access and CERN's membership, whatever project they name.
            "Could a school group tour the GaToroid magnet lab?",
            "Does the Science Gateway have a room on PET scanners and the detectors behind them?",
            "Where do I pick up an access card for the CLEAR hall?",
            "How many Member States does CERN count since Slovenia joined?",
        ],
    )
    def test_a_question_asking_for_a_declined_matter_is_declined_whatever_it_names(
        self, shipped: Matcher, message: str
    ) -> None:
        result = shipped.match(message)
        assert result.outcome is Outcome.FALLBACK, result

    def test_an_animal_to_treat_is_declined_not_taken_for_a_patient(self, shipped: Matcher) -> None:
        result = shipped.match("Could MEDICIS isotopes help my dog? Our vet says it's a tumour.")
        assert result.outcome is Outcome.FALLBACK, result

    @pytest.mark.parametrize(
        ("message", "intent"),
        [
            (
                "During my internship at CERN I heard about FLASH. Can my company license it?",
                "project.flash",
            ),
            ("I heard about GaToroid at an open day. Who do we contact about it?", None),
            (
                "My daughter is a summer student at CERN this year, but this question is for"
                " my company: how do we propose a joint R&D project with CERN on detectors?",
                "route.collaboration",
            ),
            (
                "After watching a documentary about the Higgs boson I got curious, how did CERN"
                " help develop PET scanners?",
                "history.pet",
            ),
        ],
    )
    def test_a_matter_mentioned_around_the_question_declines_nothing(
        self, shipped: Matcher, message: str, intent: str | None
    ) -> None:
        result = shipped.match(message)
        assert result.outcome is Outcome.ANSWER, result
        assert intent is None or result.intent == intent

    def test_an_acronym_that_spells_an_everyday_word_is_no_matter(self, shipped: Matcher) -> None:
        # Hence no "my pet" in the shipped list: a patient's PET scan is still theirs.
        result = shipped.match("Could someone at CERN look at my PET scan? I'm worried.")
        assert result.intent == "about.no-medical-advice", result

    def test_phrases_are_found_as_whole_words_with_their_plurals(self) -> None:
        phrases = Phrases.build(["job vacancy", "internship", "share price"])

        assert phrases.find("Any JOB VACANCIES in the team?") == "job vacancy"
        assert phrases.find("Are there internships?") == "internship"
        assert phrases.find("what's GTT's share-price doing") == "share price"
        assert phrases.find("Who shares the price of a joint project?") is None
        assert phrases.find("internshipping") is None
        assert phrases.all_in("internships, and JOB vacancies?") == ("internship", "job vacancy")
        assert Phrases.build(["vacancy", "job vacancy"]).all_in("job vacancies") == ("job vacancy",)
        assert Phrases.build([]).find("internship") is None

    def test_declining_a_matter_is_the_knowledge_bases_choice(self, make_kb: KbFactory) -> None:
        question = "Are there internships in the FLASH team?"
        plain = Matcher.build(load_knowledge(make_kb()))
        listed = Matcher.build(
            load_knowledge(make_kb({"out-of-scope.yaml": "declined_matters: [internship]\n"}))
        )

        assert plain.match(question).intent == "project.flash"
        assert listed.match(question).outcome is Outcome.FALLBACK

    def test_a_matter_found_in_a_topics_example_question_is_a_warning(
        self, make_kb: KbFactory
    ) -> None:
        root = make_kb({"out-of-scope.yaml": "declined_matters:\n  - tour\n  - isotope\n"})

        (warning,) = [w for w in load_knowledge(root).warnings if "declined_matters" in w.message]

        assert warning.line == 3 and "project.medicis" in warning.message

    def test_a_matter_another_one_already_declines_is_a_warning(self, make_kb: KbFactory) -> None:
        root = make_kb(
            {"out-of-scope.yaml": "declined_matters:\n  - pay tax\n  - pay taxes\n  - tour\n"}
        )

        (warning,) = [w for w in load_knowledge(root).warnings if "declined_matters" in w.message]

        assert warning.line == 3 and "'pay tax'" in warning.message

    def test_a_matter_that_is_not_text_is_an_error_with_its_line(self, make_kb: KbFactory) -> None:
        root = make_kb({"out-of-scope.yaml": "declined_matters:\n  - tour\n  - {a: 1}\n"})

        with pytest.raises(KnowledgeError) as raised:
            load_knowledge(root)

        (problem,) = raised.value.problems
        assert problem.line == 3 and "declined_matters" in str(problem)


class TestSignOffs:
    @pytest.mark.parametrize(
        "sentence", ["Best, Amira", "Kind regards, Jan Novak", "Thanks, Dr. Rossi", "Cheers, Tom"]
    )
    def test_a_sign_off_with_a_name_is_a_courtesy(self, sentence: str) -> None:
        assert role_of(sentence) is Role.COURTESY

    def test_a_sign_off_is_no_name_list(self) -> None:
        assert role_of("Regards, Head of Radiology, Hospital X") is not Role.COURTESY
        assert role_of("and FLASH?") is not Role.COURTESY


class TestVocabulary:
    def test_a_multi_word_variant_is_read_as_its_canonical_word(self) -> None:
        vocabulary = Vocabulary.from_pairs([(("beam", "time"), ("facility",))])
        assert vocabulary.rewrite(["need", "beam", "time", "now"]) == ["need", "facility", "now"]

    def test_replacements_are_not_rewritten_again(self) -> None:
        vocabulary = Vocabulary.from_pairs([(("a",), ("b",)), (("b",), ("a",))])
        assert vocabulary.rewrite(["a", "b"]) == ["b", "a"]

    def test_the_shipped_synonyms_apply_to_messages(self, shipped: Matcher) -> None:
        vocabulary = shipped.index.vectorizer.vocabulary
        assert "license" in terms("can we commercialise it", vocabulary=vocabulary)
        assert "fund" in terms("who paid for the facility?", vocabulary=vocabulary)
        assert "procurement" in terms("how do we win contracts?", vocabulary=vocabulary)
        assert "collaborate" in terms("anything we could plug into?", vocabulary=vocabulary)
        assert "radionuclide" in terms("50 MBq of Lu-177", vocabulary=vocabulary)

    @pytest.mark.parametrize(
        ("message", "intent"),
        [
            ("wot can u do for me", "about.bot"),
            ("alright, hasta la próxima", "smalltalk.goodbye"),
            ("can we licnse ur patnet?", "route.licensing"),
            (
                "Is CERN still building that sturdier, cheaper linac for poor countries?",
                "project.stella",
            ),
            ("Can I leave a bequest to CERN medical research?", "route.donations"),
            ("CERN tech used in aircraft?", "other.aerospace"),
            ("vale, me despido", "smalltalk.goodbye"),
            ("right, gotta go, ttyl", "smalltalk.goodbye"),
            ("Except medicine, which domains use your technology?", "other.overview"),
            ("Namaste! Is anybody here?", "smalltalk.greeting"),
            ("muito obrigado, that helped", "smalltalk.thanks"),
            ("ok, that's all for today, enjoy your weekend", "smalltalk.goodbye"),
            ("Can our trust earmark funds for the isotope facility?", "route.donations"),
            ("So CERN tech is free for anyone, right?", "route.open-source"),
            (
                "Can AI be trained on hospital records that never leave each clinic?",
                "project.federated-learning",
            ),
            ("a proton gantry without rotation?", "project.gatoroid"),
            ("Is there an outside panel for the medical programme?", "governance.cmaac"),
            ("which companies spun out of CERN labs?", "route.startups"),
            ("FLASH at CHUV, where does it stand?", "project.flash-status"),
            # The steering committee named, its advisers asked about (CMAAC's `aspects:`)
            ("Which committee gives the CMASC independent scientific input?", "governance.cmaac"),
            (
                "Is the Medical Applications Steering Committee advised by outside experts?",
                "governance.cmaac",
            ),
            ("Does the CMASC approve projects on the MAPF's advice?", "governance.cmasc"),
            ("STELLA, where is it now?", "project.stella"),
            (
                "If we build a sensor together with CERN, does the patent belong to us?",
                "route.ip-ownership",
            ),
            ("How does getting rights to a CERN patent work for a small firm?", "route.licensing"),
            (
                "Is there a panel of outside specialists advising the medical programme?",
                "governance.cmaac",
            ),
            ("Our charitable trust wants to support CERN's cancer work; how?", "route.donations"),
            ("how do we give to the medical programme?", "route.donations"),
            ("Ballpark cost of a partnership?", "route.costs-timelines"),
            ("a joint invention: whose patent is it?", "route.ip-ownership"),
            # "whose are they" in Italian and Spanish, "who gets" in French
            ("Di chi sono i brevetti di un progetto fatto con il CERN?", "route.ip-ownership"),
            ("¿De quién es la patente si inventamos algo con el CERN?", "route.ip-ownership"),
            ("À qui revient le brevet d'une invention faite avec le CERN ?", "route.ip-ownership"),
            # "the ownership of a patent filed jointly", as a French transfer officer puts it
            (
                "Comment la propriété des brevets est-elle partagée quand on dépose conjointement"
                " avec le CERN ?",
                "route.ip-ownership",
            ),
            ("Chi ha la proprietà dei risultati di un progetto comune?", "route.ip-ownership"),
            ("am I chatting with an automated system?", "about.bot"),
            ("What would 2 GBq of Lu-177 cost us?", "project.medicis-isotopes"),
            ("Can our lab order a few MBq of Er-169?", "project.medicis-isotopes"),
            (
                "Our family foundation hopes to sponsor a CERN tumour-therapy project. How?",
                "route.donations",
            ),
            ("hiiii", "smalltalk.greeting"),
            ("hi, nice to meet you!", "smalltalk.greeting"),
            # A question announced opens the conversation: never "Goodbye".
            ("I have a question", "smalltalk.greeting"),
            ("I have some queries", "smalltalk.greeting"),
            ("i have a question about FLASH", "project.flash"),
            ("TT office cern?", "about.kt-group"),
            ("Is CERN in any MSCA doctoral networks on medical physics?", "route.eu-projects"),
            ("how does the kt fudn work", "route.kt-fund"),
            ("To whom should we address our proposal?", "route.contact"),
            (
                "Kann unser Unternehmen Geld aus dem Knowledge-Transfer-Fonds bekommen?",
                "route.kt-fund",
            ),
            ("do you have photon counting chips for companies", "other.imaging-detectors"),
            ("companies that grew out of your lab?", "route.startups"),
            ("typically how long does the deal take to sign?", "route.costs-timelines"),
            ("how do you get your inventions over to companies?", "about.kt-group"),
            ("Can CERN invest in firms using its tech?", "route.startups"),
            (
                "We're a three-person start-up in Porto. We heard CERN has incubation partners in"
                " member countries. How do we apply?",
                "route.startups",
            ),
            ("can we use your published schematics in a product?", "route.open-source"),
            ("Does CERN help its researchers turn their tech into companies?", "route.startups"),
            (
                "Is anyone building a radiotherapy linac for regions with frequent power outages?",
                "project.stella",
            ),
        ],
    )
    def test_chat_shorthand_goodbyes_and_domain_synonyms_are_understood(
        self, shipped: Matcher, message: str, intent: str
    ) -> None:
        result = shipped.match(message)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, intent)

    @pytest.mark.parametrize(
        ("message", "intent"),
        [
            # Licensing scores 0.264: answered at the answer threshold of 0.25 (2026-12-04),
            # asked about at the 0.27 before it.
            ("any technology portfolio to look at?", "route.licensing"),
            # NIMMS ("accelerator design") comes close to collaboration (0.27 against 0.32).
            (
                "Could CERN staff consult on our accelerator design for a fee?",
                "route.collaboration",
            ),
        ],
    )
    def test_phrasings_at_the_answer_boundary_offer_the_right_topic_first(
        self, shipped: Matcher, message: str, intent: str
    ) -> None:
        # Each moves between an answer and "did you mean" as the thresholds are re-chosen
        # (knowledge/settings.yaml); either way the right topic comes first.
        result = shipped.match(message)
        assert result.outcome in (Outcome.ANSWER, Outcome.CLARIFY)
        assert result.intent == intent


class TestPersonalHealth:
    @pytest.mark.parametrize(
        "text",
        [
            "Could my grandfather be treated with protons at CERN?",
            "Would carbon ions beat photons for a little girl with an ependymoma?",
            "Since my radiotherapy my memory is getting worse. Is that normal?",
            "I completed chemo in spring and I still have numb fingers. Will that pass?",
            "which dose of lutetium is normal for the next cycle?",
            "My mother worked as a nurse for years and now has a brain tumour. Can CERN treat her?",
            "what side effects come after carbon ion treatment",
            "I was diagnosed with a sarcoma, which centre should I choose?",
            "Ma mère a une tumeur au cerveau : le CERN peut-il la soigner ?",
            "Mein Sohn hat Krebs. Wird er am CERN behandelt?",
            "Mia moglie ha un tumore, può essere curata al CERN?",
            "Mi abuelo tiene cáncer de próstata, ¿qué dosis necesita?",
            "Est-ce que je peux être soigné au CERN ?",
            # A patient described, a symptom after treatment, pregnancy, a prescription.
            "Would carbon ions be too much for an 82-year-old with a lung tumour?",
            "My throat still burns weeks after the radiation, is this normal?",
            "I'm pregnant - can I still have a PET scan?",
            "Ist es gefährlich, nach einer Jodtherapie zu stillen?",
            "Sono incinta, posso fare la radioterapia?",
            "What is the usual dose of actinium-225 for prostate cancer?",
            "Which radiation dose is safe for a child with a brain tumour?",
            "Is it safe to travel by plane after a radioactive implant?",
            "I have a brain tumor and my doctor mentioned protons.",
            "Can I sign up as a patient for the new FLASH study?",
            "Mein Vater ist seit der Bestrahlung sehr müde.",
            "My mother has a brain tumour. Could carbon ions help her?",
            "will the radiation make me infertile? I'm 31",
            "burning skin on my neck after radiotherapy, which cream should I use",
            "How much is proton therapy abroad if my insurance doesn't pay for it?",
            "does carbon ion therapy hurt?",
            "Peut-on faire une radiothérapie pendant la grossesse ?",
            "Mir ist seit der Strahlentherapie schwindlig.",
            "I've been diagnosed with a sarcoma, what now?",
            "He has a lymphoma. Would protons be better than photons?",
            "I'm undergoing radiotherapy, can I still fly?",
            "protons for my lymphoma?",
            "Darf ich während der Strahlentherapie Sport machen?",
            "Ho 58 anni e un tumore al polmone: mi conviene la protonterapia?",
            "my buddy has leukemia, can your beams do anything?",
            "Ich bin 70 und habe seit der Strahlentherapie Durchfall.",
            "If it's cancer, could I come to Geneva and be treated with protons?",
            "what dose of lutetium is safe for a neuroendocrine tumour?",
            "Mum's lymphoma is back after the chemo. Would protons help?",
            "She's 79 and they want to irradiate a node in her neck, is that wise?",
            "I'm so scared, the scan found a tumour. Who treats this with carbon ions?",
            "Diagnosed in 2021 with a chordoma, now they offer protons. Is that worth it?",
            "Since the radiotherapy my ears ring all day. Will that go away?",
            "What would ion therapy cost out of pocket if the insurer says no?",
            "On me propose une protonthérapie : qu'en pensez-vous dans mon cas ?",
            "Ich hatte eine Bestrahlung am Kopf und habe seitdem Kopfschmerzen. Normal?",
            "Nel mio caso la protonterapia è indicata?",
            "I'm the patient: which centre should treat my chordoma?",
            "We're so scared, the scan showed a tumour. Which hospital?",
            "Is 54 Gy in 27 fractions normal? It's what they're proposing for me.",
            "What are the chances of surviving ten years after protons for a glioma?",
            "Is there a clinic in Switzerland where I could be treated with your ion beams?",
            # Where to go, the wish to be treated told after it.
            "Which proton centre in Italy uses CERN's designs? I'd like to be treated there.",
            "Welche Klinik empfehlen Sie für unseren Sohn mit einem Sarkom?",
            "Ho paura che la radioterapia mi faccia male, è normale?",
            "Estoy desesperada, ¿la radioterapia me va a quitar el cansancio?",
            "Ma mère hésite entre chirurgie et protons : que conseillez-vous pour elle ?",
            # The writer's trade does not matter once they say the question is their own.
            "I'm a radiographer, but this is personal: is a second CT this month safe?",
            "What dose of iodine-131 is normal for a thyroid scan?",
            "are these side efects normal after my second lutetium cycle?",
            # A prescription or a place of treatment asked for a kind of patient, no "my".
            "How many gray should a lung cancer patient receive with carbon ions?",
            "Is radium therapy safe for someone with a weak heart?",
            "Which dose of radioactive iodine is safe for hyperthyroid treatment?",
            "Which clinic in Italy offers carbon-ion therapy to kids?",
            # A relative's former job is no reason to doubt their illness.
            "My dad was an engineer and now has a glioma. Could protons cure him?",
            "My head has hurt since the radiotherapy, is that normal?",
            # Chat style: an age as "8yo", no "I" before a diagnosis, a trial to join.
            "is flash therapy safe for my 8yo",
            "got diagnosed w lymphoma, any cern treatments?",
            "how do i sign up for flash trial as a patient",
            "am i eligible for the flash clinical trial",
            # Asking what a device is, and whether it could help the relative.
            "My son has a brain tumour. What is that device you built, could it help him?",
            # Where to be treated, asked for a disease rather than a person.
            "Which clinic offers proton therapy for a brain tumour in Spain?",
            # A newborn's care, in words that are no disease's.
            "Could your radar watch over my premature son once we leave neonatal care?",
            "Our preemie is still in the NICU. Could that contact-free monitor be used on her?",
            # Where to be treated soonest.
            "Which Italian carbon-ion centre has the shortest waiting list for a chordoma?",
            # A tumour named only by its suffix, a remedy, a test result, a body part scanned.
            "Could VHEE electrons help my son's retinoblastoma?",
            "peeling skin since proton therapy, which ointment helps",
            "my tumour markers came back elevated, should I worry",
            "can you x-ray my hip at CERN",
            # One's own odds, a clinician's own patient.
            "Could your stroke software work out my risk of a relapse?",
            "Radiation oncologist. My patient has a recurrent sarcoma after photons: would you"
            " suggest carbon ions, and at what dose?",
        ],
    )
    def test_a_patient_asking_about_their_health_is_recognised(self, text: str) -> None:
        assert is_personal_health_question(text)

    @pytest.mark.parametrize(
        "text",
        [
            "proton therapy",
            "Our hospital wants to collaborate on FLASH dosimetry",
            "what doses does the CLEAR beam deliver to samples",
            "Je suis médecin : quelles doses le projet FLASH utilise-t-il ?",
            "Ich habe eine Frage zur Strahlentherapie mit Protonen.",
            "Tengo una pregunta sobre el tratamiento con hadrones en Europa.",
            "What is the typical dose rate of the FLASH beam?",
            "I have a tumour imaging start-up: can we license a CERN detector?",
            "How can our hospital take part in the FLASH clinical trial?",
            "Which dose for tumours do VHEE beams deliver in a FLASH pulse?",
            "Can you help me write a business plan for my radiotherapy start-up?",
            "If my radiation oncology team and CERN co-develop a detector, who owns the patent?",
            "We'd need an NDA before sharing our unpublished side-effect data with CERN.",
            "Journalist here: does FLASH really cut side effects?",
            "We build cubesats. Is there radiation-hard CERN technology relevant to us?",
            "Could we use the federated platform for our own hospital network?",
            "She has a question about the FLASH patent.",
            "Radiobiologist here: we irradiate cell cultures to compare side effects.",
            "I'm a medical physicist. Could we get beam time to test dosimeters for radiotherapy?",
            "Wie kann ich als Firma eine Lizenz für eine Strahlentherapie-Technologie bekommen?",
            "For my thesis on reducing side effects in ion therapy: which CERN study to read?",
            "Our son's start-up builds dosimeters: could he test them at CLEAR?",
            "In my case the licence would cover imaging software. What does it cost?",
            "Ich hatte eine Frage zur Lizenz für den Detektor.",
            "I'm scared we missed the KT fund deadline, when is the next call?",
            "Could we get an NDA before linking our hospital network to the platform?",
            "My grandma swears CERN invented radiotherapy. Is that true?",
            "I have to present the history of PET scanners in class: what did CERN do?",
            "I have a radiobiology experiment needing FLASH doses: can it run at CERN?",
            "can we get lutetium-177 from you",
            "We're engineers, does the beam hurt patients?",
            "Can you give me an overview of the therapy and imaging projects?",
            "I recall CERN helping hadron therapy in the 1980s, but my memory is hazy. How did it"
            " start?",
            "My mother worked as a nurse at a cancer hospital. Did CERN help build its first"
            " PET camera?",
            "Thanks! I now feel able to brief my board. The bot was clear and patient.",
            "I have a concept for a dose monitor. Should I apply to the KT Fund, and how?",
            "Describe the carbon-ion gantry to me as you would to a hospital director.",
            "I'm starting as a radiotherapy physicist in May: which CERN network runs courses?",
            "Which hospitals use CERN detectors for patients?",
            "We develop a dosimeter that is safe for patients with pacemakers: can we test it?",
            "My uncle was a radiographer and loved PET scans. Is it true CERN built the first one?",
            "My unit head asked me to find a CERN course on proton therapy. Is there one?",
            "Am I eligible for the KT Fund as a CERN researcher?",
            # An asker cue ("should I do") beside therapy words, in a partnership question.
            "We're forming a consortium on carbon-ion therapy and want CERN as a partner. When"
            " should I do that?",
            # "our lab was a partner": a partner institute, not a spouse.
            "Our lab was a partner in an earlier proton therapy study. What did it find, and was"
            " CERN involved?",
            # A relative who studies, and a buyer who has read about a project.
            "My niece studies medical physics and loves proton therapy. Can she do an"
            " internship at CERN?",
            "My son is 10 and is doing a school project on detectors. How fast do the protons"
            " go in the LHC?",
            "I have read about CERN's gantry work. What does a proton therapy system cost?",
            "My course report is on the history of PET imaging. What did CERN contribute?",
            "OK, I have what I need. Off to a meeting with our hospital board now, bye!",
            # "my … dose" of a simulation, not of a treatment.
            "I need a computing account to run my Monte Carlo dose simulations. Who sets it up?",
            # A relative's story told to ask which project the message describes.
            "My daughter spent a month in hospital wired to monitors. I heard CERN made a camera"
            " that watches breathing without contact. What is that device?",
            # A researcher asking for a beam for their own work ("can I get").
            "Postdoc here: can I get a slot to calibrate a dosimeter at ultra-high dose rates?",
            # What an oncologist "has" for a conference is an abstract, not a disease.
            "I am radiation oncologist and I have an abstract on dosimetry. Can I present it?",
            "PhD candidate. Could I get beam time for a detector under very high dose rates?",
            # What a writer already has on a subject is no illness.
            "I'm writing a history of hadron therapy. When was CERN's medical office created?"
            " PET I can leave aside, I have plenty on that.",
            # Whether it is safe to tell an invention: an asker cue and "safe", no patient.
            "Is it safe to describe my invention in this chat, or should I wait until there's"
            " a confidentiality agreement in place?",
            # A professional introducing themselves in two words.
            "Paediatric oncologist here. Do the FLASH trials report fewer side effects in"
            " children?",
            # A licence's waiting time is no patient's.
            "What's the usual waiting time for a licence agreement to be signed?",
            # A product line, a result that is no test's, a leg of a project.
            "Which pills does MEDICIS make?",
            "Our grant application came back positive: what happens next with the KT fund?",
            "My leg of the project is the detector: can CERN license the readout chip?",
            # A head in an idiom, beside therapy words.
            "I read the ion-therapy gantry paper but the magnet physics went over my head. How"
            " does it steer the beam onto the patient?",
            "Off the top of my head I can't recall: did CERN build the first PET scanner?",
        ],
    )
    def test_professional_questions_are_not_patient_questions(self, text: str) -> None:
        assert not is_personal_health_question(text)

    def test_the_patient_may_be_introduced_before_the_question(self) -> None:
        assert is_personal_health_question(
            "Which hospital in Europe would you recommend for her?",
            "Our four-year-old daughter has just been diagnosed with a brain tumour.",
        )

    @pytest.mark.parametrize(
        ("question", "story"),
        [
            ("Is it worth it?", "My husband was offered radium for his bone metastases."),
            ("What do you think, should we try?", "I had pelvic radiotherapy years ago."),
            ("Is this too much at her age?", "Our grandmother was offered chemo and radiation."),
            ("Could the scan have harmed the baby?", "I'm 10 weeks pregnant and had a CT."),
            ("Can he get it from you?", "My uncle's tumours stopped responding to lutetium."),
            (
                "Est-ce que ça vaut la peine à son âge ?",
                "Mon beau-père a 80 ans, on lui propose une radiothérapie.",
            ),
        ],
    )
    def test_a_question_asking_for_a_judgement_on_a_relatives_treatment_is_a_patients(
        self, question: str, story: str
    ) -> None:
        assert is_personal_health_question(question, story)

    @pytest.mark.parametrize(
        ("question", "story"),
        [
            ("Who is right?", "Our daughter has a glioma and the team proposes photons."),
            ("Normal?", "Five years after radiotherapy to my pelvis I still have pain."),
        ],
    )
    def test_a_relatives_or_ones_own_illness_told_before_any_question_is_a_patients(
        self, question: str, story: str
    ) -> None:
        assert is_personal_health_question(question, story)

    def test_a_relatives_illness_told_before_a_business_question_is_no_patients(self) -> None:
        assert not is_personal_health_question(
            "Who handles licences?", "My father had cancer, which is why my firm builds scanners."
        )

    def test_a_judgement_asked_on_a_project_is_no_patients(self) -> None:
        assert not is_personal_health_question(
            "Is it worth it?", "Our company is weighing a licence for the FLASH technology."
        )

    def test_a_business_us_beside_the_question_is_no_patient(self) -> None:
        assert not is_personal_health_question(
            "CERN has a platform where data never leaves the hospital. How does that work?",
            "Sending patient data anywhere is a non-starter for us.",
        )

    def test_a_question_pointing_back_to_a_relatives_symptoms_is_a_patients(
        self, shipped: Matcher
    ) -> None:
        result = shipped.match(
            "My son finished proton therapy for a medulloblastoma two months ago and he is "
            "exhausted. Is that normal after protons? I know CERN isn't a hospital."
        )
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "about.no-medical-advice")

    @pytest.mark.parametrize(
        ("question", "context"),
        [
            ("How can I give to cancer research in his memory?", "My father died of cancer."),
            (
                "Can I give money to your medical projects, and is it tax deductible?",
                "My wife had radiotherapy for years.",
            ),
            # The wish to give in another sentence than the question, and a gift described
            # without the word "donate".
            (
                "How do I do that?",
                "My son has a brain tumour. I'm not asking about his treatment, I want to "
                "fund research.",
            ),
            (
                "I lost my wife to cancer last spring and would like to give something "
                "towards CERN's cancer-related research.",
                "",
            ),
            # A bequest, in the words of someone who has cancer in the family.
            ("How do I remember CERN's cancer research in my will?", "My mother had a tumour."),
            ("I want to leave some of my savings to your work against cancer. How?", ""),
            # The same gift in the other four languages.
            ("Comment faire un don à la mémoire de ma mère, morte d'un cancer ?", ""),
            ("Wie kann ich im Gedenken an meinen Vater für die Krebsforschung spenden?", ""),
            ("Come faccio una donazione in memoria di mia madre per la ricerca sul cancro?", ""),
            ("¿Cómo hago una donación en memoria de mi padre, que murió de cáncer?", ""),
        ],
    )
    def test_a_relatives_illness_told_to_explain_a_gift_is_not_a_patient_question(
        self, question: str, context: str
    ) -> None:
        assert not is_personal_health_question(question, context)

    @pytest.mark.parametrize(
        "question",
        [
            "Was the first PET work done at CERN or at the cantonal hospital? I'm getting "
            "conflicting accounts.",
            "I'm having trouble finding the page on licensing a PET detector.",
        ],
    )
    def test_what_the_writer_is_getting_or_having_need_not_be_a_treatment(
        self, question: str
    ) -> None:
        assert not is_personal_health_question(question)

    @pytest.mark.parametrize(
        "question",
        [
            "I'm getting proton therapy next month. Is FLASH better?",
            "I'm having radiotherapy for a sarcoma, should I ask for FLASH?",
            "I'm getting conflicting advice from my doctors about proton therapy. What should "
            "I do?",
        ],
    )
    def test_a_treatment_one_is_getting_or_having_is_still_a_patient_question(
        self, question: str
    ) -> None:
        assert is_personal_health_question(question)

    def test_a_bereaved_relative_wishing_to_give_gets_the_donations_answer(
        self, shipped: Matcher
    ) -> None:
        result = shipped.match(
            "I lost my wife to cancer last spring and would like to give something towards "
            "CERN's cancer-related research."
        )
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "route.donations")

    def test_a_reporters_question_on_trials_ranks_the_project_over_medical_advice(
        self, shipped: Matcher
    ) -> None:
        result = shipped.match(
            "Writing a piece on FLASH therapy at CHUV. When do clinical trials start?"
        )
        assert result.intent == "project.flash-status"
        assert result.alternatives[0].intent == "project.flash"


class TestWhoIsAnswering:
    @pytest.mark.parametrize(
        "text",
        [
            "Am I talking to a person or to an automated assistant?",
            "am i chatting with a real human",
            "Who am I talking to?",
            "Are you a bot?",
            "is this chat automated or is someone reading my messages",
            "Is a human reading this?",
            "Are you the KT office?",
            "Are you basically a large language model?",
            "who programmed you",
            "Are you officially endorsed by CERN?",
            "Will you remember my messages next week?",
            "How reliable is what you tell people?",
            "where do your replies come from",
            "If I paste our unpublished drawings in this chat, will it stay confidential?",
            "who can see what I type here",
            "Is this conversation private?",
            "Can I ask you things in Italian, or only English?",
            "do you understand german",
            "Are these replies written by a language model?",
            "is this service answered by a real person",
        ],
    )
    def test_asking_whether_a_person_or_a_program_answers_is_recognised(self, text: str) -> None:
        assert asks_about_the_assistant(text)

    @pytest.mark.parametrize(
        "text",
        [
            "Can I talk to a real person instead?",
            "I would like to speak to a human please",
            "Am I talking to the right person about licensing?",
            "Is the FLASH dosimetry automated?",
            "Who should I talk to about GaToroid?",
            "Do you keep our designs confidential?",
            "If we share our design with CERN, will it be kept confidential?",
            "Can I write the licence application in French?",
            "Who built the FLASH machine at CHUV?",
            "Can you use the history of PET in a talk?",
        ],
    )
    def test_asking_for_a_person_or_about_a_machine_is_no_such_question(self, text: str) -> None:
        assert not asks_about_the_assistant(text)

    def test_it_gets_what_the_bot_is_not_how_to_reach_a_person(self, shipped: Matcher) -> None:
        result = shipped.match("Am I talking to a person or to an automated assistant?")
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "about.bot")

    @pytest.mark.parametrize(
        "text",
        [
            "Is this chat just GPT under the hood?",
            "Before I go on: do you store these conversations somewhere?",
            "Who made you, and are you run by CERN itself?",
            # What the chat keeps, not an agreement with CERN ("Do you keep our designs
            # confidential?" is the confidentiality route)
            "If I paste our unpublished drawings in this chat, will it stay confidential?",
            "who can see what I type here",
            "Is this conversation private?",
            # The KT group named as who the assistant might be, not as what is asked.
            "Are you part of CERN's knowledge transfer group?",
            "Am I writing to a chatbot or to the knowledge transfer group itself?",
        ],
    )
    def test_what_the_bot_is_made_of_and_keeps_gets_what_the_bot_is(
        self, shipped: Matcher, text: str
    ) -> None:
        result = shipped.match(text)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "about.bot")

    @pytest.mark.parametrize(
        "text",
        [
            "can I talk to a real person instead of a bot",
            # The words lean to what the bot is ("bot"), or to nothing at all.
            "Can a human take over here? I have a contract question I'd rather not explain to"
            " a bot.",
            "How quickly does your team usually answer an enquiry? Our board meets on the 14th.",
            "I'd like to speak to an actual person in the KT medical team, not a bot, about a"
            " proposal on readout electronics.",
            "human please",
            "Could you pass this on to whoever looks after partnerships? I'd prefer to deal"
            " with a human.",
            # Called back, a call booked, an interview
            "Could a colleague at your office phone me back this afternoon?",
            "I'd like to set up a short video call with someone, is that possible?",
            "Radio reporter here: who can I interview on the record about your hospital work?",
        ],
    )
    def test_a_request_for_a_person_gets_the_contact(self, shipped: Matcher, text: str) -> None:
        result = shipped.match(text)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "route.contact")

    @pytest.mark.parametrize(
        "text",
        [
            "Could a colleague at your office phone me back this afternoon?",
            "I'd like to set up a short video call with someone, is that possible?",
            "Radio reporter here: who can I interview on the record about your hospital work?",
            # How soon the team answers
            "how soon should we expect an answer once we've sent our enquiry?",
            "How long does it usually take to get back to people?",
        ],
    )
    def test_a_call_back_a_call_booked_or_an_interview_is_a_request_for_a_person(
        self, text: str
    ) -> None:
        assert asks_for_a_person(text)

    @pytest.mark.parametrize(
        "text",
        [
            "Am I talking to a person or to a bot?",
            "Can I speak to a person about GaToroid's licensing?",
            "Is the dosimetry run by a machine or by a physicist?",
            "Who should I talk to about a start-up?",
            "I'd rather talk to a person about licensing terms.",
            "I want a human-readable summary of the FLASH project.",
            "Can you call back the function after the beam stops?",
            "How soon can we expect a licence agreement to be signed?",
        ],
    )
    def test_a_question_about_the_assistant_or_a_subject_is_no_request_for_a_person(
        self, text: str
    ) -> None:
        assert not asks_for_a_person(text)


class TestCernTakenForAHospital:
    @pytest.mark.parametrize(
        "text",
        [
            "Is CERN a hospital?",
            "My uncle insists CERN is basically a cancer clinic. True?",
            "Do you treat patients in Geneva?",
            "I read that CERN is actually treating cancer patients with its beams.",
            "Does CERN operate its own proton therapy centre?",
            "does cern run a hospital for cancer",
            "Does CERN build hospitals in Africa?",
            "Can we buy MRI scanners from you? I thought CERN makes medical equipment.",
            "Do you sell cancer drugs?",
            "Does CERN sell medical devices?",
            "Could our clinic order a machine straight from CERN?",
            "Can we purchase equipment from you for our radiotherapy ward?",
        ],
    )
    def test_a_question_taking_cern_for_a_clinic_or_vendor_is_recognised(self, text: str) -> None:
        assert takes_cern_for_a_clinic(text)

    @pytest.mark.parametrize(
        "text",
        [
            "Does CERN have a partnership with hospitals?",
            "Does CERN sell isotopes to hospitals?",
            "Which hospitals has CERN worked with?",
            "Does CERN make detectors for PET scanners?",
            "Is the CERN-CHUV machine already treating patients?",
            "How does CERN help hospitals treat patients?",
            "Can we order isotopes from CERN?",
            "Which companies buy devices based on CERN technology?",
        ],
    )
    def test_cern_working_with_hospitals_is_no_misconception(self, text: str) -> None:
        assert not takes_cern_for_a_clinic(text)

    def test_it_gets_what_cern_does_for_medicine(self, shipped: Matcher) -> None:
        # The overview says CERN does not treat patients, build hospitals or sell equipment.
        result = shipped.match("Wait, so CERN runs its own cancer clinic? Is that right?")
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "about.medical-applications")

    def test_a_named_project_is_still_answered(self, shipped: Matcher) -> None:
        # The cue is there ("CERN sell … equipment"), but the project says what is asked.
        text = "Does CERN sell the FLASH equipment to hospitals?"
        assert takes_cern_for_a_clinic(text)
        assert shipped.match(text).intent == "project.flash"

    def test_a_relative_holding_the_idea_is_no_patient(self, shipped: Matcher) -> None:
        result = shipped.match("Is CERN a hospital? My aunt thinks so.")
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "about.medical-applications")

    def test_a_patient_still_gets_the_no_medical_advice_answer(self, shipped: Matcher) -> None:
        result = shipped.match("Does CERN run a clinic where my father could be treated?")
        assert result.intent == "about.no-medical-advice"


class TestShippedKnowledge:
    def test_a_misspelt_name_alone_is_still_the_project(self, shipped: Matcher) -> None:
        # Too short for the typo corrector and too far for the n-grams: only the approximate
        # name search finds it.
        result = shipped.match("medcis")
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "project.medicis")

    def test_a_project_named_next_to_a_route_answers_the_project(self, shipped: Matcher) -> None:
        # The words say licensing; the name says which technology: the name decides.
        result = shipped.match("could our firm license the MEDICIS target design")
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "project.medicis")

    def test_a_name_lifts_the_sub_topics_that_use_it_as_much_as_the_project(
        self, shipped: Matcher
    ) -> None:
        # MEDICIS is named; its isotopes topic uses the name in its examples, and the words
        # ("order radioisotopes") say that is what is asked.
        result = shipped.match("how can our lab order radioisotopes from MEDICIS")
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "project.medicis-isotopes")

    def test_a_message_in_another_language_is_answered_at_lower_thresholds(
        self, shipped: Matcher
    ) -> None:
        # Topics have a handful of examples per language, not the twenty in English, so a
        # right answer in Italian scores lower than the same question in English would.
        text = "Come posso ottenere una licenza per una tecnologia del CERN?"
        result = shipped.match(text)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "route.licensing")
        base = shipped.kb.settings
        lowered = shipped.settings_for(text)
        for name in ("answer_threshold", "clarify_threshold", "option_threshold"):
            expected = getattr(base, name) * base.other_language_factor
            assert getattr(lowered, name) == pytest.approx(expected)
        assert shipped.settings_for("Can we license a CERN technology?") == base

    @pytest.mark.parametrize(
        ("text", "intent"),
        [
            # The shipped synonyms read "entscheidet" and "Medizinprojekte" as the English.
            ("Wer entscheidet beim CERN über neue Medizinprojekte?", "governance.cmasc"),
            ("Ciao! Cosa sai fare, esattamente?", "about.bot"),
            ("Bonjour, que sais-tu faire ?", "about.bot"),
        ],
    )
    def test_who_decides_and_what_the_assistant_does_are_understood_in_other_languages(
        self, shipped: Matcher, text: str, intent: str
    ) -> None:
        result = shipped.match(text)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, intent), result

    def test_a_long_message_is_answered_at_lower_thresholds(self, shipped: Matcher) -> None:
        # Context dilutes a question's score however well the sentences are weighed.
        text = (
            "Good morning. I coordinate research at a radiotherapy centre in Porto and we "
            "have been following CERN's medical work for a while. Our physicists designed a "
            "dosimeter and we would like to test it. How do outside groups get beam time?"
        )
        base = shipped.kb.settings
        assert len(text.split()) >= base.long_message_words
        lowered = shipped.settings_for(text)
        assert lowered.answer_threshold == pytest.approx(
            base.answer_threshold * base.long_message_factor
        )
        short = "How do outside groups get beam time?"
        assert shipped.settings_for(short) == base

    def test_a_physicist_naming_a_therapy_is_not_treated_as_a_patient(
        self, shipped: Matcher
    ) -> None:
        result = shipped.match("proton therapy")
        assert (result.outcome, result.intent) != (Outcome.ANSWER, "about.no-medical-advice")
        assert result.outcome is not Outcome.FALLBACK

    def test_whether_cern_treats_patients_is_answered_by_what_it_does_for_medicine(
        self, shipped: Matcher
    ) -> None:
        # No patient's cue: the overview, which says CERN treats no patients, not the words
        # for a patient ("I'm sorry you or someone close to you is going through this").
        result = shipped.match("Does CERN treat cancer patients?")
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "about.medical-applications")

    def test_match_decides_with_the_thresholds_for_its_message(
        self, shipped: Matcher, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # The lowered thresholds above only matter if `match` asks for them.
        text = "Come posso ottenere una licenza per una tecnologia del CERN?"
        strict = shipped.kb.settings.model_copy(
            update={"answer_threshold": 1.0, "clarify_threshold": 1.0}
        )
        monkeypatch.setattr(Matcher, "settings_for", lambda self, text: strict)
        assert shipped.match(text).outcome is Outcome.FALLBACK

    def test_a_long_polite_message_finds_its_question(self, shipped: Matcher) -> None:
        result = shipped.match(
            "Dear colleagues, I run product strategy for a radiotherapy equipment maker in "
            "Sweden. We have followed your accelerator work for years and admire it. "
            "What are the steps to take a licence on one of your patents?"
        )
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "route.licensing")

    def test_a_patient_gets_the_no_medical_advice_answer_even_naming_a_project(
        self, shipped: Matcher
    ) -> None:
        result = shipped.match("Would FLASH help my aunt's lung tumour?")
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "about.no-medical-advice")

    @pytest.mark.parametrize(
        "text",
        [
            "Could I volunteer as a patient for the first treatments with the NIMMS design?",
            "Is it possible to sign up as a trial patient for the FLASH machine in Lausanne?",
        ],
    )
    def test_offering_oneself_for_treatment_by_a_project_is_a_patients_request(
        self, shipped: Matcher, text: str
    ) -> None:
        result = shipped.match(text)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "about.no-medical-advice")

    def test_a_greeting_before_a_question_is_never_offered_with_the_answer(
        self, shipped: Matcher
    ) -> None:
        result = shipped.match("Good evening, I have a question about MEDICIS")
        assert result.intent == "project.medicis"
        assert "smalltalk.greeting" not in result.suggestions

    @pytest.mark.parametrize(
        "text",
        [
            "Thanks for the help, is there a newsletter about your events?",
            "Cheers for the info, do you have a newsletter?",
        ],
    )
    def test_a_thanks_opening_a_new_question_is_not_answered_instead_of_it(
        self, shipped: Matcher, text: str
    ) -> None:
        assert shipped.match(text).intent != "smalltalk.thanks"

    def test_a_thanks_alone_is_still_answered_as_thanks(self, shipped: Matcher) -> None:
        assert shipped.match("Thanks for the help!").intent == "smalltalk.thanks"

    def test_have_a_good_evening_takes_leave_where_good_evening_greets(
        self, shipped: Matcher
    ) -> None:
        assert shipped.match("That's it from my side, have a good evening!").intent == (
            "smalltalk.goodbye"
        )
        assert shipped.match("Good evening!").intent == "smalltalk.greeting"

    def test_a_greeted_question_nobody_covers_is_not_answered_with_the_greeting(
        self, shipped: Matcher
    ) -> None:
        # The question must reach the unanswered review, not be taken for small talk.
        for message in (
            "Hello, does CERN offer internships for medical physics students?",
            "Hallo, gibt es Praktika am CERN für Studenten?",
        ):
            result = shipped.match(message)
            assert result.outcome is Outcome.FALLBACK, (message, result)
            assert "smalltalk.greeting" not in [c.intent for c in result.alternatives]

    def test_a_project_named_only_around_the_question_is_not_what_it_asks(
        self, shipped: Matcher
    ) -> None:
        message = (
            "Hello. Our start-up heard about MEDICIS at a conference. "
            "How can a young company get support from CERN to grow?"
        )
        assert shipped.evidence(message).named == ()
        # Answered or asked about (its score is within a rounding of the margin to the
        # isotopes topic): either way the start-ups route, not MEDICIS, comes first.
        assert shipped.match(message).intent == "route.startups"

    def test_a_question_pointing_back_to_a_named_project_asks_about_it(
        self, shipped: Matcher
    ) -> None:
        message = "We heard about MEDICIS at a conference. Can we tell you about our idea?"
        assert "project.medicis" in shipped.evidence(message).named
        # Asking to get isotopes "from it" names the project's topic for getting them.
        message = "We heard about MEDICIS at a conference. Can we get isotopes from it?"
        assert shipped.evidence(message).named == ("project.medicis-isotopes",)

    def test_the_medical_advice_topic_is_no_sibling_of_a_project_for_a_non_patient(
        self, shipped: Matcher
    ) -> None:
        # Its examples name projects ("Can FLASH cure my…"), so a name used to lift it too and
        # make it a rival "of the same thing": a relative's story turned into "did you mean".
        result = shipped.match("My grandmother told me about FLASH. What is it?")
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "project.flash")
        patient = shipped.match("My grandmother has a glioma. Could FLASH cure her?")
        assert patient.intent == "about.no-medical-advice"

    @pytest.mark.parametrize(
        ("message", "both"),
        [
            (
                "whats the difference between nimms and seeiist",
                {"project.nimms", "project.seeiist"},
            ),
            # Two names scoring within the margin of each other: still both asked about, each
            # by its own name, not one thing the words leave open.
            ("CMAAC or CMASC, which is which?", {"governance.cmaac", "governance.cmasc"}),
            ("MEDICIS vs CLEAR - what is the difference", {"project.medicis", "project.clear"}),
        ],
    )
    def test_two_projects_named_answer_one_and_offer_the_other(
        self, shipped: Matcher, message: str, both: set[str]
    ) -> None:
        result = shipped.match(message)
        assert result.outcome is Outcome.ANSWER
        assert {result.intent, *result.suggestions} >= both

    @pytest.mark.parametrize(
        ("message", "topic"),
        [
            ("What does CERN charge for beam time?", "route.facilities"),
            ("What does CERN charge for a licence?", "route.licensing"),
        ],
    )
    def test_cerns_own_costs_are_not_declined_as_another_labs(
        self, shipped: Matcher, message: str, topic: str
    ) -> None:
        result = shipped.match(message)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, topic)

    def test_who_owns_a_collaborations_inventions_is_cerns_question(self, shipped: Matcher) -> None:
        # A declined question on a university's rules for its PhD students ("own the
        # inventions they make during…") once declined this one by its shared words.
        result = shipped.match("Who owns the inventions made during a joint project with CERN?")
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "route.ip-ownership")

    def test_valuing_ones_own_licence_is_declined_in_other_words_too(
        self, shipped: Matcher
    ) -> None:
        # Declined by example as "what my own patent licence is worth"; the vocabulary reads
        # "put a value on" as "worth".
        result = shipped.match("How can I put a value on a patent licence before negotiating?")
        assert result.outcome is Outcome.FALLBACK

    @pytest.mark.parametrize(
        ("message", "topic"),
        [
            ("Who can I contact about licensing, thanks in advance!", "route.licensing"),
            (
                "Could you give me the email address of the knowledge transfer team, thank you"
                " very much.",
                "route.contact",
            ),
            ("ok, thanks", "smalltalk.thanks"),
        ],
    )
    def test_thanks_closing_a_request_leave_the_request_to_answer(
        self, shipped: Matcher, message: str, topic: str
    ) -> None:
        # The request's topic comes first, answered or offered first: the KT group stands
        # close to the contact topic for "the email address of the knowledge transfer team",
        # so whether it is asked about turns on a few thousandths; the thanks never answers.
        result = shipped.match(message)
        assert result.outcome in (Outcome.ANSWER, Outcome.CLARIFY)
        assert result.intent == topic

    def test_a_declined_subject_falls_back(self, shipped: Matcher) -> None:
        # Without the declined questions this one is offered the KT Fund ("apply for").
        assert shipped.match("how do I apply for a staff job at CERN").outcome is Outcome.FALLBACK

    def test_two_questions_answer_the_first_and_offer_the_second(self, shipped: Matcher) -> None:
        result = shipped.match(
            "Can our company license a CERN patent? And separately, do you sign NDAs?"
        )
        assert result.intent == "route.licensing"
        assert "route.confidentiality" in result.suggestions

    def test_a_wish_before_the_question_asked_is_its_context_not_a_first_question(
        self, shipped: Matcher
    ) -> None:
        # Read as a first question, the wish was answered (GaToroid) and the question asked
        # only offered; a foundation's wish to support a project for poorer countries got
        # STELLA instead of how gifts are handled.
        result = shipped.match(
            "We would like to license the GaToroid gantry for our company. Could you explain"
            " how NDAs work at CERN?"
        )
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "route.confidentiality")
        offered = {c.intent for c in result.alternatives} | set(result.suggestions)
        assert "project.gatoroid" in offered, result

    def test_a_request_to_know_before_a_second_question_is_still_answered_first(
        self, shipped: Matcher
    ) -> None:
        result = shipped.match(
            "I'd like to know how licensing a CERN patent works. Also, do you sign NDAs?"
        )
        assert result.intent == "route.licensing"
        assert "route.confidentiality" in result.suggestions

    def test_statements_standing_for_the_request_are_not_read_as_several_questions(
        self, shipped: Matcher
    ) -> None:
        # Reading them one by one would look for a second question nobody asked, at the
        # price of one more scoring pass per sentence.
        evidence = shipped.evidence(
            "We would be interested in licensing GaToroid. Our firm also runs FLASH studies."
        )
        assert evidence.per_question == ()

    def test_a_route_asked_in_words_many_topics_share_is_still_answered(
        self, shipped: Matcher
    ) -> None:
        # "license" appears in many topics' examples ("can we license GaToroid"), which must
        # not make a plain licensing question look like a vague one.
        result = shipped.match("can we license CERN technology?")
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "route.licensing")


def test_words_the_knowledge_base_never_uses_dilute_a_score_only_to_the_coverage_floor(
    words_only: Matcher,
) -> None:
    text = "what is MEDICIS, asked by a quizzical zymurgist"
    raw = words_only.index.score(text)
    topic = words_only.index.topic_ids.index("project.medicis")
    assert raw.query.coverage < 1
    judged = {c.intent: c.score for c in words_only.evidence(text).ranked}["project.medicis"]
    assert judged == pytest.approx(
        raw.scores[topic] / max(raw.query.coverage, COVERAGE_FLOOR) + NAME_BONUS
    )
    assert judged > raw.scores[topic] + NAME_BONUS


class TestNamesInContext:
    def test_a_name_only_beside_the_sentence_the_question_points_to_is_the_setting(
        self, shipped: Matcher
    ) -> None:
        message = (
            "We have been running FLASH dosimetry with our clinical linac. A colleague told "
            "me CERN has an electron linac that outside teams can use. How would we book "
            "time there?"
        )
        assert shipped.evidence(message).named == ()
        assert shipped.match(message).intent == "project.clear"

    def test_a_name_in_the_context_of_a_question_without_subject_is_the_subject(
        self, shipped: Matcher
    ) -> None:
        message = "Writing a piece on FLASH therapy at CHUV. When do clinical trials start?"
        assert shipped.evidence(message).named == ("project.flash",)


class TestDeclinedQuestions:
    """Staff add declined questions freely: they must never change what a topic means."""

    MESSAGES = (
        "Can we license a CERN technology for our detectors?",
        "what is MEDICIS",
        "How do I get beam time at CLEAR?",
    )

    def test_adding_declined_questions_leaves_every_topic_score_unchanged(self) -> None:
        kb = load_knowledge(KNOWLEDGE)
        fewer = Matcher.build(dataclasses.replace(kb, out_of_scope=kb.out_of_scope[:3]))
        shipped = Matcher.build(kb)
        for text in self.MESSAGES:
            before = fewer.index.score(text).scores[: fewer.n_topics]
            after = shipped.index.score(text).scores[: shipped.n_topics]
            # Equal but for float rounding: the index lays out its rows by their count.
            assert np.allclose(before, after, rtol=0, atol=1e-6), text

    def test_a_declined_question_about_another_organisation_declines_by_its_words_not_its_frame(
        self, shipped: Matcher
    ) -> None:
        # "How do I apply for Innosuisse funding for my medtech start-up?" is declined; the
        # same frame about CERN, without the organisation's name, is a start-up's question.
        asked = "hw do i licnese a cern tech for my medtech startup"
        result = shipped.match(asked)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "route.startups")
        about_them = shipped.match("How do I apply for Innosuisse grants for my medtech start-up?")
        assert about_them.outcome is Outcome.FALLBACK

    def test_a_declined_question_naming_an_organisation_counts_less_when_none_is_named(
        self, words_only: Matcher
    ) -> None:
        declined = "How long does the USPTO take to examine a patent application?"
        assert declined in words_only.kb.out_of_scope
        unnamed = "How long does the office take to examine a patent application?"
        undiscounted = Matcher.build(words_only.kb, IndexConfig(unnamed_factor=1.0))
        factor = words_only.index.config.unnamed_factor
        assert factor < 1
        assert words_only.evidence(unnamed).out_of_scope == pytest.approx(
            factor * undiscounted.evidence(unnamed).out_of_scope, abs=1e-6
        )
        # Named, it is declined in full (and as another organisation's business).
        declined_weight = words_only.index.config.declined_weight
        assert words_only.evidence(declined).out_of_scope >= declined_weight

    def test_a_declined_question_typed_verbatim_scores_as_the_closest_one(
        self, words_only: Matcher
    ) -> None:
        declined = words_only.kb.out_of_scope[0]
        assert words_only.evidence(declined).out_of_scope == pytest.approx(
            words_only.index.config.declined_weight, abs=1e-6
        )


class TestNames:
    @staticmethod
    def spotter(users_of_medicis: int, users_of_kt: int, n_topics: int = 50) -> NameSpotter:
        names = [["MEDICIS"], ["KT"]] + [[] for _ in range(n_topics - 2)]
        examples: list[list[str]] = [["what is MEDICIS"], ["what is KT"]]
        for topic in range(2, n_topics):
            said = []
            if topic < 2 + users_of_medicis:
                said.append("¿MEDICIS produce isótopos?")
            if topic < 2 + users_of_kt:
                said.append("Does KT help with this?")
            examples.append(said or ["something else"])
        return NameSpotter.build(names, examples, frozenset())

    def found(self, spotter: NameSpotter, text: str) -> list[int]:
        return [hit.topic for hit in spotter.find(text, terms(text))]

    def test_a_project_mentioned_by_a_few_other_topics_examples_is_still_a_name(self) -> None:
        assert self.found(self.spotter(users_of_medicis=4, users_of_kt=0), "MEDICIS fees") == [0]

    def test_a_word_many_topics_use_is_no_name(self) -> None:
        assert self.found(self.spotter(users_of_medicis=0, users_of_kt=10), "KT fees") == []

    @pytest.mark.parametrize(
        ("message", "named"),
        [
            ("How do outside groups get slots at CLEAR?", ("project.clear",)),
            ("how do outside groups get slots at clear", ()),
            ("Is it clear how outside groups get beam time?", ()),
            ("IS IT CLEAR HOW OUTSIDE GROUPS GET BEAM TIME?", ()),
        ],
    )
    def test_a_title_word_in_capitals_names_its_topic_only_where_written_so(
        self, shipped: Matcher, message: str, named: tuple[str, ...]
    ) -> None:
        assert shipped.evidence(message).named == named


def test_a_corrected_word_counts_less_than_one_typed_right(shipped: Matcher) -> None:
    vectorizer = shipped.index.vectorizer
    typed_right = vectorizer.term_counts(terms("license a patent"), {}).as_dict()
    corrections: dict[str, str] = {}
    corrected = vectorizer.term_counts(terms("licnse a patent"), corrections).as_dict()
    assert corrections == {"licnse": "license"}
    license_features = shipped.index.vectorizer.term_ids["license"]
    for feature in license_features:
        assert corrected[feature] == pytest.approx(TYPO_DISCOUNT * typed_right[feature])
    patent_feature = shipped.index.vectorizer.term_ids["patent"][0]
    assert corrected[patent_feature] == typed_right[patent_feature]


def test_declined_questions_naming_an_organisation_count_less_when_the_message_names_none(
    shipped: Matcher,
) -> None:
    index = shipped.index
    message = "How do I apply for funding for my medtech start-up?"
    query = index.vectorizer.vectorize(message)
    similarity = index.rows.dot_many([query.vector])
    unscaled = index._blend(similarity, np.array([query.vague]))[0]
    similarity[:, index.naming] *= index.config.unnamed_factor  # the definition
    expected = index._blend(similarity, np.array([query.vague]))[0]
    got = index.score_reading([(message, 1.0)], names_other=False)[0].scores
    assert np.array_equal(got, expected)
    assert not np.array_equal(got, unscaled)  # premise: a question naming one is the closest
    assert np.array_equal(index.score_reading([(message, 1.0)])[0].scores, unscaled)
    # Every row of those questions, and no other, is scaled.
    scaled = np.flatnonzero(index._unnamed_scale != 1.0)
    assert np.array_equal(scaled, np.sort(index.naming))
    assert set(index._unnamed_scale[scaled]) == {index.config.unnamed_factor}


def test_a_question_read_alone_is_answered_by_the_topic_ranked_first(shipped: Matcher) -> None:
    rng = np.random.default_rng(3)
    n = shipped.n_topics
    for scores in (
        np.zeros(n),
        rng.random(n),
        np.round(rng.random(n), 1),  # ties: the first of them ranks first
        np.where(np.arange(n) % 7 == 3, 0.9, 0.1),
    ):
        assert shipped._question_best("", scores, {}) == shipped._top(scores)[0]


def test_a_name_of_several_words_is_found_through_a_misspelt_one(shipped: Matcher) -> None:
    question = "when is the next knowlegde transfer fund call"
    assert shipped.index.vectorizer.typos.correct("knowlegde") == "knowledge"  # premise
    hits = shipped.evidence(question)
    assert hits.named == ("route.kt-fund",)
    assert shipped.match(question).intent == "route.kt-fund"


def test_a_name_counts_less_only_where_it_was_misspelt(shipped: Matcher) -> None:
    corrections = {"knowlegde": "knowledge"}  # misspelt elsewhere in the message

    def quality(text: str) -> float:
        (hit,) = shipped.names.find(text, terms(text), corrections)
        return hit.quality

    assert quality("knowledge transfer fund") == 1.0
    assert quality("knowlegde transfer fund") == FUZZY_QUALITY


@pytest.mark.parametrize("question", ["waht is medcis", "wat is medcis?"])
def test_a_misspelt_name_scoring_under_every_threshold_is_offered_not_dropped(
    shipped: Matcher, question: str
) -> None:
    """Finding B10: the name is read through the typo, yet the words around it are typos
    too and the score stays under the clarify threshold: "did you mean MEDICIS?" beats
    "I don't know"."""
    result = shipped.match(question)
    assert result.outcome in (Outcome.ANSWER, Outcome.CLARIFY)
    assert result.intent == "project.medicis"


def test_a_misspelt_name_among_misspelt_words_is_offered_as_did_you_mean(
    words_only: Matcher,
) -> None:
    """The case above, where the score really is under the clarify threshold (the messages
    above now score over it once the name is counted; this one too with meaning added)."""
    question = "hw abt gatroiod"  # two slips: too many for the spelling correction
    settings = words_only.settings_for(question)
    result = words_only.match(question)
    assert settings.option_threshold <= result.score < settings.clarify_threshold  # premise
    assert (result.outcome, result.intent) == (Outcome.CLARIFY, "project.gatoroid")


def test_each_question_of_a_message_is_scored_as_if_it_were_asked_alone(
    shipped: Matcher,
) -> None:
    """The message is read once; its questions' own scores come out of the same reading."""
    message = "Hello! Can we license a CERN patent? Also, who handles NDAs? Thanks."
    asked = [s.text for s in segment(message) if s.role is Role.QUESTION]
    assert len(asked) == 2
    found = shipped.evidence(message).per_question
    n = shipped.n_topics
    for question, candidate in zip(asked, found, strict=True):
        alone = shipped.index.score(question).scores[:n]
        assert candidate.intent == shipped.index.topic_ids[int(np.argmax(alone))]
        assert candidate.score == pytest.approx(float(alone.max()), abs=1e-6)
    assert [c.intent for c in found] == ["route.licensing", "route.confidentiality"]


class TestOtherOrganisations:
    LABS = OtherOrganisations.build(["DESY", "GSI", "ETH Zurich", "Paul Scherrer Institute"])

    @pytest.mark.parametrize(
        "question",
        [
            "Does DESY sell beam time to industry?",
            "Who handles technology transfer at GSI?",
            "How can a start-up join DESY's innovation village?",
            "What are the steps of the ETH Zurich spin-off label?",
            "Can we license a patent from the Paul Scherrer Institute?",
            "Wer ist beim DESY für Technologietransfer zuständig?",
            "¿Quién lleva la transferencia de tecnología en el GSI?",
            "Could you explain DESY's spin-off terms?",
            "Please explain GSI's royalty terms for founders.",
            # Named first, then "their" office or terms.
            "GSI runs an ion therapy too. How would we license from their transfer office?",
            # Its commercial arm, named by its own name first.
            "The Paul Scherrer Institute's commercial arm: what does it ask of start-ups?",
        ],
    )
    def test_a_question_about_another_labs_own_business_is_theirs(self, question: str) -> None:
        assert self.LABS.owner_of(question) is not None

    @pytest.mark.parametrize(
        "question",
        [
            "I'm a physicist at GSI, how do we get beam time?",
            "Can a DESY spin-off license a patent?",
            "We are from ETH Zurich, can we license a patent?",
            "We're from ETH Zurich, can we license a patent?",
            "Our team works with colleagues of the Paul Scherrer Institute: how do we apply?",
            "How do I get beam time?",
            "Je suis chercheur au GSI, comment obtenir du temps de faisceau ?",
        ],
    )
    def test_a_writer_who_merely_comes_from_another_lab_asks_cern(self, question: str) -> None:
        assert self.LABS.owner_of(question) is None

    @pytest.mark.parametrize(
        ("question", "only_compared"),
        [
            ("Does Fermilab run a medical isotope programme like MEDICIS?", {"medicis"}),
            ("Is there something similar to MEDICIS at TRIUMF?", {"medicis"}),
            ("Does GSI have a gantry comparable to the GaToroid design?", {"gatoroid"}),
            ("Does TRIUMF collaborate with MEDICIS?", set()),
            ("Like MEDICIS, does GaToroid take outside users?", {"medicis"}),
        ],
    )
    def test_a_project_only_compared_with_is_not_what_is_asked(
        self, question: str, only_compared: set[str]
    ) -> None:
        assert compared(question, ["medicis", "gatoroid"]) == only_compared

    @pytest.mark.parametrize(
        "question",
        [
            "Does Fermilab run a medical isotope programme like MEDICIS?",
            "Is there something similar to MEDICIS at TRIUMF?",
        ],
    )
    def test_another_labs_programme_like_a_cern_project_is_theirs(
        self, shipped: Matcher, question: str
    ) -> None:
        assert shipped.evidence(question).elsewhere is not None
        assert shipped.match(question).outcome is Outcome.FALLBACK

    def test_a_cern_project_like_another_is_still_cerns(self, shipped: Matcher) -> None:
        result = shipped.match("we want a gantry like GaToroid, who do we talk to?")
        assert result.intent == "project.gatoroid"

    MAKERS = OtherOrganisations.build(["IBA", "Varian", "ASG Superconductors"])

    @pytest.mark.parametrize(
        "question",
        [
            "How much does a Varian Halcyon cost, and who finances them?",
            "What's ASG Superconductors' price per kilometre of MgB2 wire?",
            "Is there a price list from IBA for its compact proton systems?",
            "What does IBA charge for a single-room system?",
        ],
    )
    def test_a_price_asked_of_a_company_is_the_companys(self, question: str) -> None:
        assert self.MAKERS.seller_of(question) is not None

    @pytest.mark.parametrize(
        "question",
        [
            "What does a CERN licence cost a company like IBA?",
            "How much does CERN charge Varian for a licence?",
            "I work at IBA: what does a collaboration cost?",
            "Does IBA build gantries with CERN's magnets?",
        ],
    )
    def test_a_company_that_is_not_the_seller_asked_is_no_price_of_its_own(
        self, question: str
    ) -> None:
        assert self.MAKERS.seller_of(question) is None

    def test_a_companys_price_is_declined_whichever_project_it_names(
        self, shipped: Matcher
    ) -> None:
        result = shipped.match(
            "STELLA is years away for our clinic. Meanwhile, what does a Varian Halcyon cost?"
        )
        assert (result.outcome, result.elsewhere) == (Outcome.FALLBACK, "Varian"), result

    @pytest.mark.parametrize(
        "question",
        [
            "What does THERYQ charge for its FLASHKNiFE system? I need a price quote.",
            "What is THERYQ's list price for a FLASHDEEP unit?",
        ],
    )
    def test_a_partners_price_is_its_own_though_a_topic_names_it(
        self, shipped: Matcher, question: str
    ) -> None:
        result = shipped.match(question)
        assert (result.outcome, result.elsewhere) == (Outcome.FALLBACK, "THERYQ"), result

    @pytest.mark.parametrize(
        "question",
        ["What does THERYQ do?", "Does THERYQ sell the FLASH device?", "who is theryq"],
    )
    def test_a_partner_a_topic_names_is_otherwise_the_topics(
        self, shipped: Matcher, question: str
    ) -> None:
        assert shipped.match(question).intent == "project.flash"

    @pytest.mark.parametrize(
        ("question", "owner"),
        [
            ("How much does an IBA Proteus ONE compact proton system cost?", "IBA"),
            ("What is the current price per GBq of Lu-177 from ITM?", "ITM"),
            # STELLA named around the question: only the agency's own thing is theirs.
            (
                "I read about STELLA. How does a country apply for an IAEA technical"
                " cooperation project to fund a linac?",
                "IAEA",
            ),
        ],
    )
    def test_a_price_or_a_project_of_another_organisation_is_theirs(
        self, shipped: Matcher, question: str, owner: str
    ) -> None:
        result = shipped.match(question)
        assert (result.outcome, result.elsewhere) == (Outcome.FALLBACK, owner), result

    def test_a_seller_is_no_organisation_whose_office_is_declined(self) -> None:
        partners = OtherOrganisations.build(["IBA"], sellers=["THERYQ"])
        assert partners.seller_of("What would THERYQ charge for one unit?") == "THERYQ"
        assert partners.owner_of("Does THERYQ have a licensing office?") is None
        assert partners.owner_of("Does IBA have a licensing office?") == "IBA"

    @pytest.mark.parametrize(
        ("text", "names"),
        [
            ("We met people from the Paul Scherrer Institute.", True),
            ("is eth zurich involved?", True),
            ("GSI", True),
            ("A Paul Scherrer prize winner asks", False),
            ("How do I get beam time?", False),
        ],
    )
    def test_whether_a_message_names_any_listed_organisation(self, text: str, names: bool) -> None:
        assert self.LABS.names_any(text) is names

    def test_a_companys_own_products_are_theirs(self) -> None:
        companies = OtherOrganisations.build(["IBA", "Varian"])
        question = "Can a hospital license IBA's proton therapy software?"
        assert companies.owner_of(question) == "IBA"

    @pytest.mark.parametrize(
        "question",
        [
            "Was passiert mit dem Patent, wenn wir ein Start-up gründen?",
            "My father is ill and has a question about a patent.",
            "Y después de eso, ¿quién paga la licencia?",
        ],
    )
    def test_an_acronym_that_is_also_a_word_counts_only_in_capitals(self, question: str) -> None:
        acronyms = OtherOrganisations.build(["MIT", "ILL", "ESO", "GSI"])
        assert acronyms.owner_of(question) is None
        assert acronyms.owner_of("How does MIT license its patents?") == "MIT"
        assert acronyms.owner_of("how does mit license its patents") == "MIT"
        # An acronym that is no everyday word counts however it is written.
        assert acronyms.owner_of("Who handles tech transfer at gsi?") == "GSI"

    def test_another_labs_office_is_declined_by_the_shipped_knowledge(
        self, shipped: Matcher
    ) -> None:
        result = shipped.match("Who handles technology transfer at gsi?")
        assert (result.outcome, result.elsewhere) == (Outcome.FALLBACK, "GSI")

    @pytest.mark.parametrize(
        ("question", "owner"),
        [
            (
                "Does the Swiss National Science Foundation fund medical physics postdocs?",
                "Swiss National Science Foundation",
            ),
            ("How does Unitec handle licences to start-ups?", "Unitec"),
            (
                "How do I apply for beam time at the Heidelberg Ion-Beam Therapy Center?",
                # Both listed spellings name it; the one listed last is reported.
                "Heidelberg Ion Beam Therapy Centre",
            ),
        ],
    )
    def test_funders_offices_and_centres_listed_in_the_shipped_knowledge_are_theirs(
        self, shipped: Matcher, question: str, owner: str
    ) -> None:
        result = shipped.match(question)
        assert (result.outcome, result.elsewhere) == (Outcome.FALLBACK, owner), result

    def test_cern_named_only_beside_the_question_leaves_it_the_other_labs(
        self, shipped: Matcher
    ) -> None:
        result = shipped.match(
            "We test radiation-hard parts and are considering GSI instead of going through "
            "CERN. How does GSI handle industrial users, and what does a beam shift cost there?"
        )
        assert (result.outcome, result.elsewhere) == (Outcome.FALLBACK, "GSI")
        assert self.LABS.owner_of("Is beam time cheaper at GSI or at CERN?") is None

    def test_asking_to_buy_isotopes_finds_the_isotope_topic(self, shipped: Matcher) -> None:
        result = shipped.match("can you sell us Ac-225?")
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "project.medicis-isotopes")

    def test_an_order_from_another_isotope_supplier_is_theirs(self, shipped: Matcher) -> None:
        result = shipped.match("Can I order actinium-225 from TRIUMF's isotope programme?")
        assert (result.outcome, result.elsewhere) == (Outcome.FALLBACK, "TRIUMF")

    @pytest.mark.parametrize(
        ("question", "owner"),
        [
            (
                "Comment fonctionne le service de valorisation du CNRS pour accorder des licences"
                " sur ses brevets ?",
                "CNRS",
            ),
            ("How long does the DPMA take to grant a patent?", "DPMA"),
        ],
    )
    def test_another_research_body_or_a_patent_office_is_theirs_to_answer(
        self, shipped: Matcher, question: str, owner: str
    ) -> None:
        result = shipped.match(question)
        assert (result.outcome, result.elsewhere) == (Outcome.FALLBACK, owner), result

    def test_cern_set_aside_leaves_the_question_the_other_labs(self, shipped: Matcher) -> None:
        result = shipped.match(
            "We want the beam-scanning patent. Since GSI holds it, not CERN, who at GSI"
            " negotiates its licences?"
        )
        assert (result.outcome, result.elsewhere) == (Outcome.FALLBACK, "GSI")
        assert self.LABS.owner_of("How does GSI license patents, compared with CERN?") is None

    def test_a_question_pointing_back_to_another_labs_programme_is_theirs(
        self, shipped: Matcher
    ) -> None:
        result = shipped.match(
            "The ESA Business Incubation Centre in Darmstadt looks ideal for our space"
            " start-up. When do their applications close?"
        )
        assert (result.outcome, result.elsewhere) == (Outcome.FALLBACK, "ESA")

    def test_cerns_own_office_asked_without_naming_cern_is_answered(self, shipped: Matcher) -> None:
        result = shipped.match("who can I talk to in the knowledge transfer office")
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "route.contact")

    def test_naming_cern_keeps_the_question_cerns(self, shipped: Matcher) -> None:
        result = shipped.match("Can we license a patent from CERN or from ETH Zurich?")
        assert result.outcome is not Outcome.FALLBACK

    def test_a_writer_from_another_lab_is_answered(self, shipped: Matcher) -> None:
        result = shipped.match("We are at ETH Zurich. How do we license a patent?")
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "route.licensing")

    def test_another_labs_own_office_is_theirs_whatever_topic_it_names(
        self, shipped: Matcher
    ) -> None:
        # "NDA" names the confidentiality topic; the office asked about is EPFL's.
        result = shipped.match(
            "Does EPFL's tech transfer office insist on an NDA before we pitch our device?"
        )
        assert (result.outcome, result.elsewhere) == (Outcome.FALLBACK, "EPFL"), result

    def test_with_another_topic_named_only_the_organisations_own_thing_is_theirs(self) -> None:
        labs = OtherOrganisations.build(["ESA"])
        assert labs.owner_of("Who runs the ESA incubation programme?", possessive=True)
        assert labs.owner_of("Does ESA test chips at CHARM?", possessive=True) is None
        assert labs.owner_of("Does ESA test chips at CHARM?") == "ESA"

    @pytest.mark.parametrize(
        "question",
        [
            "Who runs the ESA business incubation programme in the Netherlands?",
            "How does ESA license its own patents?",
        ],
    )
    def test_an_organisation_that_is_also_a_topics_alias_is_declined_for_its_own_business(
        self, shipped: Matcher, question: str
    ) -> None:
        result = shipped.match(question)
        assert (result.outcome, result.elsewhere) == (Outcome.FALLBACK, "ESA")

    def test_an_organisation_that_is_also_a_topics_alias_still_names_that_topic(
        self, shipped: Matcher
    ) -> None:
        result = shipped.match("What has ESA tested with CERN's electron beams?")
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "other.aerospace")

    def test_a_topics_alias_listed_as_another_organisation_is_no_warning(
        self, make_kb: KbFactory
    ) -> None:
        # "KT group" is one of about.kt-group's aliases, not in its title ("The Knowledge
        # Transfer group"), like ESA for the shipped aerospace topic.
        root = make_kb({"out-of-scope.yaml": "other_organisations: [DESY, KT group]\n"})

        assert not [w for w in load_knowledge(root).warnings if "KT group" in w.message]

    def test_a_topic_name_listed_as_another_organisation_is_a_warning(
        self, make_kb: KbFactory
    ) -> None:
        root = make_kb({"out-of-scope.yaml": "other_organisations: [DESY, MEDICIS]\n"})

        (warning,) = [w for w in load_knowledge(root).warnings if "MEDICIS" in w.message]

        assert warning.line == 1 and "project" in warning.message

    def test_a_seller_no_topic_names_is_a_warning(self, make_kb: KbFactory) -> None:
        root = make_kb({"out-of-scope.yaml": "sellers: [Acme Medical]\n"})

        (warning,) = [w for w in load_knowledge(root).warnings if "Acme" in w.message]

        assert warning.line == 1 and "named by no topic" in warning.message

    def test_a_seller_also_listed_as_another_organisation_is_a_warning(
        self, make_kb: KbFactory
    ) -> None:
        # Named by the tiny FLASH topic's answer ("compact electron accelerators"), so only
        # the double listing is wrong.
        root = make_kb(
            {
                "out-of-scope.yaml": (
                    "other_organisations: [electron accelerators]\n"
                    "sellers: [Electron Accelerators]\n"
                )
            }
        )

        (warning,) = [w for w in load_knowledge(root).warnings if "sellers:" in w.message]

        assert warning.line == 2 and "also in other_organisations" in warning.message

    def test_a_partner_a_topic_names_is_no_seller_warning(self) -> None:
        assert not [w for w in load_knowledge(KNOWLEDGE).warnings if "sellers:" in w.message]


class TestSpelledOutAcronyms:
    """Dictated to a phone, an acronym comes out letter by letter ("c m a s c"): the letters
    are read as the word they spell, unless they are chat words ("r u a bot")."""

    @pytest.mark.parametrize(
        ("message", "intent"),
        [
            ("what does the c m a s c decide", "governance.cmasc"),
            ("when is the next i c t r p h e", "initiative.ictr-phe"),
        ],
    )
    def test_an_acronym_spelt_letter_by_letter_is_the_acronym(
        self, shipped: Matcher, message: str, intent: str
    ) -> None:
        result = shipped.match(message)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, intent), result

    @pytest.mark.parametrize(
        ("message", "read"),
        [
            ("the c m a a c", ["the", "cmaac"]),
            ("r u a bot", ["r", "u", "a", "bot"]),
            ("plan b or plan c", ["plan", "b", "or", "plan", "c"]),
            ("y a t il", ["y", "a", "t", "il"]),
        ],
    )
    def test_chat_letters_and_single_letters_stay_words(
        self, message: str, read: list[str]
    ) -> None:
        assert terms(message) == read


class TestThePublicsWording:
    """Members of the public describe what they ask about in everyday words, and mention
    relatives who are curious, not ill."""

    def test_a_relative_who_saw_a_project_is_no_patient(self, shipped: Matcher) -> None:
        question = "What's that place at CERN that makes radioactive stuff for cancer research?"
        curious = "My son saw it in a YouTube video and won't stop asking."
        assert not is_personal_health_question(question, curious)
        result = shipped.match(f"{question} {curious}")
        assert result.intent != "about.no-medical-advice"
        assert "project.medicis" in [c.intent for c in result.candidates]

    @pytest.mark.parametrize(
        "text",
        [
            "My mother has a glioma and saw a video about FLASH. Is it available for her?",
            "My father read about FLASH. Can he get it for his tumour?",
        ],
    )
    def test_a_relative_who_is_ill_still_gets_no_medical_advice(
        self, shipped: Matcher, text: str
    ) -> None:
        result = shipped.match(text)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "about.no-medical-advice")

    @pytest.mark.parametrize(
        ("text", "intent"),
        [
            ("Many thanks, that settles the NDA question for us.", "smalltalk.thanks"),
            ("Thanks! That clears things up.", "smalltalk.thanks"),
            ("ok that cleared it up, thanks", "smalltalk.thanks"),
            ("Does CLEAR clear things up?", "project.clear"),
            ("That answers the cost question, but who owns the IP?", "route.ip-ownership"),
        ],
    )
    def test_saying_an_answer_settled_a_question_is_thanks(
        self, shipped: Matcher, text: str, intent: str
    ) -> None:
        assert shipped.match(text).intent == intent

    def test_where_do_we_even_start_asks_about_the_sentence_before(self) -> None:
        message = "We plan a spin-off around a CERN detector. Where do we even start?"
        roles = [s.role for s in segment(message)]
        assert roles == [Role.REFERENT, Role.QUESTION]

    @pytest.mark.parametrize(
        ("text", "intent"),
        [
            (
                "My friend and I want to start a company using a CERN invention for hospitals. "
                "Where do we even start?",
                "route.startups",
            ),
            ("We want to set up a company around a CERN detector. How?", "route.startups"),
            (
                "I saw a drawing of a doughnut-shaped magnet that sends the beam to the patient "
                "without spinning round. Is that CERN's?",
                "project.gatoroid",
            ),
            ("What is the doughnut magnet CERN designed for proton therapy?", "project.gatoroid"),
            (
                "Can the money from our school's charity bake sale go to one of CERN's medical "
                "projects?",
                "route.donations",
            ),
            ("does cern help sick people", "about.medical-applications"),
            (
                "Good morning! I have a couple of questions, I hope that's alright.",
                "smalltalk.greeting",
            ),
        ],
    )
    def test_everyday_words_find_the_topic(self, shipped: Matcher, text: str, intent: str) -> None:
        result = shipped.match(text)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, intent)

    @pytest.mark.parametrize(
        "text",
        [
            "Good morning, licensing counsel at a radiotherapy OEM here.",
            "Hello, I'm a journalist",
            "Hi, my name is Anna, I work for Siemens.",
            # In two sentences, and with words a topic shares ("start-up").
            "Good morning! I'm the new business developer at a medtech firm in Geneva.",
            "Hi! I'm the CEO of a start-up that builds detectors.",
            # Who is writing, then "here"
            "Hello! Radiochemist at a Belgian hospital here.",
        ],
    )
    def test_a_greeting_and_who_is_writing_is_greeted(self, shipped: Matcher, text: str) -> None:
        result = shipped.match(text)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "smalltalk.greeting")

    @pytest.mark.parametrize(
        ("text", "intent"),
        [
            (
                "Many thanks for the clear answers on the KT Fund and the MA budget. My group"
                " leader was sceptical that a chatbot could help, but I'll show him this"
                " conversation. Cheers from the EN department!",
                "smalltalk.thanks",
            ),
            (
                "OK, I think that's everything for today. I've noted the pages on licensing and"
                " NDAs and will come back next week after talking with our lawyers. Bye for now,"
                " and have a nice weekend!",
                "smalltalk.goodbye",
            ),
            # Closing thanks after saying the answer served
            ("Perfect, that is what we needed for the grant. Thanks a lot!", "smalltalk.thanks"),
        ],
    )
    def test_thanks_or_goodbye_around_what_was_answered_is_a_courtesy(
        self, shipped: Matcher, text: str, intent: str
    ) -> None:
        result = shipped.match(text)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, intent)

    @pytest.mark.parametrize(
        "text",
        [
            "Thanks for the KT Fund answer. Who do I write to about GaToroid?",
            "Many thanks. We are interested in licensing the GaToroid gantry design.",
            "Our start-up builds photon-counting detectors on Medipix. Thanks in advance, bye!",
            # Thanks that only ends a request (Spanish "I wanted to know…") closes nothing.
            "hola quería saber si el cern acepta donaciones para proyectos contra el cáncer"
            " gracias",
            "We build dosimeters for FLASH. Could you tell me about beam time? Bye!",
        ],
    )
    def test_a_thanks_or_goodbye_beside_a_request_does_not_close_the_conversation(
        self, text: str
    ) -> None:
        assert not closes_the_conversation(segment(text))

    @pytest.mark.parametrize(
        ("text", "intent"),
        [
            ("Hi I'm having proton therapy next week", "about.no-medical-advice"),
            ("Hello, I am a radiochemist and could use some Tb-161.", "project.medicis-isotopes"),
            # Who is writing names a project: that is what they will ask about.
            ("Hello. I'm a journalist writing about FLASH.", "project.flash"),
        ],
    )
    def test_a_greeting_and_a_situation_or_a_request_is_not_only_greeted(
        self, shipped: Matcher, text: str, intent: str
    ) -> None:
        assert intent in [c.intent for c in shipped.match(text).candidates]

    @pytest.mark.parametrize(
        "text",
        [
            "Appreciated, that clears up the sublicensing point.",
            "Great, that's exactly what I needed. Much appreciated!",
        ],
    )
    def test_praise_for_an_answer_is_thanks(self, shipped: Matcher, text: str) -> None:
        result = shipped.match(text)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "smalltalk.thanks")

    def test_irradiating_food_is_declined_not_offered_beam_time(self, shipped: Matcher) -> None:
        result = shipped.match(
            "Does CERN irradiate spices or food to kill bacteria? I work in food safety."
        )
        assert result.outcome is Outcome.FALLBACK


class TestWhatIsNotAsked:
    """What a writer says they are not asking about does not count as asked."""

    @pytest.mark.parametrize(
        ("sentence", "kept"),
        [
            (
                "We're not interested in licensing anything, only in a joint project.",
                ", only in a joint project.",
            ),
            (
                "Our question is not about the incubator itself: who owns improvements?",
                ": who owns improvements?",
            ),
            ("Could I speak to a person instead of a chatbot?", "Could I speak to a person ?"),
            ("Not a start-up question, rather about funding.", ", rather about funding."),
            ("instead of licensing", "instead of licensing"),
            (
                "Visitors often ask me about the doughnut magnet.",
                "the doughnut magnet.",
            ),
            ("Families ask us whether CERN can treat them.", "CERN can treat them."),
            ("Can we license FLASH?", "Can we license FLASH?"),
            # A dash between spaces ends what is rejected, not the sentence's question.
            (
                "We're a hospital rather than a company - can we do a joint R&D project?",
                "We're a hospital - can we do a joint R&D project?",
            ),
            (
                "Can GaToroid be used instead of a conventional gantry?",
                "Can GaToroid be used instead of a conventional gantry?",
            ),
        ],
    )
    def test_the_negated_part_of_a_sentence_is_left_out(self, sentence: str, kept: str) -> None:
        assert without_asides(sentence) == kept

    @pytest.mark.parametrize(
        ("text", "intent"),
        [
            (
                "Hello, we are a two-person start-up in Greece and we're already in the CERN "
                "incubation programme in Thessaloniki. Our question is not about the incubator "
                "itself: we'd like to know who would own any improvements we make to the "
                "licensed CERN technology during the programme.",
                "route.ip-ownership",
            ),
            (
                "just wondering if there is an actual person I could speak to instead of a chatbot",
                "route.contact",
            ),
        ],
    )
    def test_the_topic_named_only_as_not_asked_is_not_the_answer(
        self, shipped: Matcher, text: str, intent: str
    ) -> None:
        result = shipped.match(text)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, intent)

    def test_who_else_asks_is_no_request_of_theirs(self, shipped: Matcher) -> None:
        # "Visitors" alone would read as a request to visit CERN, which is declined.
        result = shipped.match(
            "Hi, I'm a retired radiographer who volunteers at a science museum. Visitors often "
            "ask me about the 'doughnut magnet' gantry CERN designed. I'd love a simple "
            "explanation of how it differs from the big rotating gantries. Thanks!"
        )
        assert (result.outcome, result.intent) == (Outcome.ANSWER, "project.gatoroid")


@pytest.mark.parametrize(
    "text",
    [
        "I read about a radiotherapy that zaps tumors in less than a second and spares the "
        "healthy tissue. Is CERN building one of those in Switzerland?",
        "Is the radiotherapy that treats a tumour in a fraction of a second a CERN idea?",
    ],
)
def test_radiotherapy_given_in_a_flash_is_flash(shipped: Matcher, text: str) -> None:
    result = shipped.match(text)
    assert (result.outcome, result.intent) == (Outcome.ANSWER, "project.flash")


@pytest.mark.parametrize(
    "text", ["how did it all start with cern and medicine", "where it all began: CERN and medicine"]
)
def test_how_it_all_started_asks_for_the_history(shipped: Matcher, text: str) -> None:
    result = shipped.match(text)
    assert (result.outcome, result.intent) == (Outcome.ANSWER, "history.medical-applications")


class TestAConversationsCourtesies:
    """Salutations, doubts about where one writes and the end of a conversation are
    courtesies, answered as such; a question beside them is still what is answered."""

    @pytest.mark.parametrize(
        ("text", "intent"),
        [
            ("Dear Knowledge Transfer office,", "smalltalk.greeting"),
            ("Dear all", "smalltalk.greeting"),
            ("Hi! I hope this is the right place.", "smalltalk.greeting"),
            ("Good afternoon, not sure I've come to the right place", "smalltalk.greeting"),
            ("That's it. Nothing else from me for today, take care!", "smalltalk.goodbye"),
            ("Hi, hope this is the right place to ask: who handles NDAs?", "route.confidentiality"),
            ("tanks a lot, that was quick", "smalltalk.thanks"),
            # Addressed to the bot by name, and mistyped
            ("helo ktbot, good mornig", "smalltalk.greeting"),
            ("Hello ktbot!", "smalltalk.greeting"),
            ("thnaks a lot ktbot", "smalltalk.thanks"),
            ("thnaks, that clears up the MEDICIS bit", "smalltalk.thanks"),
            # Greeting everyone, or checking someone is there, in any language
            ("Hello to the whole team", "smalltalk.greeting"),
            ("Bonsoir à toute l'équipe", "smalltalk.greeting"),
            ("Hallo an das ganze Team", "smalltalk.greeting"),
            ("quelqu'un est là ?", "smalltalk.greeting"),
            ("Boa tarde, tudo bem?", "smalltalk.greeting"),
            ("Goedemorgen!", "smalltalk.greeting"),
            ("Doei en bedankt!", "smalltalk.goodbye"),
            ("Adeus, até amanhã", "smalltalk.goodbye"),
        ],
    )
    def test_courtesies_get_their_answer(self, shipped: Matcher, text: str, intent: str) -> None:
        result = shipped.match(text)
        assert (result.outcome, result.intent) == (Outcome.ANSWER, intent)


def test_a_word_near_a_courtesy_that_is_a_word_of_its_own_is_no_courtesy(
    shipped: Matcher,
) -> None:
    assert shipped.match("think").intent != "smalltalk.thanks"
    assert shipped.match("what is ktbot").intent == "about.bot"


def test_a_relatives_scan_that_made_one_curious_is_no_patients_request() -> None:
    question = (
        "My mum had a PET scan last year and it made me curious - what is CERN's connection"
        " to the invention of PET?"
    )
    assert not is_personal_health_question(question)
    assert not is_personal_health_question(
        "I got curious - does CERN actually do anything for cancer treatment or medicine?"
    )
    assert not is_personal_health_question(
        "I got interested in proton therapy at university. Does CERN research cancer treatment?"
    )
    assert is_personal_health_question(
        "My father has a brain tumour and I am curious which hospital does proton therapy"
    )


def test_a_request_for_an_account_of_the_past_is_no_patients_request() -> None:
    question = "Could you give me a short, reliable account of CERN's role in PET?"
    assert not is_personal_health_question(question)
    assert is_personal_health_question("My dad has cancer. Will proton therapy give him cancer?")


def test_of_two_overlapping_names_the_one_ending_later_is_meant(shipped: Matcher) -> None:
    result = shipped.match("Is the CERN KT Fund open to companies outside CERN?")
    assert (result.outcome, result.intent) == (Outcome.ANSWER, "route.kt-fund")


def test_a_staff_members_private_details_are_declined(shipped: Matcher) -> None:
    result = shipped.match("What is the private mobile number of the GaToroid project leader?")
    assert result.outcome is Outcome.FALLBACK


def test_a_medical_societys_own_congress_is_declined(shipped: Matcher) -> None:
    result = shipped.match("What is the abstract deadline for the EANM congress?")
    assert result.outcome is Outcome.FALLBACK
    assert result.elsewhere == "EANM"


@pytest.mark.parametrize(
    ("text", "declined"),
    [
        (
            "Our university's IP policy gives inventors 40% of licence income. Is that reasonable?",
            True,
        ),
        (
            "Our hospital's IP policy says inventors get a third of royalties. Is that the norm?",
            True,
        ),
        ("What is CERN's spin-off policy?", False),
        ("Our hospital's IP policy gives inventors a third. How does CERN's compare?", False),
    ],
)
def test_the_writers_own_institutions_policy_is_theirs_to_judge(
    shipped: Matcher, text: str, declined: bool
) -> None:
    result = shipped.match(text)
    assert (result.outcome is Outcome.FALLBACK) is declined


@pytest.mark.parametrize(
    "text",
    [
        "Bonjour. Nous souhaitons obtenir une licence du CERN. Quelle est la procédure ?",
        "Buongiorno. Vorremmo fare una donazione al CERN. Come possiamo procedere?",
        "Hallo. Wir möchten eine Lizenz des CERN erwerben. Wie gehen wir vor?",
        "Hola. Queremos una licencia del CERN. ¿Cuál es el procedimiento?",
    ],
)
def test_a_wish_then_what_is_the_procedure_reads_as_in_english(text: str) -> None:
    """The procedure asked is for what the sentence before wished, in any language read."""
    assert [s.role for s in segment(text)] == [Role.COURTESY, Role.REFERENT, Role.QUESTION]


def test_shifts_on_a_beam_are_beam_time(shipped: Matcher) -> None:
    result = shipped.match("how would a small company get shifts on a beam at CERN")
    assert (result.outcome, result.intent) == (Outcome.ANSWER, "route.facilities")


def test_an_indirect_question_with_a_clear_lead_is_answered_under_the_answer_threshold(
    shipped: Matcher,
) -> None:
    # Alpha emitters for a lab that knows only Lu-177: MEDICIS's isotopes, though the words
    # shared with its examples are few; no other topic comes near.
    message = (
        "I manage a radiopharmacy that has handled nothing but Lu-177 so far. An alpha "
        "emitter is next on our list; where would we begin?"
    )
    result = shipped.match(message)
    assert result.score < shipped.settings_for(message).answer_threshold
    assert (result.outcome, result.intent) == (Outcome.ANSWER, "project.medicis-isotopes")


@pytest.mark.parametrize(
    "message",
    [
        "I scout health tech for a fund. Give me the short version: which therapy work does CERN"
        " do?",
        "Give me the big picture: which therapy projects does CERN run?",
    ],
)
def test_asking_to_be_given_an_overview_is_no_patient_s_question(
    shipped: Matcher, message: str
) -> None:
    assert shipped.match(message).intent != "about.no-medical-advice"


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("right, I'm off. take care", "smalltalk.goodbye"),
        ("ok, I'm off now. take care", "smalltalk.goodbye"),
    ],
)
def test_a_word_that_only_opens_the_turn_is_not_read(
    shipped: Matcher, message: str, intent: str
) -> None:
    assert shipped.match(message).intent == intent


def test_the_question_after_an_opening_word_is_still_read(shipped: Matcher) -> None:
    # A guard: setting "Right, so" aside leaves the question whole.
    assert shipped.match("Right, so can we license the FLASH technology?").intent == "project.flash"
