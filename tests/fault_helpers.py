"""Helpers shared by the fault tests: the question asked, and polling for a condition."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

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
