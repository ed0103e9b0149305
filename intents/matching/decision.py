"""From ranked candidates to what the user sees: answer, "did you mean…", or fallback."""

from __future__ import annotations

from dataclasses import dataclass

from intents.knowledge.models import MatchingSettings
from intents.matching.result import Candidate, MatchResult, Outcome

RUNNER_UP_SHARE = 0.8
"""An answered message also offers its runner-up when that scores at least this share of the
answer (and the clarify threshold): "How do we find them, and who should we talk to?" after
"We'd like to back start-ups built on CERN technology" answers the contact and offers the
start-ups. Offered, never answered: a button costs the user nothing if it is not wanted."""

FIRST_QUESTION_SHARE = 0.55
"""The first of several questions is answered before the topic the whole message leans to
only if it scores at least this share of that topic: a message whose later question carries
it ("What is EuroSIG trying to build, and how does it differ from GaToroid? Mainly I need its
aim.", EuroSIG 0.62 against GaToroid 0.33 for the first question alone) is about the later
one. Two questions of a kind ("Can we license a CERN patent? And do you sign NDAs?", 0.59)
still get the first answered. Measured over 7,027 labelled lines: 4 right answers more, none
fewer."""

CLEAR_LEAD_SHARE = 0.7
"""A message scoring between the clarify and answer thresholds is answered when neither its
runner-up nor the declined questions score more than this share of it: a clear lead is
confidence the absolute score does not show. Indirect messages score low for want of shared
words, not for doubt ("I head a radiopharmacy that has only handled Lu-177 so far. We'd like
to try an alpha emitter…": MEDICIS isotopes 0.257, runner-up 0.144). The declined questions
count as a rival: "any good raclette near Geneva?" leads on "Geneva" alone, but a declined
question scores nearly as much. Measured over 1,603 labelled lines: 11 "did you mean" turned
into right answers, 1 into a false answer; on the 360 lines written afterwards, 3 and none.
0.75 made more right answers but as many more false ones."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the matcher found in one message, before any threshold is applied."""

    ranked: tuple[Candidate, ...]
    """The best topics, best first (names already counted)."""
    named: tuple[str, ...] = ()
    """Topics whose name the message contains, strongest first."""
    per_question: tuple[Candidate, ...] = ()
    """When the message asks several questions: the best topic of each, in order."""
    out_of_scope: float = 0.0
    """How close the message is to the questions the knowledge base declines."""
    siblings: frozenset[str] = frozenset()
    """Topics that are not named but whose examples use the names found ("MEDICIS isotopes"
    next to MEDICIS): as likely as the named topic, so no reason to prefer it."""
    courtesy: frozenset[str] = frozenset()
    """Greetings, thanks and goodbyes: two of them close together are not worth asking
    about ("ok thanks bye"); the best is answered."""
    elsewhere: str | None = None
    """Another organisation whose own business the question is about (its declined score
    is then high: see `intents.matching.elsewhere`)."""
    mentioned: tuple[str, ...] = ()
    """Topics named only in the sentences around the question ("We read about GaToroid in
    a newsletter. …, who owns the patent?"): not what is asked, but worth offering."""
    followed: bool = False
    """The message was read with the writer's previous question as its subject
    (`intents.text.segments.following`)."""


def decide(question: str, evidence: Evidence, settings: MatchingSettings) -> MatchResult:
    """Every result carries the best score and the runner-ups."""
    ranked = _named_first(evidence.ranked, evidence.named, settings)
    if not ranked:
        return MatchResult(question, Outcome.FALLBACK, None, 0.0)
    best, runners_up = ranked[0], ranked[1:]
    if (
        best.intent in evidence.named
        and settings.option_threshold <= best.score < settings.clarify_threshold
        and best.score > evidence.out_of_scope
    ):
        # "waht is medcis": a name read through the typos around it is a plausible option,
        # worth a "did you mean…?" rather than "I don't know".
        return MatchResult(question, Outcome.CLARIFY, best.intent, best.score, ())
    if best.score < settings.clarify_threshold or evidence.out_of_scope >= best.score:
        # Nothing offered, but the best guesses are kept for the unanswered-questions review
        # (a topic sharing nothing with the question is no guess).
        guesses = tuple(c for c in ranked[: settings.max_alternatives] if c.score > 0)
        return MatchResult(
            question, Outcome.FALLBACK, None, best.score, guesses, elsewhere=evidence.elsewhere
        )
    first = _first_question(best, evidence, settings)
    if first is not None:
        # "Can we license a CERN patent? Also, who handles NDAs?": the first question is
        # answered, the one that dominated the message's words is offered with it.
        return MatchResult(
            question,
            Outcome.ANSWER,
            first.intent,
            first.score,
            tuple(c for c in ranked if c.intent != first.intent)[: settings.max_alternatives - 1],
            _suggestions(first.intent, (best.intent,), evidence, settings),
        )
    rival = runners_up[0] if runners_up else None
    rival_close = (
        rival is not None
        and best.score - rival.score < settings.clarify_margin * best.score
        and not {best.intent, rival.intent} <= evidence.courtesy
    )
    alternatives = tuple(runners_up[: settings.max_alternatives - 1])
    # "Can we license GaToroid": a named project is answered, and the route offered with it
    # when the words ask about one plausibly ("How does a project like MARCHESE get
    # approved?" also offers the steering committee). So is a close rival sharing its name
    # ("MEDICIS" for the facility and its isotopes): when no aspect of either is asked
    # (`intents.matching.aspects`), both answers fit, and the better one with a button to
    # the other serves the writer better than a question. Measured over 2,683 labelled lines
    # (with the aspects completed in French, German, Italian and Spanish): 20 "did you mean"
    # turned into right answers, 2 into false ones. A rival named by a name of its own
    # ("CMAAC or CMASC, which is which?") is offered with the answer.
    rival_shares_name = rival is not None and rival.intent in evidence.siblings
    named_answer = best.intent in evidence.named
    nearest = max(rival.score if rival is not None else 0.0, evidence.out_of_scope)
    clear_lead = nearest <= CLEAR_LEAD_SHARE * best.score
    confident = best.score >= settings.answer_threshold or clear_lead
    if named_answer or (confident and not rival_close):
        offered = _offers_rival(best, rival, named_answer, rival_close, settings)
        also: tuple[str, ...] = (rival.intent,) if rival is not None and offered else ()
        if named_answer and rival_shares_name:
            # "Can we license the MEDICIS target technology?": the runner-up shares the
            # project's name (its isotopes); the route the words ask about comes next.
            also += tuple(
                c.intent
                for c in runners_up[1:2]
                if c.score >= settings.clarify_threshold and c.intent not in evidence.siblings
            )
        # "What's the difference between NIMMS and SEEIIST?": every project it names is asked
        # about; the one answered first, the others offered with it. A project mentioned on
        # the way to the question is what the writer is looking at: offered after them.
        also += (*evidence.named, *evidence.mentioned)  # `_suggestions` drops repeats
        return MatchResult(
            question,
            Outcome.ANSWER,
            best.intent,
            best.score,
            alternatives,
            _suggestions(best.intent, also, evidence, settings),
        )
    # Ambiguous or only fairly close: offer the best, its close rival, and the runners-up
    # that are plausible on their own; a weak runner-up is no help to the user.
    options = [
        c
        for i, c in enumerate(runners_up[: settings.max_alternatives - 1])
        if (i == 0 and rival_close) or c.score >= settings.option_threshold
    ]
    return MatchResult(question, Outcome.CLARIFY, best.intent, best.score, tuple(options))


def _offers_rival(
    best: Candidate,
    rival: Candidate | None,
    named_answer: bool,
    rival_close: bool,
    settings: MatchingSettings,
) -> bool:
    """Whether the runner-up is offered with the answer: a named project's close or
    plausible route ("Can we license GaToroid"), or any runner-up nearly as likely as the
    answer (`RUNNER_UP_SHARE`). A greeting or thanks is dropped with every other courtesy
    (`_suggestions`)."""
    if rival is None:
        return False
    if named_answer and rival_close:
        return True
    plausible = rival.score >= settings.clarify_threshold
    return plausible and (named_answer or rival.score >= RUNNER_UP_SHARE * best.score)


def _named_first(
    ranked: tuple[Candidate, ...], named: tuple[str, ...], settings: MatchingSettings
) -> tuple[Candidate, ...]:
    """`ranked` with a topic the message names first when it is as close as a rival would
    be ("what are medcis": MEDICIS, not the assistant's "what are you"): a name is stronger
    evidence than the words around it."""
    if not ranked or not named or ranked[0].intent in named:
        return ranked
    best = ranked[0]
    for candidate in ranked[1:]:
        if candidate.intent in named:
            if best.score - candidate.score < settings.clarify_margin * best.score:
                return (candidate, *(c for c in ranked if c is not candidate))
            break
    return ranked


def _suggestions(
    answered: str, also: tuple[str, ...], evidence: Evidence, settings: MatchingSettings
) -> tuple[str, ...]:
    """Other topics to offer with an answer: a close rival the message also names or asks
    about, then what its other questions ask, if they are confidently about something else.
    Never a greeting, thanks or goodbye: "Good evening, I have a question about MEDICIS"
    names the greeting on the way, and a "Hello" button under MEDICIS helps no one."""
    found = list(also)
    for candidate in evidence.per_question:
        if candidate.score >= settings.answer_threshold and candidate.intent != answered:
            found.append(candidate.intent)
    unique = dict.fromkeys(i for i in found if i != answered and i not in evidence.courtesy)
    return tuple(unique)[: settings.max_alternatives - 1]


def _first_question(
    best: Candidate, evidence: Evidence, settings: MatchingSettings
) -> Candidate | None:
    """The first of several questions, when it is confidently about another topic than the
    one the whole message leans to, and that topic is what a later question asks."""
    asked = evidence.per_question
    if len(asked) < 2 or asked[0].intent == best.intent:
        return None
    if asked[0].intent in evidence.courtesy:
        return None  # "Buenos días. …": a greeting is no question to answer first
    if asked[0].score < max(settings.answer_threshold, FIRST_QUESTION_SHARE * best.score):
        return None
    if best.intent not in {c.intent for c in asked[1:]}:
        return None
    return asked[0]
