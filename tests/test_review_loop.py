"""The unanswered-question review loop, end to end, on a real SQLite file and real YAML.

A question misses → KT staff see it (`ktbot unanswered list`, grouped with a similar miss)
→ `promote` adds it to a topic's YAML (comments kept, `ktbot check` clean) → after a reload
the same question is answered by that topic and its review row is resolved. Then the
Telegram side of the review (admin-only `/unanswered`, `/stats`, the weekly digest, the
daily retention purge) and the "None of these" button, which puts a 'did you mean…' the
user rejected up for review.

The CLI is called through `bot.cli.main`, configured by environment like a shell session.
Inside a running bot it runs in a worker thread (it has its own event loop), reading and
writing the database the bot has open: exactly what staff do on the server.
"""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram.ext import CallbackContext

from bot.cli import main
from bot.storage import NewExchange, ReviewState, Storage, StorageError
from bot.telegram import admin
from bot.telegram import callback_data as cd
from bot.telegram.app import _purge_old
from intents.matching.result import Candidate, MatchResult, Outcome
from tests import telegram_updates as tg
from tests.bot_harness import ADMIN_ID, BotHarness, callbacks, running_bot, texts_to
from tests.bot_harness import bot as bot  # the fixture
from tests.storage_fixtures import fallback

FALLBACK_TEXT = "don’t have a reliable answer"

# Misses against the harness knowledge base (tests/bot_harness.py), nearest project.medicis.
HOSPITAL_ORDER = "How do hospitals order isotope shipments through customs?"
HOSPITAL_ORDER_AGAIN = (
    "can my hospital get isotope shipments through customs"  # same question, other words
)
WEATHER = "what is the weather in Geneva tomorrow"


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ktbot …` configured like the bot of `running_bot(tmp_path)`."""
    monkeypatch.setenv("KTBOT_DB", str(tmp_path / "data" / "ktbot.sqlite3"))
    monkeypatch.setenv("KTBOT_KNOWLEDGE_DIR", str(tmp_path / "knowledge"))
    monkeypatch.setenv("KTBOT_SECRET", "test-secret")
    monkeypatch.setenv("COLUMNS", "200")  # rich wraps tables to the terminal width
    for name in ("TELEGRAM_BOT_TOKEN", "KTBOT_ADMIN_IDS", "KTBOT_LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)


async def ktbot(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run `ktbot ARGV` beside the running bot; return exit code, stdout, stderr."""
    capsys.readouterr()
    code = await asyncio.to_thread(main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


async def ktbot_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    code, out, err = await ktbot(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


async def ask(bot: BotHarness, text: str, user_id: int = 42) -> str:
    await bot.send(tg.message(text, user_id=user_id))
    return texts_to(bot, user_id)[-1]


# --- the whole loop -----------------------------------------------------------------------


async def test_a_miss_is_reviewed_promoted_and_then_answered(
    bot: BotHarness, cli_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    projects = bot.settings.knowledge_dir / "topics" / "projects.yaml"
    # Staff comments, one of them right where the promoted question will go.
    commented = (
        projects.read_text(encoding="utf-8")
        .replace("topics:\n", "# Medical projects; keep examples short.\ntopics:\n", 1)
        .replace(
            "      - What is MEDICIS?\n", "      - What is MEDICIS?  # the facility itself\n", 1
        )
        .replace(
            "      - medicis isotope production\n",
            "      # production and delivery\n      - medicis isotope production\n",
            1,
        )
    )
    projects.write_text(commented, encoding="utf-8")
    await bot.send(tg.message("/reload", user_id=ADMIN_ID))

    # 1. Three people ask what the bot cannot answer; two ask the same thing.
    assert FALLBACK_TEXT in await ask(bot, HOSPITAL_ORDER, user_id=42)
    assert FALLBACK_TEXT in await ask(bot, HOSPITAL_ORDER_AGAIN, user_id=43)
    assert FALLBACK_TEXT in await ask(bot, WEATHER, user_id=44)

    # 2. Staff list them, with the topics each came closest to.
    listed = await ktbot_json(capsys, "unanswered", "list", "--state", "open", "--since", "7d")
    assert isinstance(listed, list)
    by_question = {item["question"]: item for item in listed}
    assert set(by_question) == {HOSPITAL_ORDER, HOSPITAL_ORDER_AGAIN, WEATHER}
    order = by_question[HOSPITAL_ORDER]
    assert order["state"] == "open" and order["nearest"][0]["intent"] == "project.medicis"
    assert order["channel"] == "telegram" and "user_key" not in order
    code, table, _ = await ktbot(capsys, "unanswered", "list")
    assert code == 0
    assert HOSPITAL_ORDER in table and f"project.medicis {order['score']:.2f}" in table

    # 3. … and see the two phrasings as one group, largest first.
    groups = await ktbot_json(capsys, "unanswered", "groups")
    assert isinstance(groups, list)
    assert (groups[0]["count"], groups[0]["askers"]) == (2, 2)
    assert set(groups[0]["questions"]) == {HOSPITAL_ORDER, HOSPITAL_ORDER_AGAIN}
    assert groups[0]["nearest_topic"] == "project.medicis"
    code, table, _ = await ktbot(capsys, "unanswered", "groups")
    assert code == 0 and "2 people asked about “" in table
    again = by_question[HOSPITAL_ORDER_AGAIN]["id"]
    weather = by_question[WEATHER]["id"]

    # 4. The weather is out of scope; the isotope question is promoted into MEDICIS.
    code, out, err = await ktbot(
        capsys, "unanswered", "ignore", str(weather), "--reason", "out of scope"
    )
    assert code == 0, err
    code, out, err = await ktbot(
        capsys,
        "unanswered",
        "promote",
        str(order["id"]),
        "--topic",
        "project.medicis",
        "--similar",
    )
    assert code == 0, err
    assert f"added {HOSPITAL_ORDER!r} to topic project.medicis" in out
    assert f"#{order['id']} resolved by project.medicis" in out
    assert f"also resolved 1 similar question(s) by project.medicis: #{again}" in out

    # The YAML gained exactly one line, after the last example; every comment is kept.
    promoted = projects.read_text(encoding="utf-8")
    added = "      - How do hospitals order isotope shipments through customs?\n"
    assert promoted.replace(added, "", 1) == commented
    assert "      - medicis isotope production\n" + added in promoted
    code, out, err = await ktbot(capsys, "check")
    assert (code, err) == (0, "") and out.splitlines()[-1].startswith("ok: 6 topics")

    # 5. After a reload the same question gets the MEDICIS answer.
    await bot.send(tg.message("/reload", user_id=ADMIN_ID))
    report = texts_to(bot, ADMIN_ID)[-1]
    assert "Knowledge base" in report and "NOT" not in report
    answer = await ask(bot, HOSPITAL_ORDER, user_id=45)
    assert "<b>CERN-MEDICIS</b>" in answer
    assert any(d.startswith(cd.FEEDBACK + "|") for d in callbacks(bot))
    exchange_id = int(next(d for d in callbacks(bot) if d.startswith(cd.FEEDBACK)).split("|")[1])
    exchange = await bot.storage.exchange(exchange_id)
    assert exchange is not None
    assert (exchange.outcome, exchange.intent) == (Outcome.ANSWER, "project.medicis")
    assert exchange.kb_version == bot.services.knowledge.kb.version != order["kb_version"]

    # 6. The review is closed: resolved by the topic, the weather still ignored.
    everything = await ktbot_json(capsys, "unanswered", "list", "--state", "all")
    assert isinstance(everything, list)
    states = {
        item["question"]: (item["state"], item["topic"] or item["reason"]) for item in everything
    }
    assert states == {
        HOSPITAL_ORDER: ("resolved", "project.medicis"),
        HOSPITAL_ORDER_AGAIN: ("resolved", "project.medicis"),
        WEATHER: ("ignored", "out of scope"),
    }
    assert await bot.storage.unanswered(state=ReviewState.OPEN) == []
    stats = await ktbot_json(capsys, "stats", "--since", "7d")
    assert isinstance(stats, dict)
    assert (stats["total"], stats["answered"], stats["fallback"]) == (4, 1, 3)
    assert stats["open_unanswered"] == 0
    assert stats["top_topics"] == [{"topic": "project.medicis", "count": 1}]


def test_the_loop_in_the_terminal_chat_as_a_shell_session_would_run_it(
    tiny_kb: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    knowledge = tmp_path / "copy" / "knowledge"
    shutil.copytree(tiny_kb, knowledge)
    medical = knowledge / "topics" / "projects" / "medical.yaml"
    original = medical.read_text(encoding="utf-8").replace(
        "      - radioisotopes for medical research\n",
        "      - radioisotopes for medical research  # hospitals ask this\n",
    )
    medical.write_text(original, encoding="utf-8")
    db = tmp_path / "db" / "ktbot.sqlite3"
    monkeypatch.setenv("KTBOT_DB", str(db))
    monkeypatch.setenv("KTBOT_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("KTBOT_SECRET", "demo")
    monkeypatch.setenv("COLUMNS", "200")

    def ktbot(*argv: str, stdin: str = "") -> tuple[int, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        code = main(list(argv))
        return code, capsys.readouterr().out

    # printf '…\n…\n' | ktbot chat
    code, out = ktbot(
        "chat",
        stdin="can my hospital get isotope shipments through customs\n"
        "how do hospitals get isotope shipments through customs\n",
    )
    assert code == 0 and out.count(FALLBACK_TEXT) == 2
    code, out = ktbot("unanswered", "list", "--json")
    first, second = sorted(json.loads(out), key=lambda item: item["id"])
    assert first["channel"] == "cli" and first["nearest"][0]["intent"] == "project.medicis"

    # A third copy is set aside; promoting a similar question never reopens or resolves it.
    ktbot("chat", stdin="Can my hospital get isotope shipments through customs?!\n")
    code, out = ktbot("unanswered", "list", "--json")
    [duplicate] = [i for i in json.loads(out) if i["id"] not in (first["id"], second["id"])]
    assert ktbot("unanswered", "ignore", str(duplicate["id"]), "--reason", "duplicate")[0] == 0

    code, out = ktbot(
        "unanswered", "promote", str(first["id"]), "--topic", "project.medicis", "--similar"
    )
    assert code == 0
    assert f"also resolved 1 similar question(s) by project.medicis: #{second['id']}" in out
    edited = medical.read_text(encoding="utf-8")
    assert (
        "# hospitals ask this" in edited
        and "      - can my hospital get isotope shipments through customs\n" in edited
    )
    assert ktbot("check")[0] == 0

    # Asking again (a new `ktbot chat` loads the edited files) gets the MEDICIS answer.
    code, out = ktbot("chat", stdin="can my hospital order isotopes\n")
    assert "CERN-MEDICIS" in out and FALLBACK_TEXT not in out
    code, out = ktbot("unanswered", "list", "--state", "all", "--json")
    states = {item["id"]: item["state"] for item in json.loads(out)}
    assert states == {first["id"]: "resolved", second["id"]: "resolved", duplicate["id"]: "ignored"}


# --- what staff decided stays decided -----------------------------------------------------


def exchange(
    question: str, result: MatchResult | None = None, *, at: datetime | None = None
) -> NewExchange:
    return NewExchange("telegram", "user-a", question, result or fallback(), "kb-1", at=at)


async def test_a_repeat_of_an_ignored_question_is_recorded_ignored_with_the_same_reason(
    tmp_path: Path,
) -> None:
    async with await Storage.open(tmp_path / "ktbot.sqlite3") as storage:
        spam = await storage.record_exchange(exchange("Buy cheap watches!"))
        assert spam is not None
        await storage.ignore(spam, "spam")

        repeat = await storage.record_exchange(exchange("buy CHEAP wátches"))
        other = await storage.record_exchange(exchange("buy cheap isotopes"))

        # Each ask is its own exchange and its own review row …
        assert repeat is not None and repeat != spam
        item = await storage.unanswered_question(repeat)
        assert item is not None
        # … but staff do not see the same spam again.
        assert (item.state, item.reason, item.topic) == (ReviewState.IGNORED, "spam", None)
        assert [q.id for q in await storage.unanswered()] == [other]
        with pytest.raises(StorageError, match="stays ignored"):
            await storage.resolve(repeat, "project.medicis")
        assert (await storage.stats()).fallback == 3  # still counted


async def test_resolving_a_group_leaves_ignored_and_resolved_questions_alone(
    tmp_path: Path,
) -> None:
    async with await Storage.open(tmp_path / "ktbot.sqlite3") as storage:
        ids = [await storage.record_exchange(exchange(f"isotope prices {n}")) for n in range(4)]
        open_one, ignored, resolved, other_open = (i or 0 for i in ids)
        await storage.ignore(ignored, "duplicate")
        await storage.resolve(resolved, "route.licensing")

        done = await storage.resolve_open(ids, "project.medicis")  # type: ignore[arg-type]

        assert done == sorted([open_one, other_open])
        states = {q.id: (q.state, q.topic) for q in await storage.unanswered(state=None)}
        assert states[ignored] == (ReviewState.IGNORED, None)
        assert states[resolved] == (ReviewState.RESOLVED, "route.licensing")
        assert states[open_one] == (ReviewState.RESOLVED, "project.medicis")
        assert await storage.resolve_open([], "project.medicis") == []


# --- "None of these" ----------------------------------------------------------------------


async def test_none_of_these_records_the_question_as_unanswered_once(bot: BotHarness) -> None:
    await bot.send(tg.message("superconducting gantry"))
    none_of_these = next(d for d in callbacks(bot) if d.startswith(cd.NONE_OF_THESE + "|"))
    exchange_id = int(none_of_these.split("|")[1])
    assert await bot.storage.unanswered() == []  # a clarification is not a miss by itself

    await bot.send(tg.press(none_of_these))
    await bot.send(tg.press(none_of_these))  # a double tap

    assert FALLBACK_TEXT in bot.api.last_text()
    [item] = await bot.storage.unanswered()
    assert (item.id, item.question, item.state) == (
        exchange_id,
        "superconducting gantry",
        ReviewState.OPEN,
    )
    # The topics that were offered are the nearest ones: why it missed.
    assert [c.intent for c in item.alternatives[:2]] == [
        "project.gantry-magnets",
        "project.gantry-collaboration",
    ]
    recorded = await bot.storage.exchange(exchange_id)
    assert recorded is not None
    assert (recorded.outcome, recorded.review_state) == (Outcome.CLARIFY, ReviewState.OPEN)
    await bot.send(tg.message("/unanswered", user_id=ADMIN_ID))
    assert "superconducting gantry" in bot.api.last_text()


async def test_none_of_these_never_reopens_a_reviewed_question(tmp_path: Path) -> None:
    clarify = MatchResult(
        "q", Outcome.CLARIFY, "project.flash", 0.5, (Candidate("project.medicis", 0.45),)
    )
    answer = MatchResult("q", Outcome.ANSWER, "project.flash", 0.9)
    async with await Storage.open(tmp_path / "ktbot.sqlite3") as storage:
        first = await storage.record_exchange(exchange("flash or medicis", clarify)) or 0
        assert await storage.mark_unanswered(first) is True
        await storage.ignore(first, "test message")

        assert await storage.mark_unanswered(first) is False
        assert (await storage.exchange(first)).review_state is ReviewState.IGNORED  # type: ignore[union-attr]

        answered = await storage.record_exchange(exchange("what is flash", answer)) or 0
        with pytest.raises(StorageError, match="was answered"):
            await storage.mark_unanswered(answered)
        with pytest.raises(StorageError, match="no exchange #999"):
            await storage.mark_unanswered(999)
        # The same words rejected again later are set aside like any ignored repeat.
        later = await storage.record_exchange(exchange("Flash or MEDICIS?", clarify)) or 0
        assert await storage.mark_unanswered(later) is True
        assert (await storage.unanswered_question(later)).reason == "test message"  # type: ignore[union-attr]


# --- Telegram admin -----------------------------------------------------------------------


async def miss(bot: BotHarness, count: int) -> None:
    for n in range(count):
        await bot.send(tg.message(f"how much does cyclotron model {n} cost", user_id=100 + n))


async def test_unanswered_pages_through_open_questions(bot: BotHarness) -> None:
    await miss(bot, 7)

    await bot.send(tg.message("/unanswered", user_id=ADMIN_ID))

    first = bot.api.last_text()
    assert "(7), page 1 of 2" in first
    assert "model 6" in first and "model 2" in first and "model 1" not in first  # newest first
    older = cd.encode(cd.ADMIN_PAGE, 1)
    assert older in callbacks(bot)
    assert sum(d.startswith(cd.ADMIN_IGNORE) for d in callbacks(bot)) == 5

    await bot.send(tg.press(older, user_id=ADMIN_ID))

    edit = bot.api.sent("editMessageText")[-1]
    assert "(7), page 2 of 2" in edit["text"] and "model 0" in edit["text"]
    assert "model 2" not in edit["text"]
    assert cd.encode(cd.ADMIN_PAGE, 0) in [d for _, d in bot.api.buttons(edit)]


async def test_resolve_button_marks_the_question_resolved_by_its_nearest_topic(
    bot: BotHarness,
) -> None:
    await bot.send(tg.message(HOSPITAL_ORDER))
    [item] = await bot.storage.unanswered()
    await bot.send(tg.message("/unanswered", user_id=ADMIN_ID))
    choose = next(d for d in callbacks(bot) if d.startswith(cd.ADMIN_CHOOSE + "|"))
    await bot.send(tg.press(choose, user_id=ADMIN_ID))
    # ✅ only offers the nearest topics; the first one offered resolves it.
    assert await bot.storage.unanswered() != []
    resolve = next(d for d in callbacks(bot) if d.startswith(cd.ADMIN_RESOLVE + "|"))

    await bot.send(tg.press(resolve, user_id=ADMIN_ID))

    reviewed = await bot.storage.unanswered_question(item.id)
    assert reviewed is not None
    assert (reviewed.state, reviewed.topic) == (ReviewState.RESOLVED, "project.medicis")
    notice = bot.api.sent("answerCallbackQuery")[-1]["text"]
    title = bot.services.knowledge.kb.topics["project.medicis"].title
    assert notice == f"#{item.id} resolved by {title}"
    assert "No open unanswered questions" in bot.api.sent("editMessageText")[-1]["text"]


async def test_handling_the_last_question_of_the_last_page_shows_the_page_before(
    bot: BotHarness,
) -> None:
    await miss(bot, 6)
    await bot.send(tg.message("/unanswered", user_id=ADMIN_ID))
    await bot.send(tg.press(cd.encode(cd.ADMIN_PAGE, 1), user_id=ADMIN_ID))
    [ignore] = [d for d in callbacks(bot) if d.startswith(cd.ADMIN_IGNORE)]

    await bot.send(tg.press(ignore, user_id=ADMIN_ID))

    assert "(5), page 1 of 1" in bot.api.sent("editMessageText")[-1]["text"]


async def test_admin_buttons_do_nothing_for_anyone_else(bot: BotHarness) -> None:
    await bot.send(tg.message(HOSPITAL_ORDER))
    [item] = await bot.storage.unanswered()
    await bot.send(tg.message("/unanswered", user_id=ADMIN_ID))
    ignore, choose = (
        next(d for d in callbacks(bot) if d.startswith(action + "|"))
        for action in (cd.ADMIN_IGNORE, cd.ADMIN_CHOOSE)
    )
    resolve = cd.encode(cd.ADMIN_RESOLVE, item.id, 0, cd.topic_token("project.medicis"))

    for data in (ignore, choose, resolve):
        await bot.send(tg.press(data, user_id=42))
        assert bot.api.sent("answerCallbackQuery")[-1]["text"] == "This button has expired."

    assert [q.id for q in await bot.storage.unanswered()] == [item.id]


async def test_stats_show_rates_topics_feedback_and_unanswered_groups(bot: BotHarness) -> None:
    await bot.send(tg.message("what is medicis?"))
    thumbs_up = next(d for d in callbacks(bot) if d.startswith(cd.FEEDBACK) and d.endswith("|1"))
    await bot.send(tg.press(thumbs_up))
    await bot.send(tg.message(HOSPITAL_ORDER, user_id=43))
    await bot.send(tg.message(HOSPITAL_ORDER_AGAIN, user_id=44))

    await bot.send(tg.message("/stats", user_id=ADMIN_ID))

    text = bot.api.last_text()
    assert text.startswith("<pre>Questions since ")
    assert "answered        1  (33%)" in text and "unanswered      2  (67%)" in text
    assert "open for review: 2" in text
    # R17: topics by title, the nearest topic of an unanswered group too.
    assert "Top topics:" in text and "CERN-MEDICIS" in text and "project.medicis" not in text
    assert "Feedback (👍 / 👎):" in text and "1 / 0" in text
    assert "By week (Monday):" in text
    assert "Most asked without an answer:" in text
    assert "2× “" in text and "(2 people) → nearest CERN-MEDICIS" in text


async def test_weekly_digest_sends_admins_this_weeks_unanswered_groups(bot: BotHarness) -> None:
    await bot.send(tg.message(HOSPITAL_ORDER, user_id=43))
    await bot.send(tg.message(HOSPITAL_ORDER_AGAIN, user_id=44))
    await bot.send(tg.message(WEATHER, user_id=45))
    old = await bot.storage.record_exchange(
        exchange("an old question", at=datetime.now(UTC) - timedelta(days=9))
    )
    ids = {q.question: q.id for q in await bot.storage.unanswered()}

    await admin.weekly_digest(CallbackContext(bot.app))

    [digest] = texts_to(bot, ADMIN_ID)
    assert "Unanswered this week: 3 question(s) in 2 group(s)." in digest
    assert "(2 people) → nearest CERN-MEDICIS" in digest  # by title, as in /stats (R17)
    assert f"#{ids[HOSPITAL_ORDER]}" in digest and f"#{ids[WEATHER]}" in digest
    assert f"#{old}" not in digest and "an old question" not in digest
    assert "/unanswered" in digest


async def test_digest_and_stats_name_a_topic_aged_past_its_review_date(bot: BotHarness) -> None:
    # project.medicis is due for review tomorrow; the bot's clock then ages it two days.
    due = (datetime.now(UTC) + timedelta(days=1)).date()
    projects = bot.settings.knowledge_dir / "topics" / "projects.yaml"
    projects.write_text(
        projects.read_text(encoding="utf-8").replace(
            "title: CERN-MEDICIS\n", f"title: CERN-MEDICIS\n    review_by: {due}\n", 1
        ),
        encoding="utf-8",
    )
    assert bot.services.knowledge.reload().ok
    await ask(bot, "what is medicis?", user_id=43)
    await ask(bot, "what is MEDICIS", user_id=44)

    await admin.weekly_digest(CallbackContext(bot.app))
    assert texts_to(bot, ADMIN_ID) == []  # nothing unanswered, nothing stale yet

    later = datetime.now(UTC) + timedelta(days=2)
    bot.services.clock = lambda: later
    await admin.weekly_digest(CallbackContext(bot.app))
    await bot.send(tg.message("/stats", user_id=ADMIN_ID))

    digest, stats = texts_to(bot, ADMIN_ID)
    assert "No unanswered questions this week." in digest
    assert f"• project.medicis: served 2× this week, review due {due}" in digest
    assert f"  project.medicis: served 2×, review due {due}" in stats


async def test_weekly_digest_is_quiet_when_nothing_is_open(bot: BotHarness) -> None:
    await bot.send(tg.message(WEATHER, user_id=45))
    [item] = await bot.storage.unanswered()
    await bot.storage.ignore(item.id, "out of scope")

    await admin.weekly_digest(CallbackContext(bot.app))

    assert texts_to(bot, ADMIN_ID) == []


async def test_daily_purge_deletes_exchanges_older_than_the_retention(tmp_path: Path) -> None:
    async with running_bot(tmp_path, retention_days=30) as bot:
        old = await bot.storage.record_exchange(
            exchange("an old miss", at=datetime.now(UTC) - timedelta(days=31))
        )
        await bot.send(tg.message(WEATHER))

        await _purge_old(CallbackContext(bot.app))

        assert old is not None and await bot.storage.exchange(old) is None
        assert [q.question for q in await bot.storage.unanswered()] == [WEATHER]
        retention = bot.app.job_queue.jobs()  # type: ignore[union-attr]
        assert {"retention", "checkpoint"} <= {job.name for job in retention}
