"""Property-based checks: arbitrary input never crashes, leaks markup or runs away."""

from __future__ import annotations

import asyncio
import html.parser
import shutil
import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.conversation import clean_question, has_words
from bot.rendering import markup_html
from intents.knowledge.errors import KnowledgeError
from intents.knowledge.loader import load_knowledge
from intents.matching.matcher import Matcher
from intents.matching.result import Outcome
from tests import telegram_updates as tg
from tests.bot_harness import running_bot, write_knowledge

# Budgets stay small so the suite is quick in CI; the deadline is a runaway guard
# (a pathological regex or quadratic loop), not a performance target.
FUZZ = settings(
    max_examples=150,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

ALLOWED_TAGS = {"b", "i", "a", "pre", "code"}
HOSTILE = st.one_of(
    st.text(max_size=200),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=3000, max_size=4096),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "<b>bold</b> <a href='javascript:alert(1)'>x</a>",
            "**not bold** _x_ [link](javascript:alert(1))",
            "'; DROP TABLE exchanges; --",
            "\x00\x01\x02\u202e\u200b\ufeff medicis",
            "🧪" * 2000,
            "what is medicis " * 700,  # 11,200 characters: cut to 4,096, and the reply says so
            "MEDICIS" + "\u0301" * 500,
            "&amp; &lt; &#0; &#x110000;",
            " \n\t ",
            "",
        ]
    ),
)


class TelegramHtmlChecker(html.parser.HTMLParser):
    """Fails on tags Telegram would reject, i.e. anything we did not put there."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.bad.append(tag)
        if tag == "a" and not any(k == "href" and (v or "").startswith("http") for k, v in attrs):
            self.bad.append("a without http(s) href")


def assert_safe_html(text: str) -> None:
    checker = TelegramHtmlChecker()
    checker.feed(text)
    assert checker.bad == [], text


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    root = Path(tempfile.mkdtemp())
    try:
        return Matcher.build(load_knowledge(write_knowledge(root / "knowledge")))
    finally:
        shutil.rmtree(root)


@FUZZ
@given(text=HOSTILE)
def test_matcher_answers_any_text_with_a_valid_result(matcher: Matcher, text: str) -> None:
    result = matcher.match(text)
    assert result.outcome in set(Outcome)
    assert 0.0 <= result.score <= 1.0
    assert result.intent is None or result.intent in matcher.kb.topics
    assert all(c.intent in matcher.kb.topics for c in result.alternatives)


@FUZZ
@given(text=HOSTILE)
def test_cleaned_questions_are_bounded_and_free_of_control_characters(text: str) -> None:
    cleaned, _ = clean_question(text)
    assert len(cleaned) <= 4096
    assert not any(ord(c) < 32 for c in cleaned)


# Answer text built from markup pieces, so that bold, italics, links, lists and their broken
# forms are actually reached (plain random text almost never forms a `[x](https://…)`).
MARKUP = st.lists(
    st.sampled_from(
        [
            "**",
            "_",
            "[",
            "](",
            ")",
            "https://kt.cern/x",
            "javascript:alert(1)",
            "- ",
            "1. ",
            "\n",
            "\n\n",
            "  ",
            "<b>",
            "</a>",
            "&",
            "<",
            ">",
            '"',
            "word",
            "MEDICIS",
        ]
    )
    | st.text(max_size=5),
    max_size=40,
).map("".join)


@FUZZ
@given(answer=st.one_of(st.text(min_size=1, max_size=400), MARKUP))
def test_any_answer_text_renders_to_html_telegram_accepts(answer: str) -> None:
    rendered = markup_html(answer)
    assert_safe_html(rendered)
    # A tag the author typed is shown as typed, escaped, never interpreted.
    if "<b>" in answer:
        assert "&lt;b&gt;" in rendered


@FUZZ
@given(content=st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(str.encode)))
def test_loader_reports_problems_for_any_file_content_and_never_crashes(content: bytes) -> None:
    root = Path(tempfile.mkdtemp())
    try:
        base = set(load_knowledge(write_knowledge(root)).topics)
        (root / "topics" / "fuzz.yaml").write_bytes(content)
        try:
            kb = load_knowledge(root)
        except KnowledgeError as exc:
            # The rest of the knowledge base is valid: every problem is the fuzzed file's.
            assert exc.problems
            assert all(
                p.path.name == "fuzz.yaml" and p.line >= 1 and p.message for p in exc.problems
            )
        else:  # empty, a comment, `topics: []`…: loaded, and it added no topic
            assert set(kb.topics) == base
    finally:
        shutil.rmtree(root)


@FUZZ
@given(
    structure=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(string.printable, max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(string.ascii_lowercase, max_size=8), children, max_size=4)
        ),
        max_leaves=30,
    )
)
def test_loader_rejects_arbitrary_structures_with_located_problems(structure: object) -> None:
    import yaml

    root = Path(tempfile.mkdtemp())
    try:
        base = set(load_knowledge(write_knowledge(root)).topics)
        (root / "topics" / "fuzz.yaml").write_text(yaml.safe_dump({"topics": structure}))
        try:
            kb = load_knowledge(root)
        except KnowledgeError as exc:
            # Every problem points into the fuzzed file, at a real line.
            assert exc.problems
            assert all(p.path.name == "fuzz.yaml" and p.line >= 1 for p in exc.problems)
        else:  # `topics: null` or `[]`: nothing to reject, and no topic comes of it
            assert set(kb.topics) == base
    finally:
        shutil.rmtree(root)


MESSAGES = st.lists(HOSTILE, min_size=1, max_size=6)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(texts=MESSAGES)
def test_any_message_gets_one_reply_telegram_accepts_and_every_worded_one_is_recorded(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str]
) -> None:
    asyncio.run(_play(tmp_path_factory.mktemp("bot"), texts))


async def _play(tmp_path: Path, texts: list[str]) -> None:
    # Replies on these paths never echo the user's text; the escaping of text that is
    # echoed (consent prompt, staff chat, admin lists) is pinned by tests/test_escaping.py
    # and tests/test_staff_findings_b.py.
    async with running_bot(tmp_path) as bot:
        for i, text in enumerate(texts):
            await bot.send(tg.message(text, user_id=1000 + i))
        sent = bot.api.sent()
        assert len(sent) == len(texts)  # one reply per message, whatever it was
        for params in sent:
            assert_safe_html(params["text"])
            assert len(params["text"]) <= 4096
        # Text starting with "/" is a command (unknown ones get a hint), not a question.
        worded = [t for t in texts if not t.startswith("/") and has_words(clean_question(t)[0])]
        assert (await bot.storage.stats(None)).total == len(worded)
