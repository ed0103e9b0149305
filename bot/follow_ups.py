"""What each user's last answered question was about, for a follow-up that points back.

"Can we license it?" right after "What is GaToroid?" asks about GaToroid. The matcher reads
such a follow-up with the question it follows (`Matcher.match(..., follows=…)`); this
remembers, per user, the question to give it: in memory only (a restart forgets, as a person
would after a pause), for a limited time, for a bounded number of users.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

FOLLOW_UP_SECONDS = 30 * 60
"""A question asked longer ago than this is no longer what "it" points to."""
MAX_USERS = 10_000
"""The users remembered at most; the one who wrote least recently is forgotten first."""


class RecentSubjects:
    """Per user key, the last question answered (or topic chosen) and when."""

    def __init__(
        self,
        *,
        seconds: float = FOLLOW_UP_SECONDS,
        capacity: int = MAX_USERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._seconds = seconds
        self._capacity = capacity
        self._clock = clock
        self._subjects: OrderedDict[str, tuple[str, float]] = OrderedDict()

    def remember(self, user_key: str, subject: str) -> None:
        self._subjects[user_key] = (subject, self._clock())
        self._subjects.move_to_end(user_key)
        while len(self._subjects) > self._capacity:
            self._subjects.popitem(last=False)

    def recall(self, user_key: str) -> str | None:
        """The user's last subject, if recent enough."""
        found = self._subjects.get(user_key)
        if found is None:
            return None
        subject, when = found
        if self._clock() - when > self._seconds:
            del self._subjects[user_key]
            return None
        return subject

    def forget(self, user_key: str) -> None:
        self._subjects.pop(user_key, None)

    def __len__(self) -> int:
        return len(self._subjects)
