"""Faults and abuse: the bot logs a clear line, keeps serving what it can, and recovers.

Database faults (locked, read-only, full), the knowledge directory vanishing or turning
unreadable, Telegram answering 429, 403, 502 or not at all, a flood from one user, admin
commands from strangers, a webhook call without the secret, and the bot token staying out
of every log line. In-process tests drive PTB's real Application over the fake Bot API;
`ktbot run` tests run the real process against the Bot API emulator. Each is bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
import socket
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram.error import TimedOut

import bot.telegram.watcher as watcher
import intents.loader
from bot.conversation import clean_question
from bot.live_knowledge import LiveKnowledge
from bot.logging_setup import REDACTED, SecretRedactor, install_redactor
from bot.rendering import RATE_LIMITED
from bot.storage import DatabaseUnavailable, NewExchange, ReviewState, Storage, StorageError
from bot.storage.sqlite import from_db_time, storage_error
from bot.telegram import callback_data as cd
from bot.telegram import sending
from bot.telegram.commands import UNKNOWN_COMMAND
from intents.result import MatchResult, Outcome
from tests import telegram_updates as tg
from tests.bot_harness import ADMIN_ID, running_bot, write_knowledge
from tests.bot_process import BotProcess, copy_knowledge, running_ktbot
from tests.emulator import BotApiEmulator
from tests.emulator.errors import ApiError
from tests.emulator.webhook import SECRET_HEADER
from tests.fake_bot_api import FakeBotApi

QUESTION = "what is medicis?"
ANSWER = "<b>CERN-MEDICIS</b>"
# Long enough to need new database pages: a size-capped database refuses it.
LONG_QUESTION = "medicis " * 600


async def wait_until(
    probe: Callable[[], Any], *, within: float = 5.0, what: str = "condition"
) -> Any:
    """Poll `probe` until it returns something truthy; fail after `within` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        value = probe()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {within}s waiting for {what}")
        await asyncio.sleep(0.02)


def permissions_are_enforced(directory: Path) -> bool:
    """False for root (or CAP_DAC_OVERRIDE), who reads and writes through any mode bits."""
    probe = directory / "probe"
    probe.write_text("")
    probe.chmod(0o000)
    try:
        with probe.open():
            return False
    except PermissionError:
        return True
    finally:
        probe.unlink()


# --- the database -------------------------------------------------------------------------


@pytest.fixture
def quick_storage(monkeypatch: pytest.MonkeyPatch) -> None:
    """Storage.open with a short busy timeout and fast backlog retries (seconds in prod)."""
    original = Storage.open.__func__  # type: ignore[attr-defined]

    async def open_quickly(cls: type[Storage], path: Path, **kwargs: Any) -> Storage:
        kwargs.setdefault("busy_timeout", 0.2)
        kwargs.setdefault("retry_delay", 0.05)
        return await original(cls, path, **kwargs)

    monkeypatch.setattr(Storage, "open", classmethod(open_quickly))


class DbFault:
    """One way for the database to refuse writes, switched on and off by a test."""

    advice: str

    async def start(self, storage: Storage) -> None:
        raise NotImplementedError

    async def stop(self, storage: Storage) -> None:
        raise NotImplementedError


class Locked(DbFault):
    """Another process holds the write lock longer than the busy timeout (a real lock)."""

    advice = "is locked by another process"

    async def start(self, storage: Storage) -> None:
        self.other = sqlite3.connect(storage.path, timeout=0, isolation_level=None)
        self.other.execute("BEGIN EXCLUSIVE")

    async def stop(self, storage: Storage) -> None:
        self.other.execute("ROLLBACK")
        self.other.close()


class DiskFull(DbFault):
    """SQLite's size cap fails exactly like a full disk (SQLITE_FULL, a real error)."""

    advice = "is full: free space on that volume"

    async def start(self, storage: Storage) -> None:
        pages = await storage._db.execute_fetchall("PRAGMA page_count")
        await storage._db.execute(f"PRAGMA max_page_count = {next(iter(pages))[0]}")

    async def stop(self, storage: Storage) -> None:
        await storage._db.execute("PRAGMA max_page_count = 1073741823")


class ReadOnly(DbFault):
    """The volume was remounted read-only: every write transaction is refused.

    Simulated (as root, or with the file already open, mode bits change nothing): the
    connection raises the error SQLite gives, "attempt to write a readonly database".
    """

    advice = "is read-only: make the file and its directory writable"

    async def start(self, storage: Storage) -> None:
        connection = storage._db
        self.original = connection.execute

        def execute(sql: str, *args: Any, **kwargs: Any) -> Any:
            if sql.startswith("BEGIN"):
                raise sqlite3.OperationalError("attempt to write a readonly database")
            return self.original(sql, *args, **kwargs)

        connection.execute = execute  # type: ignore[method-assign]

    async def stop(self, storage: Storage) -> None:
        storage._db.execute = self.original  # type: ignore[method-assign]


async def recorded_questions(storage: Storage) -> list[str]:
    async with storage._read() as db:
        rows = await db.execute_fetchall("SELECT question FROM exchanges ORDER BY id")
    return [row[0] for row in rows]


@pytest.mark.parametrize("fault", [Locked, DiskFull, ReadOnly], ids=lambda f: f.__name__)
async def test_database_refusing_writes_still_answers_logs_the_fix_and_catches_up(
    tmp_path: Path,
    quick_storage: None,
    caplog: pytest.LogCaptureFixture,
    fault: type[DbFault],
) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.send(tg.message("what is medicis"))  # recorded before the fault
        injected = fault()
        await injected.start(bot.storage)
        try:
            with caplog.at_level(logging.INFO):
                await bot.send(tg.message(LONG_QUESTION))
                # The reply matters more than the record: the user is answered anyway.
                assert ANSWER in bot.api.last_text()
                await bot.send(tg.message("licensing"))
                assert "Licensing" in bot.api.last_text()
            # One line for the fault, not one per question: once the database has refused,
            # new exchanges join the backlog without waiting on it again.
            errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
            assert len(errors) == 1, [r.getMessage() for r in errors]
            line = errors[0].getMessage()
            assert injected.advice in line and "exchange not recorded yet" in line
            assert bot.storage.backlog == 2
        finally:
            await injected.stop(bot.storage)

        # Once the fault clears, what was held is written, oldest first, and nothing is lost.
        await wait_until(lambda: bot.storage.backlog == 0, what="the backlog to be written")
        assert "takes writes again: recorded 2 exchange(s)" in caplog.text
        await bot.send(tg.message("what is medicis?"))
        questions = await recorded_questions(bot.storage)
        assert questions == [
            "what is medicis",
            clean_question(LONG_QUESTION)[0],
            "licensing",
            "what is medicis?",
        ]


async def test_held_exchanges_keep_their_time_and_the_feedback_buttons_come_back(
    tmp_path: Path, quick_storage: None
) -> None:
    async with running_bot(tmp_path) as bot:
        fault = Locked()
        await fault.start(bot.storage)
        asked = time.time()
        try:
            await bot.send(tg.message(QUESTION))
            # No exchange id yet, so no feedback button to vote with.
            assert not any(d.startswith(cd.FEEDBACK) for _, d in bot.api.buttons())
            await asyncio.sleep(0.5)
        finally:
            await fault.stop(bot.storage)
        await wait_until(lambda: bot.storage.backlog == 0, what="the backlog to be written")
        async with bot.storage._read() as db:
            rows = await db.execute_fetchall("SELECT asked_at FROM exchanges")
        recorded = from_db_time(next(iter(rows))[0]).timestamp()
        # When asked, not when finally written (0.7s later at least).
        assert asked - 0.1 < recorded < asked + 0.4
        await bot.send(tg.message(QUESTION))
        assert any(d.startswith(cd.FEEDBACK) for _, d in bot.api.buttons())


def new(question: str) -> NewExchange:
    result = MatchResult(question, Outcome.FALLBACK, None, 0.1, ())
    return NewExchange("telegram", "user-key", question, result, "v1")


@contextlib.contextmanager
def write_locked(path: Path) -> Iterator[None]:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_the_backlog_is_bounded_and_says_how_many_it_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "ktbot.sqlite3"
    storage = await Storage.open(path, busy_timeout=0.1, backlog_limit=3, retry_delay=0.05)
    async with storage:
        with caplog.at_level(logging.INFO), write_locked(path):
            for n in range(5):
                assert await storage.record_exchange_or_defer(new(f"q{n}")) is None
            assert storage.backlog == 3
        assert "3 exchanges are waiting for the database" in caplog.text
        assert "dropping the oldest" in caplog.text
        await wait_until(lambda: storage.backlog == 0, what="the backlog to be written")
        assert await recorded_questions(storage) == ["q2", "q3", "q4"]
        assert "recorded 3 exchange(s) held in memory, 2 dropped" in caplog.text


async def test_a_clean_shutdown_writes_what_is_held(tmp_path: Path) -> None:
    path = tmp_path / "ktbot.sqlite3"
    # Retries far apart: only close() gets a chance to write the backlog.
    storage = await Storage.open(path, busy_timeout=0.1, retry_delay=60)
    with write_locked(path):
        await storage.record_exchange_or_defer(new("held while locked"))
    assert storage.backlog == 1
    await asyncio.wait_for(storage.close(), 5)
    async with await Storage.open(path) as reopened:
        assert await recorded_questions(reopened) == ["held while locked"]


async def test_shutdown_while_the_database_still_refuses_says_what_is_lost(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "ktbot.sqlite3"
    storage = await Storage.open(path, busy_timeout=0.1, retry_delay=60)
    with write_locked(path):
        await storage.record_exchange_or_defer(new("one"))
        await storage.record_exchange_or_defer(new("two"))
        with caplog.at_level(logging.ERROR):
            await asyncio.wait_for(storage.close(), 5)
    assert "2 exchange(s) held in memory are lost" in caplog.text


def test_only_conditions_that_pass_are_worth_holding_for() -> None:
    def kind(message: str) -> type[StorageError]:
        return type(storage_error(sqlite3.OperationalError(message), Path("x.sqlite3"), 1))

    for passing in (
        "database is locked",
        "attempt to write a readonly database",
        "database or disk is full",
        "disk I/O error",
    ):
        assert kind(passing) is DatabaseUnavailable
    for lasting in ("file is not a database", "no such table: exchanges"):
        assert kind(lasting) is StorageError


async def test_an_unexpected_database_error_is_logged_and_the_user_still_answered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(tmp_path) as bot:

        async def broken(new: NewExchange) -> int | None:
            raise StorageError(f"{bot.storage.path} is not a readable ktbot database")

        monkeypatch.setattr(bot.storage, "record_exchange", broken)
        with caplog.at_level(logging.ERROR):
            await bot.send(tg.message(QUESTION))
        assert ANSWER in bot.api.last_text()
        assert "could not record exchange (telegram outcome=answer" in caplog.text
        assert "exchange not recorded" in caplog.text
        assert bot.storage.backlog == 0  # nothing to retry: a corrupt file does not heal


# --- the knowledge directory --------------------------------------------------------------


WATCH_SETUP = 0.5
"""Seconds for the watcher started with the bot to have its watch in place."""


@pytest.fixture
def quick_watcher(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watcher, "RETRY_SECONDS", 0.1)


async def test_deleted_knowledge_directory_keeps_serving_and_is_watched_again_when_back(
    tmp_path: Path, quick_watcher: None, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(tmp_path) as bot:
        root = bot.settings.knowledge_dir
        version = bot.services.knowledge.kb.version
        await asyncio.sleep(WATCH_SETUP)
        with caplog.at_level(logging.INFO):
            shutil.rmtree(root)
            await wait_until(lambda: "is gone; still serving version" in caplog.text, within=5)
            await bot.send(tg.message(QUESTION))
            assert ANSWER in bot.api.last_text()
            assert bot.services.knowledge.kb.version == version

            # Back (e.g. a redeploy), with an edit: served, and later edits are seen too.
            write_knowledge(root)
            routes = root / "topics" / "routes.yaml"
            routes.write_text(
                routes.read_text().replace("KT web site", "KT website"), encoding="utf-8"
            )
            await wait_until(lambda: bot.services.knowledge.kb.version != version, within=5)
            assert "is back; reloading and watching it again" in caplog.text
            second = bot.services.knowledge.kb.version
            routes.write_text(routes.read_text().replace("KT website", "KT site"))
            await wait_until(
                lambda: bot.services.knowledge.kb.version != second,
                within=5,
                what="a reload after an edit in the directory that came back",
            )
        await bot.send(tg.message("how do I reach the knowledge transfer team"))
        assert "KT site" in bot.api.last_text()


async def test_a_knowledge_directory_swapped_by_a_deploy_is_watched_from_then_on(
    tmp_path: Path, quick_watcher: None
) -> None:
    async with running_bot(tmp_path) as bot:
        root = bot.settings.knowledge_dir
        version = bot.services.knowledge.kb.version
        await asyncio.sleep(WATCH_SETUP)
        # `rm -rf knowledge && mv knowledge.new knowledge`, faster than the watcher debounces.
        staged = write_knowledge(tmp_path / "knowledge.new")
        routes = staged / "topics" / "routes.yaml"
        routes.write_text(routes.read_text().replace("KT web site", "KT website"))
        shutil.rmtree(root)
        staged.rename(root)
        await wait_until(lambda: bot.services.knowledge.kb.version != version, within=5)
        second = bot.services.knowledge.kb.version
        await asyncio.sleep(WATCH_SETUP)  # the new watch starts after that reload

        routes = root / "topics" / "routes.yaml"
        routes.write_text(routes.read_text().replace("KT website", "KT site"))
        await wait_until(
            lambda: bot.services.knowledge.kb.version != second,
            within=5,
            what="a reload after an edit in the swapped-in directory",
        )
        await bot.send(tg.message("how do I reach the knowledge transfer team"))
        assert "KT site" in bot.api.last_text()


async def test_unreadable_knowledge_directory_keeps_serving_and_recovers(
    tmp_path: Path, quick_watcher: None, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_bot(tmp_path) as bot:
        root = bot.settings.knowledge_dir
        version = bot.services.knowledge.kb.version
        simulate = not permissions_are_enforced(tmp_path)
        await asyncio.sleep(WATCH_SETUP)
        with caplog.at_level(logging.INFO):
            with pytest.MonkeyPatch.context() as patch:
                if simulate:  # root reads through mode bits: fail as for any other user

                    def unreadable(path: Path) -> list[Path]:
                        raise PermissionError(13, "Permission denied", str(path))

                    patch.setattr(intents.loader, "knowledge_files", unreadable)
                root.chmod(0o000)  # the watcher sees the mode change either way
                try:
                    await wait_until(
                        lambda: "knowledge reload failed, keeping version" in caplog.text,
                        what="the failed reload",
                    )
                    await bot.send(tg.message(QUESTION))
                    assert ANSWER in bot.api.last_text()
                    assert bot.services.knowledge.kb.version == version
                finally:
                    root.chmod(0o755)
            await wait_until(lambda: "loads again" in caplog.text, what="the recovery")
        await bot.send(tg.message(QUESTION))
        assert ANSWER in bot.api.last_text()


async def test_watcher_survives_a_failing_reload_notification(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = write_knowledge(tmp_path / "knowledge")
    knowledge = LiveKnowledge.load(root)
    seen: list[bool] = []

    async def on_reload(report: Any) -> None:
        seen.append(report.ok)
        if len(seen) == 1:
            raise RuntimeError("admin notification broke")

    task = asyncio.create_task(watcher.watch_knowledge(knowledge, on_reload, debounce_ms=50))
    try:
        await asyncio.sleep(0.3)  # the watch is set up
        settings_file = root / "settings.yaml"
        with caplog.at_level(logging.ERROR):
            settings_file.write_text("settings: {}\n# one\n")
            await wait_until(lambda: len(seen) == 1, what="the first reload")
            await asyncio.sleep(0.2)
            settings_file.write_text("settings: {}\n# two\n")
            await wait_until(lambda: len(seen) == 2, what="a reload after the failure")
        assert "could not report the knowledge reload" in caplog.text
        assert not task.done()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# --- Telegram failing, in process ---------------------------------------------------------


@dataclass
class TimingOutBotApi(FakeBotApi):
    """The fake Bot API, with calls that time out as a stalled network would."""

    timeouts: dict[str, int] | None = None

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> Any:
        api_method = url.rsplit("/", 1)[-1]
        if self.timeouts and self.timeouts.get(api_method, 0) > 0:
            self.timeouts[api_method] -= 1
            raise TimedOut("Timed out")
        return await super().do_request(url, method, *args, **kwargs)


async def test_a_timed_out_reply_is_logged_and_the_next_question_is_answered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = TimingOutBotApi(timeouts={"sendMessage": 1, "sendChatAction": 1})
    monkeypatch.setattr("tests.bot_harness.FakeBotApi", lambda: api)
    async with running_bot(tmp_path) as bot:
        with caplog.at_level(logging.INFO):
            await bot.send(tg.message(QUESTION))
        assert "network problem talking to Telegram: Timed out" in caplog.text
        assert bot.api.sent() == []  # the reply timed out
        await bot.send(tg.message(QUESTION))
        assert ANSWER in bot.api.last_text()
        assert (await bot.storage.stats(None)).total == 2


async def test_a_reply_refused_with_a_bad_gateway_is_sent_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sending, "SEND_RETRY_SECONDS", 0.01)
    async with running_bot(tmp_path) as bot:
        bot.api.fail_next("sendMessage", 502, "Bad Gateway")
        with caplog.at_level(logging.INFO):
            await bot.send(tg.message(QUESTION))
        assert "failed (Bad Gateway); sending it again" in caplog.text
        assert ANSWER in bot.api.last_text()
        assert len(bot.api.sent("sendMessage")) == 2  # refused once, then delivered


async def test_a_reply_failing_twice_is_logged_and_the_next_question_is_answered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sending, "SEND_RETRY_SECONDS", 0.01)
    async with running_bot(tmp_path) as bot:
        bot.api.fail_next("sendMessage", 502, "Bad Gateway")
        bot.api.fail_next("sendMessage", 502, "Bad Gateway")
        with caplog.at_level(logging.INFO):
            await bot.send(tg.message(QUESTION))
        assert "network problem talking to Telegram: Bad Gateway" in caplog.text
        await bot.send(tg.message(QUESTION))
        assert ANSWER in bot.api.last_text()


# --- abuse: admin commands and buttons from strangers ---------------------------------------


async def test_strangers_get_the_unknown_command_reply_word_for_word(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.send(tg.message("/frobnicate", user_id=42))
        unknown = bot.api.last_text()
        assert unknown == UNKNOWN_COMMAND
        for command in ("/reload", "/unanswered", "/stats", "/stats@ktbot_test_bot 7"):
            await bot.send(tg.message(command, user_id=42))
            assert bot.api.last_text() == unknown, command
        # In a group, an unknown command gets no answer at all, admin ones included.
        before = len(bot.api.calls)
        for command in ("/stats@ktbot_test_bot", "/unanswered@ktbot_test_bot"):
            await bot.send(tg.message(command, user_id=42, chat_type="group", chat_id=-42))
        assert [c.method for c in bot.api.calls[before:]] == []


async def test_admin_buttons_pressed_by_a_stranger_do_nothing_and_reveal_nothing(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.send(tg.message("how much does a cyclotron cost"))
        (item,) = await bot.storage.unanswered(state=ReviewState.OPEN)
        before = len(bot.api.calls)
        for data in (
            cd.encode(cd.ADMIN_IGNORE, item.id, 0),
            cd.encode(cd.ADMIN_RESOLVE, item.id, 0, cd.topic_token("project.medicis")),
            cd.encode(cd.ADMIN_PAGE, 0),
        ):
            await bot.send(tg.press(data, user_id=42))
        calls = bot.api.calls[before:]
        assert [c.method for c in calls] == ["answerCallbackQuery"] * 3
        assert {c.params.get("text") for c in calls} == {"This button has expired."}
        assert [i.id for i in await bot.storage.unanswered(state=ReviewState.OPEN)] == [item.id]
        # The same press from an admin works: the stranger was refused, not the button.
        await bot.send(tg.press(cd.encode(cd.ADMIN_IGNORE, item.id, 0), user_id=ADMIN_ID))
        assert await bot.storage.unanswered(state=ReviewState.OPEN) == []


async def test_a_stranger_cannot_reload_the_knowledge_base(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        reloads: list[int] = []
        knowledge = bot.services.knowledge
        original = knowledge.reload

        def counting_reload() -> Any:
            reloads.append(1)
            return original()

        knowledge.reload = counting_reload  # type: ignore[method-assign]
        await bot.send(tg.message("/reload", user_id=42))
        assert reloads == []
        await bot.send(tg.message("/reload", user_id=ADMIN_ID))
        assert reloads == [1]


# --- secrets in logs ----------------------------------------------------------------------

TOKEN = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def redactor_record(msg: str, *args: Any, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("telegram.ext", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_redactor_scrubs_tokens_from_messages_arguments_and_tracebacks() -> None:
    redactor = SecretRedactor([TOKEN, "webhook-secret-value", "short"])
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError as error:
        record = redactor_record(
            "POST https://api.telegram.org/bot%s/getMe failed; hook %s; %s",
            TOKEN,
            "webhook-secret-value",
            "short",
            exc=error,
        )
    assert redactor.filter(record)
    formatted = logging.Formatter("%(message)s").format(record)
    assert TOKEN not in formatted and "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in formatted
    assert "webhook-secret-value" not in formatted
    assert f"bot987654321:{REDACTED}/getMe" in formatted  # the bot id is public: kept
    assert "short" in formatted  # too short to redact everywhere it appears
    assert "was rejected by the server" in formatted  # the traceback is kept, scrubbed


def test_redactor_scrubs_any_token_shaped_value_not_only_the_configured_one() -> None:
    redactor = SecretRedactor()
    other = "1234567890:ZZZdqTcvCH1vGWJxfSeofSAs0K5PALDxyz"
    record = redactor_record("url /bot12345:abcDEF-_x/sendMessage, bare %s", other)
    redactor.filter(record)
    message = record.getMessage()
    assert "abcDEF-_x" not in message and "ZZZdqTcv" not in message
    # Times, ratios and ids are left alone.
    record = redactor_record("at 12:30, 3:1 odds, update 123456789:0")
    redactor.filter(record)
    assert record.getMessage() == "at 12:30, 3:1 odds, update 123456789:0"


def test_installing_the_redactor_twice_does_not_stack_filters() -> None:
    handler = logging.NullHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        install_redactor([TOKEN])
        install_redactor(["another-secret-value"])
        redactors = [f for f in handler.filters if isinstance(f, SecretRedactor)]
        assert len(redactors) == 1
        assert redactors[0].redact("another-secret-value") == REDACTED
    finally:
        root.removeHandler(handler)


# --- the real process against the Bot API emulator -----------------------------------------


def bot_messages(emulator: BotApiEmulator, chat: Any) -> list[str]:
    return [m.text or "" for m in emulator.sent_messages(chat)]


def assert_no_secret(text: str, *secrets: str) -> None:
    for secret in secrets:
        assert secret not in text, f"a secret leaked into the log:\n{text[-3000:]}"
        _, _, tail = secret.partition(":")
        if tail:
            assert tail not in text, f"a token's secret part leaked into the log:\n{text[-3000:]}"


@pytest.mark.e2e
async def test_telegram_429_403_and_502_are_logged_and_the_bot_carries_on(
    bot_api: BotApiEmulator, tmp_path: Path
) -> None:
    async with running_ktbot(bot_api, tmp_path) as bot:
        alice, bob = bot_api.new_user("Alice"), bot_api.new_user("Bob")

        # 429: the reply waits out retry_after, then arrives.
        bot_api.flood_next("sendMessage", retry_after=1)
        bot_api.user_sends_text(alice, None, "what is MEDICIS?")
        reply = await bot_api.wait_for_message(alice, timeout=10)
        assert "MEDICIS" in reply.text
        await bot.wait_for_log("Rate limit hit. Retrying after")

        # 403: Bob blocked the bot; logged, and Alice is still served.
        bot_api.block(bob)
        bot_api.user_sends_text(bob, None, "what is MEDICIS?")
        await bot.wait_for_log("blocked the bot or left the chat", timeout=10)
        bot_api.user_sends_text(alice, None, "what is MEDICIS?")
        assert "MEDICIS" in (await bot_api.wait_for_message(alice, timeout=10)).text
        bot_api.unblock(bob)

        # 502 on a reply: logged in one line, without PTB's traceback about the proxy's HTML
        # page, and sent again.
        bot_api.bad_gateway_next("sendMessage")
        bot_api.user_sends_text(alice, None, "what is MEDICIS?")
        assert "MEDICIS" in (await bot_api.wait_for_message(alice, timeout=10)).text
        assert "sending it again" in bot.log_text()
        assert "Can not load invalid JSON data" not in bot.log_text()

        # 502 while polling (the update just sent ends the current long poll, the next two
        # polls fail): logged, polled again with a back-off, and questions still answered.
        bot_api.bad_gateway_next("getUpdates", times=2)
        bot_api.user_sends_text(bob, None, "what is MEDICIS?")
        assert "MEDICIS" in (await bot_api.wait_for_message(bob, timeout=10)).text
        await bot.wait_for_log("update None: network problem talking to Telegram", occurrence=2)
        bot_api.user_sends_text(alice, None, "what is MEDICIS?")
        assert "MEDICIS" in (await bot_api.wait_for_message(alice, timeout=10)).text
        assert bot.process is not None and bot.process.returncode is None
        assert "Traceback" not in bot.log_text()


@pytest.mark.e2e
async def test_a_flood_from_one_user_gets_one_slow_down_and_others_are_still_served(
    bot_api: BotApiEmulator, tmp_path: Path
) -> None:
    env = {"KTBOT_RATE_LIMIT_PER_MINUTE": "6"}  # bursts of 3
    async with running_ktbot(bot_api, tmp_path, env=env) as bot:
        flooder, other = bot_api.new_user("Mallory"), bot_api.new_user("Alice")
        for n in range(40):
            bot_api.user_sends_text(flooder, None, f"what is MEDICIS? {n}")
        await bot_api.wait_until_updates_confirmed(timeout=10)
        bot_api.user_sends_text(other, None, "what is MEDICIS?")
        assert "MEDICIS" in (await bot_api.wait_for_message(other, timeout=10)).text
        await asyncio.sleep(0.5)  # anything still in flight for the flooder
        texts = bot_messages(bot_api, flooder)
        assert sum(RATE_LIMITED in t for t in texts) == 1
        assert len(texts) == 4  # three answers, one polite slow-down, then silence
        with contextlib.closing(sqlite3.connect(bot.db_path)) as db:
            (count,) = db.execute("SELECT COUNT(*) FROM exchanges").fetchone()
        assert count == 4  # the flooder's three and the other user's one


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.e2e
async def test_bot_started_before_telegram_is_reachable_comes_up_when_it_is(
    tmp_path: Path,
) -> None:
    emulator = BotApiEmulator(port=free_port())  # not started yet: connection refused
    bot = BotProcess(emulator, tmp_path, copy_knowledge(tmp_path / "knowledge"))
    await bot.start(wait_ready=False)
    try:
        await asyncio.sleep(2)  # a few refused attempts (PTB retries after 1s, 1.5s, ...)
        assert bot.process is not None and bot.process.returncode is None, bot.log_text()
        assert "ktbot is running" not in bot.log_text()
        async with emulator:
            await bot.wait_for_log("ktbot is running", timeout=15)
            user = emulator.new_user()
            emulator.user_sends_text(user, None, "what is MEDICIS?")
            assert "MEDICIS" in (await emulator.wait_for_message(user, timeout=10)).text
            await bot.stop()
    finally:
        await bot.stop()


@pytest.mark.e2e
async def test_a_502_while_registering_the_command_menu_does_not_stop_the_bot(
    bot_api: BotApiEmulator, tmp_path: Path
) -> None:
    bot_api.bad_gateway_next("setMyCommands")
    async with running_ktbot(bot_api, tmp_path) as bot:
        user = bot_api.new_user()
        bot_api.user_sends_text(user, None, "what is MEDICIS?")
        assert "MEDICIS" in (await bot_api.wait_for_message(user, timeout=10)).text
        assert bot.process is not None and bot.process.returncode is None
        assert "could not register the command menu" in bot.log_text()


@pytest.mark.e2e
async def test_a_rejected_token_exits_with_advice_and_never_prints_the_token(
    bot_api: BotApiEmulator, tmp_path: Path
) -> None:
    wrong = "123456789:WRONG-but-well-formed_token_0123456"
    bot = BotProcess(
        bot_api,
        tmp_path,
        copy_knowledge(tmp_path / "knowledge"),
        {"TELEGRAM_BOT_TOKEN": wrong, "KTBOT_LOG_LEVEL": "DEBUG"},
    )
    await bot.start(wait_ready=False)
    assert bot.process is not None
    code = await asyncio.wait_for(bot.process.wait(), 20)
    log = bot.log_text()
    assert code == 2, log[-3000:]
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in log
    assert_no_secret(log, wrong)


@pytest.mark.e2e
async def test_the_token_never_appears_in_a_debug_log_full_of_errors(
    bot_api: BotApiEmulator, tmp_path: Path
) -> None:
    env = {"KTBOT_LOG_LEVEL": "DEBUG"}
    async with running_ktbot(bot_api, tmp_path, env=env) as bot:
        user = bot_api.new_user()
        bot_api.bad_gateway_next("getUpdates")
        bot_api.bad_gateway_next("sendMessage")
        bot_api.user_sends_text(user, None, "what is MEDICIS?")
        await bot.wait_for_log("Bad Gateway", timeout=10)
        await bot_api.wait_for_message(user, timeout=10)  # the reply, sent again
        # A reply Telegram refuses: the handler fails, logged with its traceback.
        bot_api.fail_next("sendMessage", ApiError.bad_request("can't parse entities"))
        bot_api.user_sends_text(user, None, "what is MEDICIS?")
        await bot.wait_for_log("failed", timeout=10)
        bot_api.flood_next("sendMessage", retry_after=1)
        bot_api.user_sends_text(user, None, "what is MEDICIS?")
        assert "MEDICIS" in (await bot_api.wait_for_message(user, timeout=10)).text
        # Input the bot does not expect: an unknown command, a sticker, a button press.
        bot_api.user_sends_text(user, None, "/frobnicate now")
        await bot_api.wait_for_message(user, timeout=10)
        bot_api.user_sends_sticker(user)
        await bot_api.wait_for_message(user, timeout=10)
        bot_api.user_sends_text(user, None, "/topics")
        menu = await bot_api.wait_for_message(user, timeout=10)
        press = bot_api.user_presses_button(user, menu, callback_data=_first_button(menu))
        await bot_api.wait_for_callback_answer(press, timeout=10)
    log = bot.log_text()
    assert "Calling Bot API endpoint" in log  # DEBUG really was on
    assert_no_secret(log, bot_api.token)


def _first_button(message: Any) -> str:
    markup = message.reply_markup or {}
    return str(markup["inline_keyboard"][0][0]["callback_data"])


# --- the webhook --------------------------------------------------------------------------

WEBHOOK_SECRET = "webhook-secret-for-tests_0123456789"


def private_update(update_id: int, user: Any, text: str) -> dict[str, Any]:
    sender = {"id": user.id, "is_bot": False, "first_name": user.first_name}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": sender,
            "text": text,
        },
    }


@pytest.mark.e2e
async def test_webhook_rejects_requests_without_the_secret_token(
    bot_api: BotApiEmulator, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {"KTBOT_WEBHOOK_SECRET": WEBHOOK_SECRET, "KTBOT_LOG_LEVEL": "DEBUG"}
    args = ("--webhook-url", url, "--listen", "127.0.0.1", "--port", str(port))
    async with running_ktbot(bot_api, tmp_path, env=env, args=args) as bot:
        webhook = await wait_until(lambda: bot_api.webhook, within=10, what="setWebhook")
        assert webhook.url == f"{url}/telegram" and webhook.secret_token == WEBHOOK_SECRET
        user = bot_api.new_user()
        endpoint = f"{url}/telegram"
        async with aiohttp.ClientSession() as session:
            for n, headers in enumerate(({}, {SECRET_HEADER: "guessed-wrong"})):
                body = json.dumps(private_update(900_000 + n, user, "what is MEDICIS?"))
                async with session.post(
                    endpoint, data=body, headers={"Content-Type": "application/json", **headers}
                ) as response:
                    assert response.status == 403
            await asyncio.sleep(0.5)
            assert bot_messages(bot_api, user) == []  # not processed

            body = json.dumps(private_update(900_010, user, "what is MEDICIS?"))
            headers = {"Content-Type": "application/json", SECRET_HEADER: WEBHOOK_SECRET}
            async with session.post(endpoint, data=body, headers=headers) as response:
                assert response.status == 200
        assert "MEDICIS" in (await bot_api.wait_for_message(user, timeout=10)).text
        # Telegram's own deliveries carry the secret and are answered as usual.
        bot_api.user_sends_text(user, None, "what is MEDICIS?")
        assert "MEDICIS" in (await bot_api.wait_for_message(user, timeout=10)).text
    assert_no_secret(bot.log_text(), bot_api.token, WEBHOOK_SECRET)
