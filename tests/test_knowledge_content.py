"""The shipped knowledge base, checked against the content rules of the project.

`ktbot check` enforces what makes the YAML loadable (schema, ids, references, markup). These
tests state what makes it *good*: every intent of the catalog answered, answers of a useful
length with somewhere to go next, nothing invented (addresses come from the shared facts),
and the evaluation questions kept out of the examples so the accuracy figures stay honest.

The shared material (`intent-catalog.md`, `kb-facts*.md`, `eval/*.jsonl`) lives beside the
repository, in `../shared`; the tests that need it are skipped, with a reason, when it is not
there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from intents.knowledge.base import KnowledgeBase
from intents.knowledge.loader import load_knowledge
from intents.knowledge.models import Topic
from intents.text.features import terms
from intents.text.markup import parse_markup, plain_text
from intents.text.normalize import question_key

REPO = Path(__file__).resolve().parents[1]
KNOWLEDGE = REPO / "knowledge"
SHARED = REPO.parent / "shared"
CATALOG = SHARED / "intent-catalog.md"
FACT_FILES = sorted([SHARED / "kb-facts.md", *SHARED.glob("kb-facts-public/*.md")])
EVAL_FILES = sorted(SHARED.glob("eval/*.jsonl"))

MIN_WORDS, MAX_WORDS = 40, 150
SMALL_TALK_MIN_WORDS = 20
"""Greetings, thanks and goodbyes may be shorter: a two-paragraph reply to "thanks" would bury
the one line that matters (what to ask next, how to reach a person). They still have to say
that much, which takes about twenty words."""
SMALL_TALK = "smalltalk."
MIN_QUESTIONS = 6
MIN_RELATED, MAX_RELATED = 2, 4
MAX_CATEGORY_DESCRIPTION = 160
"""Characters: the description is shown under the category's button, so it stays one line."""

_URL = re.compile(r"https?://[^\s<>\"'()\[\]]+")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_CATALOG_ROW = re.compile(r"^\|\s*`?([a-z0-9]+(?:[.\-_][a-z0-9]+)+)`?\s*\|", re.MULTILINE)

needs_shared = pytest.mark.skipif(
    not FACT_FILES[0].is_file(), reason=f"shared facts not found beside the repo ({SHARED})"
)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge(KNOWLEDGE)


def topics(kb: KnowledgeBase) -> Iterator[Topic]:
    return iter(kb.topics.values())


def word_count(answer: str) -> int:
    """Words a reader sees: link labels count, the URLs behind them do not."""
    return len(plain_text(parse_markup(answer)).split())


def canonical_url(url: str) -> str:
    """`http://home.web.cern.ch./x/` and `https://home.web.cern.ch/x` are the same page:
    scheme, the copy artefact of a trailing dot after the host (see kb-facts-public) and a
    trailing slash do not make a different address."""
    url = url.rstrip(".,;:")
    rest = url.partition("://")[2]
    host, slash, path = rest.partition("/")
    return f"{host.rstrip('.').lower()}{slash}{path}".rstrip("/")


def shared_facts_text() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in FACT_FILES if path.is_file())


def shared_urls() -> set[str]:
    return {canonical_url(url) for url in _URL.findall(shared_facts_text())}


def catalog_ids() -> list[str]:
    return _CATALOG_ROW.findall(CATALOG.read_text(encoding="utf-8"))


def copy_keys(text: str) -> set[str]:
    """Forms under which `text` counts as a copy: lower-cased without punctuation, and also
    with plurals and British spellings folded, the way the matcher reads it ("partnership
    agreements" copies "partnership agreement")."""
    return {question_key(text), " ".join(terms(text))} - {""}


def eval_questions() -> dict[str, str]:
    """Normalised evaluation question -> the file and line it comes from."""
    questions: dict[str, str] = {}
    for path in EVAL_FILES:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                for key in copy_keys(json.loads(line)["text"]):
                    questions[key] = f"{path.name}:{number}"
    return questions


# --- coverage ---------------------------------------------------------------------------------


@pytest.mark.skipif(not CATALOG.is_file(), reason=f"intent catalog not found at {CATALOG}")
def test_every_intent_of_the_catalog_has_a_topic_with_that_id(kb: KnowledgeBase) -> None:
    ids = catalog_ids()
    assert len(ids) >= 30, f"could not read the intent ids from {CATALOG}"
    assert sorted(set(ids) - set(kb.topics)) == []


def test_every_category_is_browsable_with_a_short_description(kb: KnowledgeBase) -> None:
    empty = [c.id for c in kb.categories.values() if not kb.topics_in(c.id)]
    long = [c.id for c in kb.categories.values() if len(c.description) > MAX_CATEGORY_DESCRIPTION]
    assert empty == [], "categories without topics show an empty branch"
    assert long == []


# --- each topic -------------------------------------------------------------------------------


def test_answers_are_between_40_and_150_words(kb: KnowledgeBase) -> None:
    wrong = {}
    for topic in topics(kb):
        low = SMALL_TALK_MIN_WORDS if topic.id.startswith(SMALL_TALK) else MIN_WORDS
        count = word_count(topic.answer)
        if not low <= count <= MAX_WORDS:
            wrong[topic.id] = count
    assert wrong == {}, f"answer word counts outside {MIN_WORDS}-{MAX_WORDS}"


def test_every_topic_has_at_least_six_example_questions(kb: KnowledgeBase) -> None:
    short = {t.id: len(t.questions) for t in topics(kb) if len(t.questions) < MIN_QUESTIONS}
    assert short == {}


def test_every_topic_points_to_two_to_four_related_topics(kb: KnowledgeBase) -> None:
    wrong = {
        t.id: len(t.related) for t in topics(kb) if not MIN_RELATED <= len(t.related) <= MAX_RELATED
    }
    assert wrong == {}


def test_every_topic_has_a_review_date_that_is_not_in_the_future(kb: KnowledgeBase) -> None:
    missing = [t.id for t in topics(kb) if t.reviewed is None]
    future = [t.id for t in topics(kb) if t.reviewed is not None and t.reviewed > date.today()]
    assert missing == []
    assert future == []


def test_every_topic_gives_a_link_or_a_contact(kb: KnowledgeBase) -> None:
    assert [t.id for t in topics(kb) if not t.links and not t.contacts] == []


# --- nothing invented -------------------------------------------------------------------------


def test_answers_only_show_addresses_from_the_links_contacts_or_shared_facts(
    kb: KnowledgeBase,
) -> None:
    contact_urls = {canonical_url(c.url) for c in kb.contacts.values() if c.url}
    contact_emails = {c.email.lower() for c in kb.contacts.values() if c.email}
    facts = shared_facts_text()
    fact_urls = shared_urls()
    fact_emails = {email.lower() for email in _EMAIL.findall(facts)}
    unknown = []
    for topic in topics(kb):
        allowed = contact_urls | fact_urls | {canonical_url(link.url) for link in topic.links}
        for url in _URL.findall(topic.answer):
            if canonical_url(url) not in allowed:
                unknown.append((topic.id, url))
        for email in _EMAIL.findall(topic.answer):
            if email.lower() not in contact_emails | fact_emails:
                unknown.append((topic.id, email))
    assert unknown == []


@needs_shared
def test_links_and_contacts_use_only_addresses_found_in_the_shared_facts(
    kb: KnowledgeBase,
) -> None:
    known = shared_urls()
    unknown = [
        (topic.id, link.url)
        for topic in topics(kb)
        for link in topic.links
        if canonical_url(link.url) not in known
    ]
    unknown += [
        (c.id, c.url) for c in kb.contacts.values() if c.url and canonical_url(c.url) not in known
    ]
    assert unknown == []


@needs_shared
def test_no_contact_has_an_email_address_because_none_is_verified(kb: KnowledgeBase) -> None:
    assert [c.id for c in kb.contacts.values() if c.email] == []


# --- honest evaluation ------------------------------------------------------------------------


@pytest.mark.skipif(not EVAL_FILES, reason=f"no evaluation sets in {SHARED / 'eval'}")
def test_no_evaluation_question_is_copied_into_the_knowledge_base(kb: KnowledgeBase) -> None:
    """Titles count too: the matcher indexes them as examples (`matcher.topic_texts`),
    and so do the declined questions (`out_of_scope:`), the other side of the same index."""
    held_out = eval_questions()
    indexed = [
        *(
            (topic.id, text)
            for topic in topics(kb)
            for text in (topic.title, *topic.questions, *topic.aliases, *topic.keywords)
        ),
        *(("out_of_scope", text) for text in kb.out_of_scope),
    ]
    copied = [
        (owner, text, held_out[key])
        for owner, text in indexed
        for key in sorted(copy_keys(text))
        if key in held_out
    ]
    assert copied == []


# --- what particular answers must say ---------------------------------------------------------


def test_the_medical_advice_answer_says_plainly_that_cern_does_not_treat_patients(
    kb: KnowledgeBase,
) -> None:
    answer = plain_text(parse_markup(kb.topic("about.no-medical-advice").answer)).lower()
    assert "does not treat patients" in answer
    assert "medical advice" in answer
    assert "doctor" in answer  # where to go instead
    assert "sorry" in answer  # said kindly, to someone who may be frightened


@pytest.mark.parametrize(
    "topic_id",
    ["smalltalk.greeting", "smalltalk.thanks", "smalltalk.goodbye", "about.bot"],
)
def test_small_talk_and_help_say_what_the_bot_covers_and_how_to_reach_a_person(
    kb: KnowledgeBase, topic_id: str
) -> None:
    answer = kb.topic(topic_id).answer.lower()
    assert "/contact" in answer
    assert "/topics" in answer or "medical" in answer
