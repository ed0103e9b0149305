"""Per-user flood protection: a token bucket per key, with an injectable clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"
    """First refusal in a burst: tell the user once to slow down."""
    DROP = "drop"
    """Further refusals: ignore silently, record nothing."""


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class RateLimiter:
    """Allows `per_minute` messages a minute per key, with bursts up to `burst`."""

    def __init__(
        self,
        per_minute: int,
        *,
        burst: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(burst if burst is not None else max(3, per_minute // 2))
        self._clock = clock
        self._buckets: dict[object, _Bucket] = {}
        self._max_keys = max_keys

    def check(self, key: object) -> Verdict:
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:
                self._evict(now)
            bucket = self._buckets[key] = _Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return Verdict.ALLOW
        if bucket.warned:
            return Verdict.DROP
        bucket.warned = True
        return Verdict.WARN

    def _evict(self, now: float) -> None:
        # Buckets that have refilled completely carry no information; drop them first.
        full = [
            k
            for k, b in self._buckets.items()
            if b.tokens + (now - b.updated) * self.rate >= self.capacity
        ]
        for key in full or list(self._buckets)[: len(self._buckets) // 2]:
            del self._buckets[key]
