"""`--since 7d`: the ages staff type, read as timedeltas."""

from __future__ import annotations

import re
from datetime import timedelta

_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
MAX_DURATION = timedelta(days=100 * 366)
"""Longer ages reach before year 1 (a crash, not "everything"): `all` means no limit."""


def parse_duration(text: str) -> timedelta:
    """`30m`, `12h`, `7d`, `2w` → timedelta; anything else raises ValueError saying what
    works."""
    match = _DURATION.match(text)
    if match is None or int(match[1]) == 0:
        raise ValueError(
            f"invalid duration {text!r}: use a positive number followed by m (minutes), "
            "h (hours), d (days) or w (weeks), e.g. 12h, 7d, 2w, 30m"
        )
    unit = _UNITS[match[2].lower()]
    if int(match[1]) > MAX_DURATION // unit:  # checked before multiplying: no OverflowError
        raise ValueError(
            f"duration {text!r} is too long: at most 100 years (use 'all' for no limit)"
        )
    return int(match[1]) * unit
