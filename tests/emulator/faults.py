"""Fault injection: make chosen calls fail or answer late, for reliability tests."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ApiError
from .models import JsonDict


@dataclass(eq=False)
class Fault:
    """The next ``times`` matching calls answer ``error`` (after ``delay`` seconds).

    Without ``error`` a delayed call is then carried out normally: its effect happens even if
    the client gave up waiting, as with a slow Telegram. ``method`` None matches every method;
    ``chat_id`` restricts the fault to calls about that chat. ``times`` None never runs out.
    """

    method: str | None
    error: ApiError | None = None
    delay: float = 0.0
    times: int | None = 1
    chat_id: int | str | None = None

    def matches(self, method: str, params: JsonDict) -> bool:
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or params.get("chat_id") == self.chat_id


class FaultPlan:
    """Faults waiting to happen, checked in the order they were added."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        if fault.error is None and fault.delay <= 0:
            raise ValueError("a fault needs an error or a delay")
        self._faults.append(fault)
        return fault

    def remove(self, fault: Fault) -> None:
        if fault in self._faults:
            self._faults.remove(fault)

    def clear(self) -> None:
        self._faults.clear()

    def active(self) -> list[Fault]:
        return list(self._faults)

    def take(self, method: str, params: JsonDict) -> Fault | None:
        """The first fault matching this call, counting it as used."""
        for fault in self._faults:
            if fault.matches(method, params):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                return fault
        return None
