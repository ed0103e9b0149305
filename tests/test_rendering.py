"""Rendering: the same reply as Telegram HTML (everything not ours escaped) or terminal text."""

from __future__ import annotations

import dataclasses
import html.parser
from pathlib import Path

import pytest
import yaml

from bot.conversation import (
    MAX_QUESTION_CHARS,
    Conversation,
    Reply,
    ReplyKind,
    clean_question,
    default_contacts,
    has_words,
)
from bot.live_knowledge import LiveKnowledge
from bot.rendering import (
    CLARIFY,
    EMPTY,
    FALLBACK,
    FALLBACK_NOT_ON_RECORD,
    markup_html,
    markup_text,
    reply_html,
    reply_text,
)
from intents.knowledge.base import KnowledgeBase
from intents.knowledge.loader import load_knowledge
from intents.knowledge.models import KnowledgeFile
from intents.matching.result import Candidate, MatchResult, Outcome
from tests.conftest import dedent

TRUNCATED = "(Your message was very long; I read only its first 4,096 characters.)"

HOSTILE_QUESTION = "<script>alert('x')</script> & \"quoted\" <b>bold</b>"

HOSTILE_TOPIC = """
    topics:
      - id: x.hostile
        title: <script>alert(1)</script> R&D "quotes"
        category: about
        questions: [hostile one, hostile two, hostile three]
        answer: |
          Use <b>tags</b> & "quotes" **<i>here</i>**.

          - <script>alert(2)</script>
        links:
          - title: Q&A <here>
            url: https://kt.cern/?a=1&b='2'
        contacts: [odd-team]
    contacts:
      - id: odd-team
        name: R&D <team>
        url: https://kt.cern/?team=1&x=y'
"""


class TagCollector(html.parser.HTMLParser):
    """The tags and link targets a Telegram client would see."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs += [value or "" for name, value in attrs if name == "href"]


def tags_of(text: str) -> TagCollector:
    collector = TagCollector()
    collector.feed(text)
    collector.close()
    return collector


@pytest.fixture
def kb(tiny_kb: Path) -> KnowledgeBase:
    return load_knowledge(tiny_kb)


@pytest.fixture
def conversation(tiny_kb: Path) -> Conversation:
    return Conversation(LiveKnowledge.load(tiny_kb), None, channel="test")


@pytest.fixture
def hostile_kb(tiny_kb: Path) -> KnowledgeBase:
    # `ktbot check` refuses raw HTML in answers; rendering must escape it all the same (a
    # title, a link, a contact name), so the hostile entries are added past the loader.
    hostile = KnowledgeFile.model_validate(yaml.safe_load(dedent(HOSTILE_TOPIC)))
    kb = load_knowledge(tiny_kb)
    return dataclasses.replace(
        kb,
        topics={**kb.topics, **{t.id: t for t in hostile.topics}},
        contacts={**kb.contacts, **{c.id: c for c in hostile.contacts}},
    )


def result(outcome: Outcome, intent: str | None = None, question: str = "q") -> MatchResult:
    return MatchResult(question=question, outcome=outcome, intent=intent, score=0.5)


def answer_reply(kb: KnowledgeBase, topic_id: str, **extra: object) -> Reply:
    return Reply(
        ReplyKind.ANSWER,
        kb,
        result(Outcome.ANSWER, topic_id),
        kb.topic(topic_id),
        **extra,  # type: ignore[arg-type]
    )


# --- markup as HTML -----------------------------------------------------------------------


def test_bold_italic_and_links_become_telegram_tags() -> None:
    assert markup_html("**Bold**, _italic_ and [KT](https://kt.cern/).") == (
        '<b>Bold</b>, <i>italic</i> and <a href="https://kt.cern/">KT</a>.'
    )


def test_paragraphs_are_separated_by_a_blank_line_and_bullets_by_a_newline() -> None:
    assert markup_html("Intro\nline.\n\n- one\n- two\n\nEnd.") == (
        "Intro line.\n\n• one\n• two\n\nEnd."
    )


@pytest.mark.parametrize("text", ["**[KT](https://kt.cern/)**", "[**KT**](https://kt.cern/)"])
def test_a_bold_link_is_a_link_inside_bold(text: str) -> None:
    assert markup_html(text) == '<b><a href="https://kt.cern/">KT</a></b>'


def test_nested_bold_and_italic_become_nested_tags() -> None:
    assert markup_html("**very _fast_ beams** and [_docs_](https://kt.cern/)") == (
        '<b>very </b><b><i>fast</i></b><b> beams</b> and <i><a href="https://kt.cern/">docs</a></i>'
    )


def test_a_bold_link_with_a_non_web_url_is_bold_text_only() -> None:
    assert markup_html("**[click](javascript:alert(1))**") == "<b>click</b>"


def test_numbered_items_are_one_per_line_with_their_numbers() -> None:
    assert markup_html("Steps:\n1. ask\n2. **sign**\n\nDone.") == (
        "Steps:\n\n1. ask\n2. <b>sign</b>\n\nDone."
    )


def test_a_bullet_list_and_a_numbered_list_are_separate_lists() -> None:
    assert markup_html("- one\n1. first") == "• one\n\n1. first"


def test_a_wrapped_bullet_is_rendered_as_one_item() -> None:
    assert markup_html("- a bullet the author\n  wrapped\n- next") == (
        "• a bullet the author wrapped\n• next"
    )


def test_html_in_answer_text_is_escaped() -> None:
    rendered = markup_html('<script>alert(1)</script> R&D "ok" **<i>x</i>**')

    assert rendered == (
        '&lt;script&gt;alert(1)&lt;/script&gt; R&amp;D "ok" <b>&lt;i&gt;x&lt;/i&gt;</b>'
    )
    assert tags_of(rendered).tags == ["b"]


def test_link_urls_and_labels_are_escaped() -> None:
    rendered = markup_html('[Q&A <1>](https://kt.cern/?a=1&b="2")')

    assert rendered == '<a href="https://kt.cern/?a=1&amp;b=&quot;2&quot;">Q&amp;A &lt;1&gt;</a>'
    assert tags_of(rendered).hrefs == ['https://kt.cern/?a=1&b="2"']


@pytest.mark.parametrize(
    "text", ["[click](javascript:alert(1))", "[x](data:text/html,hi)", "[y](ftp://kt.cern/f)"]
)
def test_link_with_a_non_web_url_is_never_rendered_as_a_link(text: str) -> None:
    # The loader rejects such answers; rendering must be safe on its own all the same.
    rendered = markup_html(text)

    assert all(href.startswith(("https://", "http://")) for href in tags_of(rendered).hrefs)


# --- markup as terminal text --------------------------------------------------------------


def test_terminal_text_spells_out_link_urls() -> None:
    assert markup_text("See [the KT site](https://kt.cern/) now.") == (
        "See the KT site (https://kt.cern/) now."
    )


def test_terminal_text_spells_out_the_url_of_a_bold_link_once() -> None:
    assert markup_text("See **[KT](https://kt.cern/)**.") == "See KT (https://kt.cern/)."


def test_terminal_text_lists_numbered_items_one_per_line() -> None:
    assert markup_text("Steps:\n1. ask\n2. [sign](https://kt.cern/)") == (
        "Steps:\n\n1. ask\n2. sign (https://kt.cern/)"
    )


def test_terminal_text_drops_markup_and_keeps_characters_as_typed() -> None:
    assert markup_text("**Bold** & _italic_ <tag>\n\n- item") == "Bold & italic <tag>\n\n• item"


# --- replies as HTML ----------------------------------------------------------------------


def test_answer_shows_title_answer_links_and_contact(kb: KnowledgeBase) -> None:
    rendered = reply_html(answer_reply(kb, "project.flash"))

    assert rendered.startswith("<b>FLASH radiotherapy</b>\n\n<b>FLASH</b> delivers")
    assert "• spares healthy tissue\n• uses compact electron accelerators" in rendered
    assert '🔗 <a href="https://kt.cern/flash">FLASH at CERN</a>' in rendered
    # FLASH names no contact, so the general one is offered.
    assert '👤 Contact: <a href="https://kt.cern/contact">CERN Knowledge Transfer group</a>' in (
        rendered
    )


def test_contact_reachable_by_email_only_is_shown_with_its_address(kb: KnowledgeBase) -> None:
    rendered = reply_html(answer_reply(kb, "project.medicis"))

    assert "👤 Contact: CERN-MEDICIS facility (medicis.contact@cern.ch)" in rendered


def test_titles_answers_links_and_contacts_are_escaped(hostile_kb: KnowledgeBase) -> None:
    rendered = reply_html(answer_reply(hostile_kb, "x.hostile"))

    assert "<script>" not in rendered
    assert '<b>&lt;script&gt;alert(1)&lt;/script&gt; R&amp;D "quotes"</b>' in rendered
    assert "&lt;b&gt;tags&lt;/b&gt; &amp;" in rendered
    assert "• &lt;script&gt;alert(2)&lt;/script&gt;" in rendered
    assert "Q&amp;A &lt;here&gt;</a>" in rendered
    assert ">R&amp;D &lt;team&gt;</a>" in rendered
    collected = tags_of(rendered)
    assert set(collected.tags) <= {"b", "i", "a"}
    assert "https://kt.cern/?a=1&b='2'" in collected.hrefs
    assert "https://kt.cern/?team=1&x=y'" in collected.hrefs
    assert "&#x27;2&#x27;" in rendered


@pytest.mark.parametrize(
    "kind", [ReplyKind.ANSWER, ReplyKind.CLARIFY, ReplyKind.FALLBACK, ReplyKind.EMPTY]
)
def test_reply_html_never_contains_the_users_text_unescaped(
    kb: KnowledgeBase, kind: ReplyKind
) -> None:
    outcome = Outcome.FALLBACK if kind is ReplyKind.EMPTY else Outcome(str(kind))
    intent = None if kind in {ReplyKind.FALLBACK, ReplyKind.EMPTY} else "project.flash"
    reply = Reply(
        kind,
        kb,
        result(outcome, intent, question=HOSTILE_QUESTION),
        kb.topic("project.flash") if kind is ReplyKind.ANSWER else None,
        options=(kb.topic("project.flash"), kb.topic("project.medicis")),
        truncated=True,
    )

    rendered = reply_html(reply)

    assert HOSTILE_QUESTION not in rendered
    assert "<script>" not in rendered
    assert set(tags_of(rendered).tags) <= {"b", "i", "a"}


def test_clarify_asks_which_topic_was_meant(kb: KnowledgeBase) -> None:
    options = (kb.topic("project.flash"), kb.topic("project.medicis"))
    reply = Reply(ReplyKind.CLARIFY, kb, result(Outcome.CLARIFY, "project.flash"), options=options)

    assert reply_html(reply) == html_escape(CLARIFY)


def test_fallback_apologises_and_points_to_a_person(kb: KnowledgeBase) -> None:
    rendered = reply_html(Reply(ReplyKind.FALLBACK, kb, result(Outcome.FALLBACK)))

    assert rendered.startswith(html_escape(FALLBACK))
    assert '<a href="https://kt.cern/contact">CERN Knowledge Transfer group</a>' in rendered
    assert "/topics" in rendered


def test_a_fallback_on_another_organisations_business_says_whose_question_it_is(
    kb: KnowledgeBase,
) -> None:
    declined = dataclasses.replace(result(Outcome.FALLBACK), elsewhere="GSI & Co")
    reply = Reply(ReplyKind.FALLBACK, kb, declined)

    for rendered in (reply_html(reply), reply_text(reply)):
        first, second = rendered.splitlines()[:2]
        assert "question for GSI" in first and "CERN" in first
        assert second.startswith(html_escape(FALLBACK)[:40])
    assert "GSI &amp; Co" in reply_html(reply)


def test_empty_question_asks_for_words(kb: KnowledgeBase) -> None:
    assert reply_html(Reply(ReplyKind.EMPTY, kb)) == html_escape(EMPTY)


def test_truncated_question_is_mentioned_first(kb: KnowledgeBase) -> None:
    rendered = reply_html(answer_reply(kb, "route.contact", truncated=True))

    assert rendered.startswith(f"<i>{html_escape(TRUNCATED)}</i>\n\n<b>Contacting the KT team")


def html_escape(text: str) -> str:
    import html

    return html.escape(text, quote=False)


# --- replies as terminal text -------------------------------------------------------------


def test_terminal_answer_spells_out_links_contacts_and_related_topics(kb: KnowledgeBase) -> None:
    rendered = reply_text(answer_reply(kb, "project.medicis"))

    assert rendered.splitlines() == [
        "CERN-MEDICIS",
        "",
        "CERN-MEDICIS produces non-conventional radioisotopes for research.",
        "Contact: CERN-MEDICIS facility — medicis.contact@cern.ch",
        "Related: FLASH radiotherapy",
    ]


def test_terminal_answer_lists_links_with_their_urls(kb: KnowledgeBase) -> None:
    rendered = reply_text(answer_reply(kb, "project.flash"))

    assert "Link: FLASH at CERN — https://kt.cern/flash" in rendered.splitlines()
    assert "Contact: CERN Knowledge Transfer group — https://kt.cern/contact" in rendered


def test_terminal_answer_spells_out_urls_in_the_answer_markup(kb: KnowledgeBase) -> None:
    rendered = reply_text(answer_reply(kb, "about.kt-group"))

    assert "See the KT website (https://kt.cern/) for everything we do." in rendered


def test_terminal_text_is_not_html_escaped(hostile_kb: KnowledgeBase) -> None:
    rendered = reply_text(answer_reply(hostile_kb, "x.hostile"))

    assert rendered.startswith('<SCRIPT>ALERT(1)</SCRIPT> R&D "QUOTES"')
    assert "&amp;" not in rendered
    assert "&lt;" not in rendered


def test_terminal_clarify_numbers_the_options(kb: KnowledgeBase) -> None:
    options = (kb.topic("project.flash"), kb.topic("project.medicis"))
    reply = Reply(ReplyKind.CLARIFY, kb, result(Outcome.CLARIFY, "project.flash"), options=options)

    assert reply_text(reply).splitlines() == [
        CLARIFY,
        "  1. FLASH radiotherapy",
        "  2. CERN-MEDICIS",
    ]


def test_terminal_fallback_names_a_person_to_reach(kb: KnowledgeBase) -> None:
    rendered = reply_text(Reply(ReplyKind.FALLBACK, kb, result(Outcome.FALLBACK)))

    assert rendered.startswith(FALLBACK)
    assert "To reach a person: CERN Knowledge Transfer group — https://kt.cern/contact" in rendered


def test_terminal_fallback_on_a_question_no_longer_recorded_does_not_claim_it_was_noted(
    kb: KnowledgeBase,
) -> None:
    # "None of these" under a question deleted by /forget or the retention purge.
    gone = Reply(ReplyKind.FALLBACK, kb, result(Outcome.FALLBACK), on_record=False)

    rendered = reply_text(gone)

    assert rendered.startswith(FALLBACK_NOT_ON_RECORD)
    assert "noted" not in rendered


def test_terminal_truncated_question_is_mentioned_first(kb: KnowledgeBase) -> None:
    assert reply_text(Reply(ReplyKind.EMPTY, kb, truncated=True)) == f"{TRUNCATED}\n\n{EMPTY}"


# --- deciding what to say (bot.conversation) ----------------------------------------------


def test_default_contact_is_the_one_of_the_contact_route(kb: KnowledgeBase) -> None:
    assert [c.id for c in default_contacts(kb)] == ["kt-office"]


def test_clean_question_removes_control_characters_and_extra_space() -> None:
    assert clean_question("  What\x00 is\u200b\tMEDICIS?\r\n ") == ("What is MEDICIS?", False)


def test_clean_question_cuts_long_text_and_says_so() -> None:
    cleaned, truncated = clean_question("word " * 2000)

    assert truncated
    assert len(cleaned) == MAX_QUESTION_CHARS


@pytest.mark.parametrize(
    ("text", "expected"),
    [("MEDICIS", True), ("42", True), ("é", True), ("?!", False), ("🧪🧪", False), ("", False)],
)
def test_has_words_needs_a_letter_or_digit(text: str, expected: bool) -> None:
    assert has_words(text) is expected


def test_clarify_with_a_single_known_option_still_asks_about_it(
    kb: KnowledgeBase, conversation: Conversation
) -> None:
    # Its score is below the answer threshold: answering outright could be a wrong answer.
    clarify = MatchResult(
        "q", Outcome.CLARIFY, "project.flash", 0.4, (Candidate("gone.topic", 0.39),)
    )

    reply = conversation.reply_for(clarify, kb)

    assert reply.kind is ReplyKind.CLARIFY
    assert reply.options == (kb.topic("project.flash"),)
    assert "Did you mean this?" in reply_text(reply)


def test_clarify_offers_at_most_max_alternatives_known_topics(
    kb: KnowledgeBase, conversation: Conversation
) -> None:
    clarify = MatchResult(
        "q",
        Outcome.CLARIFY,
        "project.flash",
        0.4,
        tuple(Candidate(t, 0.39) for t in ("project.medicis", "route.contact", "about.kt-group")),
    )

    reply = conversation.reply_for(clarify, kb)

    assert reply.kind is ReplyKind.CLARIFY
    assert [t.id for t in reply.options] == ["project.flash", "project.medicis", "route.contact"]


def test_answer_for_an_unknown_topic_falls_back(
    kb: KnowledgeBase, conversation: Conversation
) -> None:

    reply = conversation.reply_for(MatchResult("q", Outcome.ANSWER, "gone.topic", 0.9), kb)

    assert reply.kind is ReplyKind.FALLBACK


async def test_a_question_without_words_gets_the_empty_reply(conversation: Conversation) -> None:
    reply = await conversation.ask(" 🧪 ?! \x00 ")

    assert reply.kind is ReplyKind.EMPTY
    assert reply_text(reply) == EMPTY


async def test_an_example_question_is_answered_with_its_topic(conversation: Conversation) -> None:
    reply = await conversation.ask("What is MEDICIS?")

    assert reply.kind is ReplyKind.ANSWER
    assert reply.topic is not None and reply.topic.id == "project.medicis"


def test_a_topic_can_be_shown_by_id(conversation: Conversation) -> None:
    reply = conversation.topic_reply("project.flash")

    assert reply is not None and reply.kind is ReplyKind.ANSWER
    assert conversation.topic_reply("project.nope") is None
