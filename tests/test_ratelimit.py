"""Per-user flood protection: a token bucket per key, driven here by a fake clock."""

from __future__ import annotations

import pytest

from bot.ratelimit import RateLimiter, Verdict

ALLOW, WARN, DROP = Verdict.ALLOW, Verdict.WARN, Verdict.DROP


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def verdicts(limiter: RateLimiter, key: object, times: int) -> list[Verdict]:
    return [limiter.check(key) for _ in range(times)]


@pytest.mark.parametrize(
    ("per_minute", "burst", "allowed"),
    [
        (60, None, 30),  # half a minute's worth
        (4, None, 3),  # but never fewer than 3
        (60, 5, 5),  # or as asked
        (60, 1, 1),
    ],
)
def test_a_burst_is_allowed_then_one_warning_then_silence(
    clock: Clock, per_minute: int, burst: int | None, allowed: int
) -> None:
    limiter = RateLimiter(per_minute, burst=burst, clock=clock)

    assert verdicts(limiter, "u", allowed + 3) == [ALLOW] * allowed + [WARN, DROP, DROP]


def test_tokens_come_back_at_the_rate_per_minute(clock: Clock) -> None:
    limiter = RateLimiter(30, burst=2, clock=clock)  # one token every 2 s
    assert verdicts(limiter, "u", 3) == [ALLOW, ALLOW, WARN]

    clock.now += 1.9
    assert limiter.check("u") is DROP
    clock.now += 0.1
    assert limiter.check("u") is ALLOW
    assert limiter.check("u") is WARN  # a new burst is warned again, once


def test_a_long_pause_refills_the_bucket_only_up_to_the_burst(clock: Clock) -> None:
    limiter = RateLimiter(60, burst=3, clock=clock)
    verdicts(limiter, "u", 3)

    clock.now += 3600
    assert verdicts(limiter, "u", 5) == [ALLOW, ALLOW, ALLOW, WARN, DROP]


def test_each_key_has_its_own_bucket(clock: Clock) -> None:
    limiter = RateLimiter(60, burst=2, clock=clock)

    assert verdicts(limiter, "alice", 3) == [ALLOW, ALLOW, WARN]
    assert verdicts(limiter, "bob", 2) == [ALLOW, ALLOW]
    assert limiter.check("alice") is DROP


def test_when_full_it_forgets_refilled_buckets_first(clock: Clock) -> None:
    limiter = RateLimiter(60, burst=3, clock=clock, max_keys=3)  # one token a second
    assert verdicts(limiter, "drained", 3) == [ALLOW] * 3
    limiter.check("b")
    limiter.check("c")

    clock.now += 1.5  # b and c are full again; "drained" has 1.5 tokens
    limiter.check("d")  # a fourth key: b and c are forgotten, "drained" is kept

    assert verdicts(limiter, "drained", 2) == [ALLOW, WARN]


def test_when_full_and_no_bucket_is_refilled_it_forgets_the_oldest_half(clock: Clock) -> None:
    limiter = RateLimiter(60, burst=2, clock=clock, max_keys=2)
    verdicts(limiter, "first", 2)
    verdicts(limiter, "second", 2)

    limiter.check("third")  # nobody is refilled: "first", the older half, is forgotten

    assert limiter.check("second") is WARN  # still drained
    assert limiter.check("first") is ALLOW  # a fresh bucket
