"""Run `ktbot run` as a real subprocess against the Bot API emulator.

Used by the end-to-end, crash-safety and fault suites and by `bench/load.py`: the bot is the
installed console script, configured only through environment variables, exactly as in
production.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.emulator import BotApiEmulator

REPO = Path(__file__).resolve().parent.parent
SHIPPED_KNOWLEDGE = REPO / "knowledge"
ADMIN_ID = 900_001
STAFF_CHAT_ID = -100_777


def ktbot_command() -> list[str]:
    """The console script next to this interpreter, or `python -m bot` as a fallback."""
    script = Path(sys.executable).with_name("ktbot")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "bot"]


@dataclass
class BotProcess:
    """One `ktbot run` process; its combined stdout/stderr is kept in `log_path`."""

    emulator: BotApiEmulator
    workdir: Path
    knowledge_dir: Path
    extra_env: Mapping[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    process: asyncio.subprocess.Process | None = None
    starts: int = 0

    @property
    def db_path(self) -> Path:
        return self.workdir / "data" / "ktbot.sqlite3"

    @property
    def log_path(self) -> Path:
        return self.workdir / "ktbot.log"

    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("KTBOT_", "TELEGRAM_"))
        }
        env.update(
            {
                "TELEGRAM_BOT_TOKEN": self.emulator.token,
                "KTBOT_TELEGRAM_API_URL": self.emulator.api_url,
                "KTBOT_KNOWLEDGE_DIR": str(self.knowledge_dir),
                "KTBOT_DB": str(self.db_path),
                "KTBOT_SECRET": "end-to-end-test-secret",
                "KTBOT_ADMIN_IDS": str(ADMIN_ID),
                "KTBOT_STAFF_CHAT_ID": str(STAFF_CHAT_ID),
                # The emulator is local: Telegram's send throttling would only slow tests down.
                "KTBOT_SEND_RATE_PER_SECOND": "0",
                "KTBOT_LOG_LEVEL": "INFO",
                "PTB_TIMEDELTA": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return env

    async def start(self, *, wait_ready: bool = True, timeout: float = 90) -> None:  # noqa: ASYNC109
        # A liveness bound, not a speed check: start-up is ~2 s, but on a loaded 2-core
        # machine the first Bot API calls can time out and be retried with back-off.
        assert self.process is None or self.process.returncode is not None, "already running"
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        try:
            self.process = await asyncio.create_subprocess_exec(
                *ktbot_command(),
                "run",
                *self.args,
                env=self.env(),
                cwd=self.workdir,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
            )
        finally:
            log.close()
        self.starts += 1
        if wait_ready:
            await self.wait_for_log("ktbot is running", occurrence=self.starts, timeout=timeout)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    async def wait_for_log(
        self,
        needle: str,
        *,
        occurrence: int = 1,
        timeout: float = 30,  # noqa: ASYNC109 - a test API, like the emulator's waits
    ) -> str:
        """Wait until `needle` has appeared `occurrence` times in the log; return the log."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            text = self.log_text()
            if text.count(needle) >= occurrence:
                return text
            if self.process is not None and self.process.returncode is not None:
                raise AssertionError(
                    f"ktbot exited with {self.process.returncode} before logging {needle!r}:\n"
                    + text[-4000:]
                )
            if loop.time() > deadline:
                raise AssertionError(
                    f"ktbot did not log {needle!r} within {timeout}s:\n" + text[-4000:]
                )
            await asyncio.sleep(0.05)

    async def stop(self, sig: int = signal.SIGTERM, *, timeout: float = 20) -> int:  # noqa: ASYNC109
        """Send `sig` and wait for the exit code (SIGKILL after `timeout`)."""
        process = self.process
        if process is None:
            return 0
        if process.returncode is not None:
            return process.returncode
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
        try:
            return await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise AssertionError(
                f"ktbot did not stop within {timeout}s of signal {sig}:\n" + self.log_text()[-4000:]
            ) from None

    async def kill(self) -> None:
        await self.stop(signal.SIGKILL)


def copy_knowledge(target: Path, source: Path = SHIPPED_KNOWLEDGE) -> Path:
    """A private, editable copy of a knowledge directory (tests edit it to trigger reloads)."""
    shutil.copytree(source, target)
    return target


@contextlib.asynccontextmanager
async def running_ktbot(
    emulator: BotApiEmulator,
    workdir: Path,
    *,
    knowledge_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    args: tuple[str, ...] = (),
) -> AsyncIterator[BotProcess]:
    """A started `ktbot run`; stopped with SIGTERM (then SIGKILL) when the block ends."""
    knowledge = knowledge_dir or copy_knowledge(workdir / "knowledge")
    bot = BotProcess(emulator, workdir, knowledge, dict(env or {}), args)
    await bot.start()
    try:
        yield bot
    finally:
        with contextlib.suppress(AssertionError):
            await bot.stop()
