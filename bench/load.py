"""Load and crash safety of `ktbot run` against the local Bot API emulator.

Run by hand (prints figures; exits 1 if a correctness check fails):

    .venv/bin/python bench/load.py [--duration 12] [--users 100] [--kb-examples 1000]

Simulated users (closed loop: ask, wait for the reply, ask again) send questions through the
emulator (tests/emulator) to the real `ktbot run` process, for a bounded time. The same load is
run first against a bare python-telegram-bot echo bot (bench/echo_bot.py, same concurrency),
which is the throughput ceiling. Phases, each with a fresh emulator in this process:

- echo    the echo bot: sustained updates/s, reply latency p50/p99;
- ktbot   `ktbot run` on a generated knowledge base of `--kb-examples` example questions
          (valid for `ktbot check`, pointed to by KTBOT_KNOWLEDGE_DIR): the same figures, the
          ratio ktbot/echo, and the checks "every update answered exactly once" and "every
          exchange recorded exactly once" (database rows by Telegram update_id);
- kill    SIGKILL in the middle of the load, restart, carry on: every reply sent has its
          exchange in the database, no update is recorded twice; redelivered updates,
          duplicate replies and updates lost with the killed process are counted;
- term    SIGTERM in the middle of the load: the exit code, the shutdown time, and that every
          update the process confirmed to Telegram was answered and recorded before it exited.

The load generator and the emulator share this process, so both bots are measured against the
same, equally loaded server; on a small machine it competes with the bot for CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.synthetic import TWO_TERM_TEMPLATES, InventedWords  # noqa: E402
from tests.bot_process import BotProcess, ktbot_command  # noqa: E402
from tests.emulator import BotApiEmulator, StoredMessage, User  # noqa: E402

ECHO_BOT = REPO / "bench" / "echo_bot.py"
CONCURRENT_UPDATES = 64
"""The echo bot gets the concurrency ktbot runs with (bot/telegram/app.py)."""
LOAD_ENV = {
    # Hundreds of questions a minute per simulated user: the per-user flood limit would
    # (correctly) refuse most of them.
    "KTBOT_RATE_LIMIT_PER_MINUTE": "1000000",
}
TARGET_RATIO = 0.5
"""ktbot's sustained throughput must be at least this fraction of the echo bot's."""
EXCHANGE_ACTIONS = frozenset({"f", "c", "n", "h"})
"""Callback actions whose first argument is the exchange id (bot/telegram/callback_data.py)."""

# --- a synthetic knowledge base -----------------------------------------------------------

CATEGORIES = 8


@dataclass(frozen=True)
class SyntheticKb:
    root: Path
    topics: int
    examples: int
    queries: tuple[str, ...]
    """Unseen phrasings of the topics, some examples verbatim, and unrelated noise."""


def write_synthetic_kb(
    root: Path, examples: int = 1000, per_topic: int = 10, seed: int = 11
) -> SyntheticKb:
    """Write a knowledge directory holding exactly `examples` example questions.

    Topics of invented words (a few shared between topics, Zipf-like, as in bench/latency.py)
    phrased through common templates; answers of realistic length (≈800 characters, like the
    shipped ones) with bold, italics, bullets and a link. Valid for `ktbot check`: no example
    is repeated anywhere in the knowledge base.
    """
    if per_topic < 3:
        raise ValueError("a topic needs at least three example questions")
    rng = random.Random(seed)

    words = InventedWords(rng)
    word = words.word
    n_topics = max(1, math.ceil(examples / per_topic))
    counts = [per_topic] * n_topics
    counts[-1] = examples - per_topic * (n_topics - 1)
    if counts[-1] < 3:  # fold a short remainder into the previous topic
        counts[-2] += counts.pop()
        n_topics -= 1
    ids = [f"synth.t{number:04d}" for number in range(n_topics)]
    seen: set[str] = set()
    queries: list[str] = []
    by_category: defaultdict[int, list[dict[str, object]]] = defaultdict(list)
    for number, topic_id in enumerate(ids):
        terms = words.topic_terms()
        phrasings: list[str] = []
        attempts = 0
        while len(phrasings) < counts[number] + 1:
            attempts += 1
            if attempts > 10_000:
                raise RuntimeError(f"could not phrase {topic_id} uniquely")
            a, b = rng.sample(terms, 2)
            text = rng.choice(TWO_TERM_TEMPLATES).format(a=a, b=b)
            if text not in seen:
                seen.add(text)
                phrasings.append(text)
        *questions, held_out = phrasings
        queries.append(held_out)
        if rng.random() < 0.2:
            queries.append(rng.choice(questions))
        title = f"{terms[0].capitalize()} {terms[1]}"
        filler = " ".join(word() for _ in range(rng.randint(60, 80)))
        answer = (
            f"**{title}** is synthetic topic {number} of the load benchmark: it pairs "
            f"_{terms[0]}_ with {terms[2]}.\n\n"
            f"- what it is: {terms[1]} for {terms[3]}\n"
            f"- who to ask: the synthetic help desk\n"
            f"- where to read more: [the {terms[0]} page](https://example.org/topics/{number})\n\n"
            f"{filler.capitalize()}."
        )
        related = rng.sample([other for other in ids if other != topic_id], min(2, n_topics - 1))
        by_category[number % CATEGORIES].append(
            {
                "id": topic_id,
                "title": title,
                "category": f"synth-{number % CATEGORIES}",
                "questions": questions,
                "answer": answer,
                "contacts": ["synth-desk"],
                "related": related,
                "links": [{"title": f"{title} page", "url": f"https://example.org/t/{number}"}],
            }
        )
    queries += [" ".join(word() for _ in range(rng.randint(2, 8))) for _ in range(n_topics // 5)]
    rng.shuffle(queries)

    root.mkdir(parents=True, exist_ok=True)
    categories = [
        {
            "id": f"synth-{index}",
            "title": f"Synthetic category {index}",
            "description": "Generated topics for the load benchmark.",
        }
        for index in sorted(by_category)
    ]
    _dump(root / "categories.yaml", {"categories": categories})
    contact = {
        "id": "synth-desk",
        "name": "Synthetic help desk",
        "description": "Where a generated answer sends people.",
        "url": "https://example.org/contact",
    }
    _dump(root / "contacts.yaml", {"contacts": [contact]})
    for index, topics in sorted(by_category.items()):
        _dump(root / "topics" / f"synth-{index}.yaml", {"topics": topics})
    return SyntheticKb(root, n_topics, sum(counts), tuple(queries))


def _dump(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8"
    )


def ktbot_check(knowledge: Path) -> str:
    """`ktbot check` on the directory; its "ok: …" line, the last one after any warnings
    (RuntimeError with its output if the check fails)."""
    done = subprocess.run(
        [*ktbot_command(), "check", "--knowledge", str(knowledge)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"ktbot check failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip().splitlines()[-1]


# --- the load -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Asked:
    update_id: int
    chat_id: int
    text: str
    at: float
    """time.monotonic() when the update was queued."""


@dataclass(frozen=True)
class Answer:
    """A message the bot sent to one of the simulated users."""

    chat_id: int
    message_id: int
    text: str
    exchange_id: int | None
    """From the reply's buttons: every reply to a recorded question carries it."""
    at: float


def exchange_id_of(message: StoredMessage) -> int | None:
    for button in message.buttons:
        action, _, rest = str(button.get("callback_data") or "").partition("|")
        if action in EXCHANGE_ACTIONS:
            head = rest.split("|", 1)[0]
            if head.isdigit() and int(head) > 0:
                return int(head)
    return None


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of a running process (0 if unknown)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Load:
    """Closed-loop simulated users: each asks, waits for a reply (or `reply_timeout`), asks
    again, until `stop()`. Every question and every bot message to them is kept."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        questions: Sequence[str],
        *,
        users: int,
        reply_timeout: float = 10.0,
        seed: int = 5,
        bot_pid: int | None = None,
    ) -> None:
        if not questions:
            raise ValueError("no questions to ask")
        self.emulator = emulator
        self.questions = list(questions)
        self.reply_timeout = reply_timeout
        self.users: list[User] = [emulator.new_user(f"Load{index}") for index in range(users)]
        self._rng = random.Random(seed)
        self.asked: dict[int, Asked] = {}
        self.answers: list[Answer] = []
        self.answers_by_chat: defaultdict[int, list[Answer]] = defaultdict(list)
        self.asked_by_chat: defaultdict[int, list[Asked]] = defaultdict(list)
        self.timeouts = 0
        self._arrived = {user.id: asyncio.Event() for user in self.users}
        self._stopping = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._unsubscribe = emulator.on_message(self._on_message)
        self.started_at = 0.0
        self.stopped_at = 0.0
        self.bot_pid = bot_pid
        self._cpu_start = (0.0, 0.0)
        self.cpu = (0.0, 0.0)
        """CPU seconds used during the load by this process (emulator, users) and the bot."""

    def _on_message(self, event: str, message: StoredMessage) -> None:
        if event != "sent" or not message.from_bot:
            return
        arrived = self._arrived.get(message.chat.id)
        if arrived is None:
            return
        answer = Answer(
            message.chat.id,
            message.message_id,
            message.text or "",
            exchange_id_of(message),
            time.monotonic(),
        )
        self.answers.append(answer)
        self.answers_by_chat[answer.chat_id].append(answer)
        arrived.set()

    def start(self) -> None:
        self.started_at = time.monotonic()
        self._cpu_start = (time.process_time(), cpu_seconds(self.bot_pid))
        for user in self.users:
            self._tasks.append(asyncio.create_task(self._user(user)))

    async def _user(self, user: User) -> None:
        arrived = self._arrived[user.id]
        position = self._rng.randrange(len(self.questions))
        while not self._stopping.is_set():
            text = self.questions[position % len(self.questions)]
            position += 1
            arrived.clear()
            update_id = self.emulator.user_sends_text(user, None, text)
            asked = Asked(update_id, user.id, text, time.monotonic())
            self.asked[update_id] = asked
            self.asked_by_chat[user.id].append(asked)
            try:
                await asyncio.wait_for(arrived.wait(), self.reply_timeout)
            except TimeoutError:
                self.timeouts += 1

    async def stop(self) -> None:
        """No new questions; wait for the users' outstanding replies (or their timeouts)."""
        self.stopped_at = time.monotonic()
        here, bot = time.process_time(), cpu_seconds(self.bot_pid)
        self.cpu = (here - self._cpu_start[0], bot - self._cpu_start[1])
        self._stopping.set()
        await asyncio.gather(*self._tasks)

    async def run(self, duration: float) -> None:
        self.start()
        await asyncio.sleep(duration)
        await self.stop()

    async def settle(self, quiet: float = 0.5, within: float = 15.0) -> None:
        """Until no bot message arrived for `quiet` seconds (late duplicates would show up
        here) and every question has a reply, or none is left for the bot to take (after a
        SIGKILL some never get one); or `within` seconds."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            last = self.answers[-1].at if self.answers else 0.0
            silent = time.monotonic() - last
            everyone = all(
                len(self.answers_by_chat[chat]) >= len(asked)
                for chat, asked in self.asked_by_chat.items()
            )
            if silent >= quiet and (everyone or (silent >= 2 * quiet and not self._pending())):
                return
            await asyncio.sleep(0.05)

    def _pending(self) -> bool:
        return any(
            int(update["update_id"]) in self.asked for update in self.emulator.pending_updates()
        )

    def close(self) -> None:
        self._unsubscribe()

    def throughput(self, warmup: float) -> float:
        """Bot messages a second to the users between `warmup` after the start and the stop."""
        begin = self.started_at + warmup
        window = self.stopped_at - begin
        count = sum(1 for answer in self.answers if begin <= answer.at <= self.stopped_at)
        return count / window if window > 0 else float("nan")


# --- what happened ------------------------------------------------------------------------


@dataclass(frozen=True)
class Exchange:
    id: int
    update_id: int
    question: str


def read_exchanges(db_path: Path) -> list[Exchange]:
    """Every exchange recorded for a Telegram update."""
    with contextlib.closing(sqlite3.connect(db_path, timeout=10)) as db:
        rows = db.execute(
            "SELECT id, update_id, question FROM exchanges WHERE update_id IS NOT NULL"
        ).fetchall()
    return [Exchange(int(r[0]), int(r[1]), str(r[2])) for r in rows]


@dataclass
class Outcome:
    """Replies and records per question of one load run."""

    asked_ids: frozenset[int]
    replies: Counter[int] = field(default_factory=Counter)
    """update_id -> bot messages that answered it."""
    latencies: list[float] = field(default_factory=list)
    """Seconds from queuing an update to its first reply, for updates asked in the window."""
    unattributed: list[Answer] = field(default_factory=list)
    """Bot messages that could not be tied to a question (or to the wrong user)."""
    records: Counter[int] = field(default_factory=Counter)
    """update_id -> exchanges recorded for it (ktbot only)."""
    foreign_records: int = 0
    """Exchanges for update ids this load never sent."""
    replies_without_record: list[Answer] = field(default_factory=list)

    @property
    def asked(self) -> int:
        return len(self.asked_ids)

    @property
    def unanswered(self) -> list[int]:
        return sorted(u for u in self.asked_ids if self.replies[u] == 0)

    @property
    def answered_twice(self) -> list[int]:
        return sorted(u for u in self.asked_ids if self.replies[u] > 1)

    @property
    def unrecorded(self) -> list[int]:
        return sorted(u for u in self.asked_ids if self.records[u] == 0)

    @property
    def recorded_twice(self) -> list[int]:
        return sorted(u for u, n in self.records.items() if n > 1)

    @property
    def answered_exactly_once(self) -> bool:
        return not (self.unanswered or self.answered_twice or self.unattributed)

    @property
    def recorded_exactly_once(self) -> bool:
        return not (self.unrecorded or self.recorded_twice or self.foreign_records)

    def latency_ms(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
        return ordered[index] * 1000


def _in_window(load: Load, asked: Asked, warmup: float) -> bool:
    return load.started_at + warmup <= asked.at <= load.stopped_at


def echo_outcome(load: Load, warmup: float) -> Outcome:
    """The echo bot: in each chat, the n-th bot message answers the n-th question."""
    outcome = Outcome(frozenset(load.asked))
    for chat, asked in load.asked_by_chat.items():
        answers = load.answers_by_chat.get(chat, [])
        for question, answer in zip(asked, answers, strict=False):
            if answer.text != question.text:
                outcome.unattributed.append(answer)
                continue
            outcome.replies[question.update_id] += 1
            if _in_window(load, question, warmup):
                outcome.latencies.append(answer.at - question.at)
        outcome.unattributed += answers[len(asked) :]
    return outcome


def ktbot_outcome(load: Load, exchanges: Iterable[Exchange], warmup: float) -> Outcome:
    """ktbot: each reply names its exchange, and the exchange its Telegram update."""
    outcome = Outcome(frozenset(load.asked))
    by_id: dict[int, Exchange] = {}
    for record in exchanges:
        by_id[record.id] = record
        if record.update_id in load.asked:
            outcome.records[record.update_id] += 1
        else:
            outcome.foreign_records += 1
    for answer in load.answers:
        exchange = by_id.get(answer.exchange_id or 0)
        if exchange is None:
            outcome.replies_without_record.append(answer)
            outcome.unattributed.append(answer)
            continue
        question = load.asked.get(exchange.update_id)
        if question is None or question.chat_id != answer.chat_id:
            outcome.unattributed.append(answer)
            continue
        outcome.replies[question.update_id] += 1
        if outcome.replies[question.update_id] == 1 and _in_window(load, question, warmup):
            outcome.latencies.append(answer.at - question.at)
    return outcome


@dataclass(frozen=True)
class Polls:
    """What one bot process took from the emulator's getUpdates, between two wall times."""

    fetched: frozenset[int]
    """Update ids in the answers it received."""
    confirmed_below: int
    """The highest offset it sent: Telegram forgets every update below it."""


def polls(emulator: BotApiEmulator, since: float, until: float = math.inf) -> Polls:
    fetched: set[int] = set()
    offset = 0
    for call in emulator.calls("getUpdates"):
        if not since <= call.at < until:
            continue
        offset = max(offset, int(call.params.get("offset") or 0))
        if call.ok and call.response is not None:
            fetched.update(int(update["update_id"]) for update in call.response["result"])
    return Polls(frozenset(fetched), offset)


# --- phases -------------------------------------------------------------------------------


@dataclass
class PhaseResult:
    name: str
    throughput: float
    outcome: Outcome
    notes: list[str] = field(default_factory=list)
    checks: dict[str, bool] = field(default_factory=dict)


@contextlib.asynccontextmanager
async def echo_bot(
    emulator: BotApiEmulator, log_path: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """bench/echo_bot.py polling the emulator; SIGTERM on exit."""
    log = log_path.open("ab")
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(ECHO_BOT),
            "--api-url",
            emulator.api_url,
            "--token",
            emulator.token,
            "--concurrent-updates",
            str(CONCURRENT_UPDATES),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
    finally:
        log.close()
    try:
        await emulator.wait_for_call("getUpdates", answered=False, timeout=30)
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 20)
            except TimeoutError:
                process.kill()
                await process.wait()


async def echo_phase(args: argparse.Namespace, questions: Sequence[str], work: Path) -> PhaseResult:
    async with BotApiEmulator() as emulator, echo_bot(emulator, work / "echo.log") as process:
        load = Load(emulator, questions, users=args.users, bot_pid=process.pid)
        await load.run(args.duration)
        await load.settle()
        load.close()
    outcome = echo_outcome(load, args.warmup)
    result = PhaseResult("echo bot (bench/echo_bot.py)", load.throughput(args.warmup), outcome)
    result.notes.append(cpu_note(load))
    result.checks["answered exactly once"] = outcome.answered_exactly_once
    return result


def ktbot_process(emulator: BotApiEmulator, work: Path, kb: Path) -> BotProcess:
    return BotProcess(emulator, work, kb, dict(LOAD_ENV))


async def ktbot_phase(args: argparse.Namespace, kb: SyntheticKb, work: Path) -> PhaseResult:
    async with BotApiEmulator() as emulator:
        bot = ktbot_process(emulator, work / "ktbot", kb.root)
        await bot.start()
        try:
            assert bot.process is not None
            load = Load(emulator, kb.queries, users=args.users, bot_pid=bot.process.pid)
            await load.run(args.duration)
            await load.settle()
        finally:
            code = await bot.stop()
        load.close()
    outcome = ktbot_outcome(load, read_exchanges(bot.db_path), args.warmup)
    name = f"ktbot run ({kb.examples} examples)"
    result = PhaseResult(name, load.throughput(args.warmup), outcome)
    result.notes.append(cpu_note(load))
    result.checks["answered exactly once"] = outcome.answered_exactly_once
    result.checks["recorded exactly once"] = outcome.recorded_exactly_once
    result.checks["SIGTERM exit code 0"] = code == 0
    return result


async def kill_phase(args: argparse.Namespace, kb: SyntheticKb, work: Path) -> PhaseResult:
    """SIGKILL half-way through the load, restart at once, keep the load going."""
    async with BotApiEmulator() as emulator:
        bot = ktbot_process(emulator, work / "kill", kb.root)
        started = time.time()
        await bot.start()
        load = Load(emulator, kb.queries, users=args.users, reply_timeout=args.reply_timeout)
        try:
            load.start()
            await asyncio.sleep(args.duration / 2)
            await bot.kill()
            dead = time.time()  # polls before this are the killed process's
            pending_at_kill = {int(u["update_id"]) for u in emulator.pending_updates()}
            await bot.start()
            restarted = time.time() - dead
            await asyncio.sleep(args.duration / 2)
            await load.stop()
            await load.settle()
        finally:
            await bot.stop()
        load.close()
        before, after = polls(emulator, started, dead), polls(emulator, dead)
    outcome = ktbot_outcome(load, read_exchanges(bot.db_path), args.warmup)
    redelivered = before.fetched & after.fetched
    lost = {
        u
        for u in load.asked
        if u < before.confirmed_below and u not in pending_at_kill and outcome.replies[u] == 0
    }
    result = PhaseResult("ktbot, SIGKILL mid-load + restart", float("nan"), outcome)
    result.notes += [
        f"restart to 'running': {restarted:.2f} s; {len(pending_at_kill)} updates pending at kill",
        f"redelivered after restart: {len(redelivered)}; "
        f"answered twice (at-least-once replies): {len(outcome.answered_twice)}",
        f"lost with the killed process (fetched and confirmed, never answered): {len(lost)}",
    ]
    result.checks["every reply sent has its exchange in the database"] = not (
        outcome.replies_without_record
    )
    result.checks["no update recorded twice"] = not outcome.recorded_twice
    result.checks["every answered update recorded"] = all(
        outcome.records[u] == 1 for u in outcome.replies
    )
    # Even those the killed process had taken: the restarted bot replays its inbox.
    result.checks["every question answered"] = not outcome.unanswered
    return result


async def term_phase(args: argparse.Namespace, kb: SyntheticKb, work: Path) -> PhaseResult:
    """SIGTERM half-way through the load, then restart: in-flight updates finish before the
    exit, and nothing is lost or answered twice across the restart."""
    async with BotApiEmulator() as emulator:
        bot = ktbot_process(emulator, work / "term", kb.root)
        started = time.time()
        await bot.start()
        load = Load(emulator, kb.queries, users=args.users, reply_timeout=args.reply_timeout)
        try:
            load.start()
            await asyncio.sleep(args.duration / 2)
            signalled = time.monotonic()
            code = await bot.stop(signal.SIGTERM)
            shutdown = time.monotonic() - signalled
            taken = polls(emulator, started)
            answers_at_exit = list(load.answers)
            exchanges_at_exit = read_exchanges(bot.db_path)
            await bot.start()
            await asyncio.sleep(args.duration / 2)
            await load.stop()
            await load.settle()
        finally:
            await bot.stop()
        load.close()
    update_of = {e.id: e.update_id for e in exchanges_at_exit}
    answered_at_exit = {update_of.get(a.exchange_id or 0) for a in answers_at_exit}
    recorded_at_exit = set(update_of.values())
    confirmed = {u for u in load.asked if u < taken.confirmed_below}
    outcome = ktbot_outcome(load, read_exchanges(bot.db_path), args.warmup)
    result = PhaseResult("ktbot, SIGTERM mid-load + restart", float("nan"), outcome)
    result.notes += [
        f"shutdown {shutdown:.2f} s, exit code {code}; {len(confirmed)} updates taken from "
        f"Telegram before the exit, {len(taken.fetched - confirmed)} fetched by the last poll "
        "but not confirmed (answered after the restart)"
    ]
    result.checks["exit code 0"] = code == 0
    result.checks["every update taken was answered before the exit"] = confirmed <= answered_at_exit
    result.checks["every update taken was recorded before the exit"] = confirmed <= recorded_at_exit
    result.checks["answered exactly once across the restart"] = outcome.answered_exactly_once
    result.checks["recorded exactly once across the restart"] = outcome.recorded_exactly_once
    return result


def cpu_note(load: Load) -> str:
    wall = load.stopped_at - load.started_at
    here, bot = load.cpu
    return (
        f"CPU during the load      bot {bot:.1f} s, emulator + users {here:.1f} s "
        f"({wall:.1f} s wall, {os.cpu_count()} cores)"
    )


# --- report -------------------------------------------------------------------------------


def print_phase(result: PhaseResult) -> None:
    outcome = result.outcome
    print(f"\n{result.name}")
    if not math.isnan(result.throughput):
        print(f"  sustained               {result.throughput:.1f} updates/s")
        print(
            f"  reply latency           p50 {outcome.latency_ms(50):.1f} ms, "
            f"p99 {outcome.latency_ms(99):.1f} ms ({len(outcome.latencies)} replies)"
        )
    print(
        f"  questions               {outcome.asked} sent, {len(outcome.unanswered)} unanswered, "
        f"{len(outcome.answered_twice)} answered twice, {len(outcome.unattributed)} stray replies"
    )
    if outcome.records:
        print(
            f"  records                 {sum(outcome.records.values())} for "
            f"{len(outcome.records)} updates, {len(outcome.unrecorded)} unrecorded, "
            f"{len(outcome.recorded_twice)} recorded twice"
        )
    for note in result.notes:
        print(f"  {note}")
    for name, ok in result.checks.items():
        print(f"  [{'ok' if ok else 'FAIL'}] {name}")


def print_logs(work: Path) -> None:
    for log in sorted(work.glob("**/*.log")):
        print(f"\n--- {log} (tail) ---\n{log.read_text(errors='replace')[-3000:]}")


async def bench(args: argparse.Namespace) -> int:
    phases = set(args.phases.split(","))
    with tempfile.TemporaryDirectory(prefix="ktbot-load-") as tmp:
        work = Path(tmp)
        kb = write_synthetic_kb(work / "knowledge", args.kb_examples, args.examples_per_topic)
        print(f"knowledge base: {kb.root}: {ktbot_check(kb.root)}")
        print(
            f"load: {args.users} closed-loop users, {args.duration:g} s per phase "
            f"(first {args.warmup:g} s not counted), {len(kb.queries)} distinct questions; "
            f"echo bot and ktbot both with {CONCURRENT_UPDATES} concurrent updates"
        )
        results: list[PhaseResult] = []
        echo_rates: list[float] = []
        ktbot_rates: list[float] = []
        for number in range(1, args.rounds + 1):
            # Alternate the two bots: on a shared machine, drift hits both alike.
            round_dir = work / f"round{number}"
            round_dir.mkdir()
            if "echo" in phases:
                results.append(await echo_phase(args, kb.queries, round_dir))
                echo_rates.append(results[-1].throughput)
                print_phase(results[-1])
            if "ktbot" in phases:
                results.append(await ktbot_phase(args, kb, round_dir))
                ktbot_rates.append(results[-1].throughput)
                print_phase(results[-1])
        if echo_rates and ktbot_rates:
            ratio = statistics.median(ktbot_rates) / statistics.median(echo_rates)
            verdict = "meets" if ratio >= TARGET_RATIO else "BELOW"
            of = f"medians of {args.rounds} rounds, " if args.rounds > 1 else ""
            target = f"{verdict} the target ≥ {TARGET_RATIO}"
            print(f"\nratio ktbot/echo        {ratio:.2f} ({of}{target})")
        if "kill" in phases:
            results.append(await kill_phase(args, kb, work))
            print_phase(results[-1])
        if "term" in phases:
            results.append(await term_phase(args, kb, work))
            print_phase(results[-1])
        failed = [f"{r.name}: {name}" for r in results for name, ok in r.checks.items() if not ok]
        if failed:
            print("\nFAILED: " + "; ".join(failed))
            if args.keep_logs:
                print_logs(work)
            return 1
        print("\nall checks passed")
        return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=12.0, help="seconds of load per phase")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds not counted")
    parser.add_argument("--users", type=int, default=100, help="simulated users (closed loop)")
    parser.add_argument("--kb-examples", type=int, default=1000)
    parser.add_argument("--examples-per-topic", type=int, default=10)
    parser.add_argument(
        "--reply-timeout",
        type=float,
        default=5.0,
        help="kill/term phases: a user whose reply was lost asks again after this",
    )
    parser.add_argument("--phases", default="echo,ktbot,kill,term")
    parser.add_argument(
        "--rounds", type=int, default=1, help="echo and ktbot phases, alternated, this many times"
    )
    parser.add_argument("--keep-logs", action="store_true", help="print the bots' logs on failure")
    args = parser.parse_args(argv)
    if args.warmup >= args.duration:
        parser.error("--warmup must be shorter than --duration")
    return asyncio.run(bench(args))


if __name__ == "__main__":
    raise SystemExit(main())
