"""The matcher: knowledge base in, one decision per message out.

Pure and synchronous, and knows nothing of Telegram. `Matcher.build` does all the expensive
work (normalising, indexing, training the topic prototypes) once per knowledge-base load;
`match` is then a read-only computation that is safe to call from any number of threads.

A message is read the way a person reads it (see `text.segments`, `names`): its
sentences weighed by their role, the names it contains taken as strong evidence, and each of
its questions also read on its own, so a second question can be offered with the answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from intents.knowledge.base import KnowledgeBase
from intents.knowledge.models import MatchingSettings, Topic
from intents.matching.aspects import Aspects
from intents.matching.decision import Evidence, decide
from intents.matching.elsewhere import OtherOrganisations, asks_about_own_policy, compared
from intents.matching.health import is_personal_health_question
from intents.matching.identity import asks_about_the_assistant, asks_for_a_person
from intents.matching.index import IndexConfig, TopicIndex, TopicTexts
from intents.matching.kernels import add_clipped, covered_scores, ranked_first
from intents.matching.misconceptions import takes_cern_for_a_clinic
from intents.matching.names import NameHit, NameSpotter
from intents.matching.result import Candidate, MatchResult
from intents.matching.semantic import SemanticIndex
from intents.text.dictionary import real_words
from intents.text.embeddings import shipped_embedder
from intents.text.features import stem, synonym_key, terms
from intents.text.language import DEFAULT_LANGUAGE, detect_language
from intents.text.markup import parse_markup, plain_text
from intents.text.phrases import Phrases
from intents.text.segments import (
    WEIGHTS,
    Role,
    Segment,
    closes_the_conversation,
    following,
    segment,
)
from intents.text.vocabulary import Vocabulary

OUT_OF_SCOPE = "(out of scope)"
"""Index id of the declined questions: not an id pattern, so no topic can have it."""
COVERAGE_FLOOR = 0.8
"""Scores are divided by the message's coverage, but by no less than this: a message the
knowledge base knows less than four fifths of is not scaled up further: its unknown words
may well be what it is about."""
HEALTH_SCORE = 0.9
IMPERSONAL_HEALTH_FACTOR = 0.7
"""The no-medical-advice topic's score when the message has no patient's cues (a factor):
its examples share "clinical trial", "treatment", "dose" with journalists' and physicists'
questions. Measured on dev.jsonl: 0.8 let "when are the first FLASH clinical trials
expected?" (a journalist) be asked about medical advice; 0.6 declined "I need treatment
advice for a tumour"."""
RANKED = 5
"""Candidates kept per message: enough for any `max_alternatives` (at most 5)."""
NAME_BONUS = 0.15
"""Added to the score of a topic the message names, and of the topics whose examples use
that name (times the name's quality): enough to lift a project named in a long message or
next to a route ("license GaToroid") above topics that merely share words, not enough to
beat a topic the words themselves clearly mean."""
AROUND_NAME_SHARE = 0.3
"""The share of `NAME_BONUS` a name gets when it is only in the sentences around a question
with a subject of its own ("We want to test it with isotopes from MEDICIS. … who owns the
results?"): the message may still be about it, but the question says what is asked. Measured
on 480 messages of our own (L41-L43) and dev.jsonl: the full bonus answered the named project
twice where the question asked about IP or licence fees; 0.3 turned both into the route or a
"did you mean", 0.45-0.5 also turned three right answers into "did you mean"."""
DECLINED_LIFT_FLOOR = 0.3
"""How close a declined question must be for a name's lift to count for it too (see
`evidence`). Measured on 750 messages of our own and dev.jsonl, with 300 questions naming a
project in the frames users write ("Can we license X technology for our company?", "I'd like to
write to the X team…"): 0.28-0.32 declined 5 more out-of-scope questions naming a project
(the declined questions added with it, 15 more) and lost no in-scope answer; at the answer
threshold (0.25), a word shared by chance ("write a haiku about…") declined 17 of the 300."""
ASPECT_GAP = 0.16
"""How far behind the topic an aspect asks about its project's own topic drops (a share of
the score): more than `clarify_margin` (0.15 by default, 0.07 shipped), so the asked topic is
answered and the project offered with it, not both asked about. Strictly more: at 0.15 the
default margin was met exactly, and rounding in the last digit decided between the two."""
ELSEWHERE_SCORE = 0.9
"""The declined score of a question about another organisation's own business (see
`intents.matching.elsewhere`): above any topic the message does not name."""
MATTER_SCORE = 1.0
"""The declined score of a question asking for a matter the bot never answers
(`declined_matters:`, see `intents.text.phrases`): above any topic, named or not, and above
a patient's cues ("Could MEDICIS supply something to treat my dog?" is no patient's)."""
NOT_A_HOSPITAL_SCORE = 0.5
"""The score of the topic saying what CERN does for medicine when a question takes CERN for
a hospital or a vendor ("Does CERN run its own cancer clinic?"): an answer, unless another
topic matches the words better still."""
ASSISTANT_ASKED_SCORE = 0.5
"""The score of the topic saying what the bot is when a message asks about the assistant
itself (see `intents.matching.identity`): as `NOT_A_HOSPITAL_SCORE`."""
COURTESY_SCORE = 0.5
"""The score of the closest greeting, thanks or goodbye for a message of courtesies only:
an answer whatever its words ("OK I'm logging off now, talk another time")."""
SHORT_QUESTION_TERMS = 8
"""A question this short naming nothing ("When do clinical trials start?") is about what the
sentences around it name; a longer one says what it asks (`Matcher._asked_about`)."""
MAX_QUESTIONS_READ = 4
"""Questions of one message read on their own, looking for a second thing asked."""

_LOWER_WORD = re.compile(r"(?<![.!?]\s)(?<!^)\b[a-z][a-z]+\b")


@dataclass(frozen=True, slots=True)
class NamesRead:
    """What the names in a message did to its scores (`Matcher._apply_names`)."""

    named: tuple[str, ...]
    """The topics the question names, strongest first."""
    siblings: frozenset[str]
    """Other topics whose examples use the same names."""
    names: frozenset[str]
    """The names found."""
    instead: Mapping[int, int]
    """Named topic -> the topic of its aspect the question asks about (`_aspect_asked`)."""
    lifts: Mapping[int, float]
    """Each lifted topic's lift."""
    mentioned: tuple[str, ...] = ()
    """Topics named only in the sentences around the question (`_asked_about`)."""


NO_NAMES = NamesRead((), frozenset(), frozenset(), MappingProxyType({}), MappingProxyType({}))
"""What a message read for a declined matter or a patient's health takes from its names:
nothing (the project named is context, not the answer)."""


def lowered_settings(settings: MatchingSettings, foreign: bool, long: bool) -> MatchingSettings:
    """`settings` with its thresholds lowered for a message not in English and/or long."""
    factor = (settings.other_language_factor if foreign else 1.0) * (
        settings.long_message_factor if long else 1.0
    )
    if factor == 1.0:
        return settings
    return settings.model_copy(
        update={
            name: getattr(settings, name) * factor
            for name in ("answer_threshold", "clarify_threshold", "option_threshold")
        }
    )


def topic_texts(topic: Topic) -> TopicTexts:
    """Everything that says what `topic` is about, for the index."""
    return TopicTexts(
        topic.id, (topic.title, *topic.questions, *topic.keywords), tuple(topic.aliases)
    )


def vocabulary_of(kb: KnowledgeBase) -> Vocabulary:
    """The knowledge base's synonym groups as rewrites over matching terms."""
    return Vocabulary.from_pairs(
        (synonym_key(variant), synonym_key(group.canonical))
        for group in kb.synonyms
        for variant in group.variants
    )


def capitalised_words(topic: Topic) -> tuple[str, ...]:
    """The keywords in a topic's title that are an everyday English word written in capitals
    ("CLEAR" of "CLEAR – CERN Linear Electron Accelerator for Research"): kept out of the
    aliases because in lower case they are the word, but "book beam time on CLEAR" names the
    facility as surely as an alias would. Only the title's: "ROOT" is a keyword of the
    simulation topic, not what it is about ("What language is ROOT written in?")."""
    common = real_words()
    title = set(re.findall(r"\w+", topic.title))
    return tuple(
        k
        for k in topic.keywords
        if k in title
        and len(k) > 3  # not "EU", "PET": acronyms of a whole field, not one topic's name
        and k.isalpha()
        and k.isupper()
        and stem(k.lower()) in common
    )


def _peers_of(kb: KnowledgeBase, topic_id: str | None) -> frozenset[str]:
    """The other topics of `topic_id`'s category (none when the knowledge base has no such
    topic)."""
    topic = kb.topics.get(topic_id or "")
    if topic is None:
        return frozenset()
    return frozenset(
        other.id for other in kb.topics.values() if other.category == topic.category
    ) - {topic.id}


def _unlift(scores: npt.NDArray[np.float64], lifts: Mapping[int, float]) -> None:
    """Take back what names added to `scores` (`NamesRead.lifts`)."""
    for topic, lift in lifts.items():
        scores[topic] -= lift


def _strongest(*found: list[NameHit]) -> list[NameHit]:
    """The names found in several parts of a message, each topic once at its best quality,
    in `NameSpotter.find`'s order."""
    best: dict[int, NameHit] = {}
    for hit in (h for hits in found for h in hits):
        if hit.topic not in best or best[hit.topic].quality < hit.quality:
            best[hit.topic] = hit
    return sorted(best.values(), key=lambda h: (-h.quality, h.topic))


def ordinary_words(kb: KnowledgeBase) -> frozenset[str]:
    """Words the answers use in lower case mid-sentence ("it is not clear"): a name spelt
    like one of them ("CLEAR") only counts when the message writes it as a name."""
    found: set[str] = set()
    for topic in kb.topics.values():
        text = plain_text(parse_markup(topic.answer))  # link labels, not URLs ("/medicis")
        found.update(terms(" ".join(_LOWER_WORD.findall(text)), limit=100_000))
    return frozenset(found)


def warm_up_kernels() -> None:
    """Compile the matcher's own compiled steps (or read them from numba's cache) when the
    knowledge base loads, rather than on the first message."""
    scores = np.zeros(2)
    ranked_first(scores, RANKED)
    add_clipped(covered_scores(scores, 1.0), 0.5, scores)


@dataclass(frozen=True, slots=True)
class Matcher:
    kb: KnowledgeBase
    index: TopicIndex
    names: NameSpotter
    medical_advice: int | None = None
    """Index of the answer for patients asking about their own health (see
    `intents.matching.health`): the `medical_advice_topic` of `special:`, if the knowledge base
    names one."""
    not_a_hospital: int | None = None
    """Index of the answer to a question taking CERN for a hospital, a clinic or a vendor of
    medical products (see `intents.matching.misconceptions`): `not_a_hospital_topic`."""
    about_bot: int | None = None
    """Index of the topic saying what the bot is (the `welcome_topic`): the answer to "am I
    talking to a person?" (see `intents.matching.identity`)."""
    contact: int | None = None
    """Index of the topic saying how to reach a person (the `contact_topic`): the answer to
    "can a human take over?" (see `intents.matching.identity`)."""
    lowered: Mapping[tuple[bool, bool], MatchingSettings] = field(default_factory=dict)
    """The thresholds per (not in English, long), made once per load (see `settings_for`)."""
    courtesy: frozenset[str] = frozenset()
    """Greetings, thanks and goodbyes (`KnowledgeBase.courtesy_topics`)."""
    elsewhere: OtherOrganisations = field(default_factory=lambda: OtherOrganisations.build(()))
    """The organisations whose own business is declined (`other_organisations:`)."""
    aspects: Aspects = field(default_factory=lambda: Aspects.build(()))
    """What says which of a named project's topics is asked (topics' `aspects:`)."""
    courtesy_rows: tuple[int, ...] = ()
    """The indices of the `courtesy` topics, in the knowledge base's order."""
    matters: Phrases = field(default_factory=lambda: Phrases.build(()))
    """What is declined whatever project a question names (`declined_matters:`)."""
    semantic: SemanticIndex | None = None
    """The topics' meaning in word embeddings (`intents.matching.semantic`); None when
    the knowledge base's `semantic_weight` is 0."""
    assistant_peers: frozenset[str] = frozenset()
    """The other topics of the welcome topic's category (the KT group, CERN's medical
    applications): named in a question about the assistant ("is this answered by a language
    model or by someone from the KT group?", "are you part of the KT group?"), they are what
    the assistant is compared with, not what is asked."""

    @classmethod
    def build(cls, kb: KnowledgeBase, config: IndexConfig | None = None) -> Matcher:
        topics = list(kb.topics.values())
        texts = [topic_texts(t) for t in topics]
        elsewhere = OtherOrganisations.build(kb.other_organisations, kb.sellers)
        declined = (
            # Declined questions are one more "topic" of the index, after the real ones: a
            # message must be closer to a real topic than to the closest of them to be
            # answered. Measured on dev.jsonl: as a trained prototype like the topics, each
            # declined question added shifted the topics' prototypes and cost 1-5 right
            # answers; scored by the closest one alone, more of them cost next to nothing.
            [
                TopicTexts(
                    OUT_OF_SCOPE,
                    kb.out_of_scope,
                    declined=True,
                    naming=tuple(elsewhere.names_any(q) for q in kb.out_of_scope),
                )
            ]
            if kb.out_of_scope
            else []
        )
        rows = [*texts, *declined]
        index = TopicIndex.build(rows, config, vocabulary_of(kb))
        semantic = (
            SemanticIndex.build(
                shipped_embedder(), [t.examples for t in rows], [t.declined for t in rows]
            )
            if kb.settings.semantic_weight > 0
            else None
        )
        ids = [t.id for t in topics]
        position = {topic_id: i for i, topic_id in enumerate(ids)}
        special = kb.special
        medical_advice = position.get(special.medical_advice_topic or "")
        names = NameSpotter.build(
            [t.names for t in texts],
            [t.examples for t in texts],
            ordinary_words(kb),
            frozenset(index.vectorizer.term_ids),
            [capitalised_words(t) for t in topics],
            # Its examples name projects ("Can FLASH cure my…"), but a message whose names
            # are read is no patient's (`evidence`): the answer is no rival of the project
            # ("My grandmother told me about FLASH. What is it?" asked which was meant).
            no_siblings=() if medical_advice is None else (medical_advice,),
        )
        courtesy = kb.courtesy_topics()
        warm_up_kernels()
        lowered = {
            (foreign, long): lowered_settings(kb.settings, foreign, long)
            for foreign in (False, True)
            for long in (False, True)
        }
        return cls(
            kb,
            index,
            names,
            medical_advice,
            position.get(special.not_a_hospital_topic or ""),
            position.get(special.welcome_topic or ""),
            position.get(special.contact_topic or ""),
            MappingProxyType(lowered),
            courtesy,
            elsewhere,
            Aspects.build([t.aspects for t in topics], names.users, names.phrases),
            courtesy_rows=tuple(i for i, topic_id in enumerate(ids) if topic_id in courtesy),
            matters=Phrases.build(kb.declined_matters),
            semantic=semantic,
            assistant_peers=_peers_of(kb, special.welcome_topic),
        )

    @property
    def n_topics(self) -> int:
        """Topics of the knowledge base: the index rows before the declined questions."""
        return len(self.kb.topics)

    def match(self, text: str, follows: str | None = None) -> MatchResult:
        """Decide what to reply to `text`; never raises, whatever the string. `follows`: the
        writer's previous question, which a follow-up pointing back takes its subject from
        ("Can we license it?" after "What is GaToroid?"); the result says whether it did."""
        evidence = self.evidence(text, follows)
        result = decide(text, evidence, self.settings_for(text))
        return replace(result, followed=True) if evidence.followed else result

    def settings_for(self, text: str) -> MatchingSettings:
        """The thresholds for `text`: lower for a message in another language than English
        and for a long one (see `MatchingSettings.other_language_factor` and
        `long_message_factor`): both score lower when right, for reasons that are not doubt.
        Measured on dev.jsonl: right answers to messages of 30 words or more scored 0.17-0.30
        where the same questions asked alone scored above 0.3."""
        return self.lowered.get(self.reading_of(text), self.kb.settings)

    def reading_of(self, text: str) -> tuple[bool, bool]:
        """Whether `text` is (not in English, long): what lowers its thresholds."""
        foreign = detect_language(text) != DEFAULT_LANGUAGE
        return foreign, len(text.split()) >= self.kb.settings.long_message_words

    def evidence(self, text: str, follows: str | None = None) -> Evidence:
        """What the decision weighs for `text`: ranked topics, names, further questions;
        read with `follows` as its subject when it points back to it (`following`)."""
        as_written = segment(text)
        segments = as_written if follows is None else following(as_written, follows)
        followed = segments is not as_written
        courteous = self._only_courtesy(text, segments) if self.courtesy_rows else None
        if courteous is not None:
            return self._courtesy_evidence(courteous)
        asked = [i for i, s in enumerate(segments) if s.role is Role.QUESTION]
        # Several questions: each is also read on its own, looking for a second thing asked.
        # Statements standing for the request of a message that asks nothing are not.
        really_asked = [i for i in asked if not segments[i].stated]
        outright = [i for i in really_asked if segments[i].outright]
        if outright:
            # "We would like to support a project that helps poorer countries. Could you
            # explain how gifts are handled?": a wish before the question asked is what it
            # is about, not a question of its own to answer first.
            really_asked = [i for i in really_asked if i >= outright[0]]
        alone = really_asked[:MAX_QUESTIONS_READ] if len(really_asked) > 1 else []
        parts = [(s.text, s.weight) for s in segments]
        scored, by_question = self.index.score_reading(parts, alone, self.elsewhere.names_any(text))
        # Similarity among the words the knowledge base knows: a long message whose question
        # is clear scores like the short question, instead of being diluted by every word of
        # its context. Unknown words still count through the floor and the coverage.
        all_scores = covered_scores(scored.scores, max(scored.query.coverage, COVERAGE_FLOOR))
        # The declined questions' score from words alone: what a name's lift may add to
        # (below), so meaning alone never makes a project's name count for declining.
        worded = self._split(all_scores)[1]
        if self.semantic is not None:
            # What the words mean, beyond those shared with the examples, clipped to [0, 1].
            meaning = self.semantic.similarity(parts)
            add_clipped(all_scores, self.kb.settings.semantic_weight, meaning)
        scores, declined = self._split(all_scores)
        # A question pointing back ("Is that normal?") asks about the sentence it points to.
        subject = [i for i, s in enumerate(segments) if s.role in (Role.QUESTION, Role.REFERENT)]
        asking = " ".join(segments[i].text for i in subject) or text
        question = " ".join(segments[i].text for i in asked)
        elsewhere: str | None = None
        # The questions themselves, not the sentence one points back to: "During my
        # internship I heard about FLASH. Can my company license it?" asks about licensing.
        matter = self.matters.find(question or text)
        if matter is not None:
            # "Are there internships in the NIMMS team?", "Could MEDICIS treat my dog?": asked
            # for a matter the bot never answers, the project named is context, not the
            # answer; nor is a patient's answer.
            read = NO_NAMES
            named = read.named
            declined = MATTER_SCORE
        elif self.medical_advice is not None and is_personal_health_question(
            asking,
            " ".join(s.text for i, s in enumerate(segments) if i not in subject and s.weight > 0),
        ):
            # A patient's question about their own health gets the no-medical-advice answer,
            # whatever project it names: never a project's description, never "I don't know".
            read = NO_NAMES
            named = self._insist(scores, self.medical_advice, HEALTH_SCORE)
        else:
            if self.medical_advice is not None:
                # Its examples are patients' questions, so therapy words alone ("proton
                # therapy", from a physicist) lean to it; without a patient's cues they count
                # for less, and the therapy topics get a chance to be offered.
                scores[self.medical_advice] *= IMPERSONAL_HEALTH_FACTOR
            read = self._apply_names(segments, scores, scored.query.corrections)
            named = read.named
            if read.lifts and worded >= DECLINED_LIFT_FLOOR:
                # "What's the list price of a THERYQ FLASH unit?", "Can my class tour
                # MEDICIS?": the name says what the message is about, not that a topic answers
                # it. A declined question this close gets the lift the best topic got from
                # the name, so their words decide.
                best = int(np.argmax(scores))
                declined = min(1.0, declined + read.lifts.get(best, 0.0))
            if (
                not named
                and self.not_a_hospital is not None
                and takes_cern_for_a_clinic(" ".join(s.text for s in segments if s.weight > 0))
            ):
                # "Does CERN run its own cancer clinic?": what CERN does and does not do.
                named = self._insist(scores, self.not_a_hospital, NOT_A_HOSPITAL_SCORE)
            peers_named = bool(named) and self.assistant_peers.issuperset(named)
            if (
                (not named or peers_named)
                and self.about_bot is not None
                and asks_about_the_assistant(question or text)
            ):
                # "Am I talking to a person or to an automated assistant?": what the bot is,
                # not how to reach a person, which its words share.
                if peers_named:
                    _unlift(scores, read.lifts)
                named = self._insist(scores, self.about_bot, ASSISTANT_ASKED_SCORE)
            if not named and self.contact is not None and asks_for_a_person(text):
                # "Can a human take over here? I'd rather not explain it to a bot.": how to
                # reach a person, though the words lean to what the bot is, or to nothing.
                named = self._insist(scores, self.contact, ASSISTANT_ASKED_SCORE)
            listed = self.elsewhere.spelled.keys()
            # Only compared with ("a programme like MEDICIS"), a project's name is no subject.
            subjects = read.names - listed - compared(question, read.names)
            # "Who handles tech transfer at GSI?": another lab's office, not CERN's. An
            # organisation that is also a topic's name ("ESA" for aerospace) is one too when
            # its own office or programme is asked about. With a topic's name in the message,
            # only when that is the organisation's thing ("the ESA business incubation
            # centre", "EPFL's tech transfer office … an NDA"), not "Does ESA test
            # electronics at CHARM?".
            elsewhere = self.elsewhere.owner_of(question, possessive=bool(subjects))
            if elsewhere is None and asking != question:
                # "I'd like to apply to the ESA Business Incubation Centre. What's their next
                # deadline?": the organisation is in the sentence the question points to.
                elsewhere = self.elsewhere.owner_of(asking, possessive=bool(subjects))
            # "What would THERYQ charge for one FLASHDEEP unit?": a company's price is its own
            # to give, whichever project the question names.
            elsewhere = elsewhere or self.elsewhere.seller_of(question)
            if elsewhere is not None or asks_about_own_policy(asking):
                declined = max(declined, ELSEWHERE_SCORE)
        later = tuple(
            self._question_best(segments[i].text, self._split(q.scores)[0], read.instead)
            for i, q in by_question.items()
        )
        return Evidence(
            self._top(scores),
            named,
            later,
            declined,
            read.siblings,
            self.courtesy,
            elsewhere,
            read.mentioned,
            followed=followed,
        )

    def _only_courtesy(self, text: str, segments: tuple[Segment, ...]) -> str | None:
        """The words to answer with a greeting, thanks or goodbye when that is all `text`
        asks for; else None. A message of courtesies only (see `segment`). A greeting and who
        is writing, naming no topic: "Good morning! I'm the new business developer at a
        medtech firm in Geneva." The question is still to come, so the greeting is answered,
        as for one sentence, rather than a topic the writer's job shares words with
        ("start-up" in "I'm the CEO of a start-up"); "Hello. I'm a journalist writing about
        FLASH." names what is wanted and is answered with it. And a thanks or goodbye around
        statements that ask nothing (see `closes_the_conversation`)."""
        if segments[0].courtesy:
            return segments[0].text
        if {s.role for s in segments} == {Role.COURTESY, Role.INTRODUCTION}:
            about = " ".join(s.text for s in segments if s.role is Role.INTRODUCTION)
            if not self.names.find(about, terms(about)):
                return " ".join(s.text for s in segments if s.role is Role.COURTESY)
        return text if closes_the_conversation(segments) else None

    def _courtesy_evidence(self, text: str) -> Evidence:
        """A message of courtesies only is answered with the closest greeting, thanks or
        goodbye: its everyday words ("hope all is well on your side", "talk another time")
        otherwise drift to whichever topic shares them, or to nothing."""
        scores, _ = self._split(self.index.score_reading([(text, 1.0)], [], False)[0].scores)
        ids = self.index.topic_ids
        courtesy = self.courtesy_rows
        best = max(courtesy, key=lambda i: (scores[i], -i))
        lifted = {best: max(float(scores[best]), COURTESY_SCORE)}
        ranked = tuple(
            Candidate(ids[i], lifted.get(i, float(scores[i])))
            for i in sorted(courtesy, key=lambda i: (i != best, -scores[i], i))
        )
        return Evidence(ranked, (ids[best],), courtesy=self.courtesy)

    def _insist(self, scores: npt.NDArray[np.float64], topic: int, score: float) -> tuple[str, ...]:
        """Lift `topic` to at least `score` and return it as the topic the message names: how
        the question is put (a patient's own health, CERN taken for a clinic) says which
        answer it needs more surely than its words do."""
        scores[topic] = max(scores[topic], score)
        return (self.index.topic_ids[topic],)

    def _split(self, scores: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], float]:
        """The topics' scores, and the declined questions' score (0 when there are none)."""
        n = self.n_topics
        return scores[:n], float(scores[n]) if len(scores) > n else 0.0

    def _apply_names(
        self,
        segments: tuple[Segment, ...],
        scores: npt.NDArray[np.float64],
        corrections: Mapping[str, str],
    ) -> NamesRead:
        """Raise the scores of the topics the message names, and say how (`NamesRead`).
        `corrections`: the message's misspelt words and the known words they were read as."""
        subject = WEIGHTS[Role.REFERENT]
        asked = " ".join(s.text for s in segments if s.weight >= subject)
        around = " ".join(s.text for s in segments if 0 < s.weight < subject)
        typed = terms(asked)
        in_question = self.names.find(asked, typed, corrections)
        # The aspects asked are read in the corrected words too ("licnse GaToroid").
        asked_terms = [corrections.get(term, term) for term in typed]
        if any(s.role is Role.REFERENT for s in segments) or not around:
            # The question takes its subject from the sentence it points back to
            # ("Colleagues mentioned a 200 MeV linac at CERN. How do we get shifts there?"):
            # a name only in the other sentences ("We run FLASH dosimetry.") is the setting,
            # not the subject. Measured on 60 long messages: two projects mentioned on the
            # way were answered instead of the facility asked about; dev.jsonl unchanged.
            hits = in_question
        else:
            hits = _strongest(in_question, self.names.find(around, terms(around), corrections))
        # The topics whose examples use the name ("MEDICIS isotopes" next to MEDICIS) get
        # the same lift as the named one: the name says the message is about one of them,
        # the words say which. Measured on dev.jsonl, lifting the named topic alone made
        # "are MEDICIS isotopes free?" a confident answer about MEDICIS itself.
        asked_hits = self._asked_about(segments, hits, in_question, len(asked_terms))
        subjects = {h.topic for h in asked_hits}
        bonus: dict[int, float] = {}
        for hit in hits:
            share = 1.0 if hit.topic in subjects else AROUND_NAME_SHARE
            for topic in (hit.topic, *hit.siblings):
                bonus[topic] = max(bonus.get(topic, 0.0), NAME_BONUS * hit.quality * share)
        for topic, lift in bonus.items():
            scores[topic] = min(1.0, scores[topic] + lift)
        ids = self.index.topic_ids
        named_hits = [self._aspect_asked(hit, asked_terms, scores) for hit in asked_hits]
        named = tuple(ids[h.topic] for h in named_hits)
        siblings = frozenset(ids[t] for h in (*hits, *named_hits) for t in h.siblings) - set(named)
        instead = {
            old.topic: new.topic
            for old, new in zip(asked_hits, named_hits, strict=True)
            if old.topic != new.topic
        }
        mentioned = tuple(dict.fromkeys(ids[h.topic] for h in hits if h.topic not in subjects))
        return NamesRead(
            named, siblings, frozenset(h.name for h in hits), instead, bonus, mentioned
        )

    def _question_best(
        self, text: str, scores: npt.NDArray[np.float64], instead: Mapping[int, int]
    ) -> Candidate:
        """The best topic of one of a message's questions read alone: the topic of the
        project's aspect it asks about, if the whole message found one ("Does MEDICIS still
        give isotopes to outside groups? Also, any costs?" asks for the isotopes first)."""
        # The first of the highest scores: the topic `_top` ranks first, without ranking the
        # others (a message asking four questions reads each alone).
        topic = int(np.argmax(scores))
        best = Candidate(self.index.topic_ids[topic], float(scores[topic]))
        if not instead:
            return best
        chosen = instead.get(topic)
        if chosen is None or chosen not in self.aspects.asked(topic, terms(text)):
            return best
        return Candidate(self.index.topic_ids[chosen], max(scores[chosen], best.score))

    def _aspect_asked(
        self, hit: NameHit, asked_terms: list[str], scores: npt.NDArray[np.float64]
    ) -> NameHit:
        """`hit`, or the hit of the topic sharing its name that an aspect in the question
        asks about ("flash radiotheraphy chuv status??": the facility's status, not FLASH),
        lifted to the name's topic's score, which drops far enough behind it to be offered
        rather than asked about. Other topics using the name keep their scores: "donate"
        next to MEDICIS still says donations, whatever aspect of the isotopes is named."""
        asked = self.aspects.asked(hit.topic, asked_terms)
        if not asked:
            # The named topic's own aspect: the topics sharing its name drop behind it, as
            # it would behind theirs, and stay on offer.
            for topic in self.aspects.claimed(hit.topic, asked_terms):
                scores[topic] = min(scores[topic], scores[hit.topic] * (1 - ASPECT_GAP))
            return hit
        chosen = max(asked, key=lambda topic: (scores[topic], -topic))
        scores[chosen] = max(scores[chosen], scores[hit.topic])
        scores[hit.topic] = min(scores[hit.topic], scores[chosen] * (1 - ASPECT_GAP))
        others = tuple(t for t in dict.fromkeys((hit.topic, *hit.siblings, *asked)) if t != chosen)
        return NameHit(chosen, hit.quality, hit.name, others)

    @staticmethod
    def _asked_about(
        segments: tuple[Segment, ...],
        hits: list[NameHit],
        in_question: list[NameHit],
        question_length: int,
    ) -> list[NameHit]:
        """The names the question itself uses (`in_question`, found in the sentences of
        `question_length` words that ask or are pointed to). A project named only in a
        sentence around the question ("We read about MEDICIS in a newsletter. How would a
        company license a CERN patent?") keeps its lift, as the message may still be about
        it, but is not answered for being named, unless the question is too short to have a
        subject of its own. Measured on 120 long and compound messages written to mention
        projects in passing: false answers 11.7 % -> 8.3 %, no other labelled message
        changed."""
        asked = any(s.role is Role.QUESTION and not s.stated for s in segments)
        context = any(0 < s.weight < WEIGHTS[Role.REFERENT] for s in segments)
        if not hits or not asked or not context:
            return hits
        named = {h.topic for h in in_question}
        if not named and question_length <= SHORT_QUESTION_TERMS:
            return hits  # "Writing a piece on FLASH. When do trials start?": no subject of its own
        return [h for h in hits if h.topic in named]

    def _top(self, scores: npt.NDArray[np.float64]) -> tuple[Candidate, ...]:
        # As a stable sort ranks them: equal scores keep the knowledge base's order, run after
        # run (`kernels.ranked_first`, one call where sorting and picking took four).
        best, values = ranked_first(scores, RANKED)
        ids = self.index.topic_ids
        return tuple(
            Candidate(ids[i], value)
            for i, value in zip(best.tolist(), values.tolist(), strict=True)
        )
