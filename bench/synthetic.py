"""Invented vocabulary for synthetic knowledge bases (bench/latency.py, bench/load.py).

Words made of random syllables, a few of them popular (Zipf-like) so that topics share some
terms, phrased through the templates people use to ask about things.
"""

from __future__ import annotations

import random

SYLLABLES = [c + v for c in "bcdfghjklmnprstvz" for v in "aeiou"] + ["qu", "th", "sh", "ch"]
TEMPLATES = (
    "what is {a}",
    "what is the {a} {b}",
    "tell me about {a}",
    "how does {a} work",
    "who runs the {a} {b}",
    "can i use {a} for {b}",
    "where can i find {a}",
    "how do i apply to {a}",
    "is {a} related to {b}",
    "what does {a} do",
    "{a} {b}",
    "{a}",
    "information on {a} and {b}",
    "explain the {a} project",
    "when did {a} start",
    "why is {a} important for {b}",
    "how can my company join {a}",
    "who should i contact about {a}",
    "does cern offer {a}",
    "{a} {b} at cern",
)
TWO_TERM_TEMPLATES = tuple(t for t in TEMPLATES if t != "{a}")
"""Without the bare-term template, so that every example reads as a question."""


class InventedWords:
    """A seeded source of invented words and of the terms a topic is about."""

    def __init__(self, rng: random.Random, size: int = 12_000) -> None:
        self.rng = rng
        self.vocabulary = list(dict.fromkeys(self.word() for _ in range(size)))
        self.popularity = [1 / (rank + 1) ** 0.8 for rank in range(len(self.vocabulary))]

    def word(self) -> str:
        rng = self.rng
        syllables = rng.choice((2, 2, 3, 3, 4))
        return "".join(rng.choice(SYLLABLES) for _ in range(syllables)) + rng.choice(
            ("", "", "n", "s", "r", "x")
        )

    def topic_terms(self) -> list[str]:
        """Three terms of its own and two drawn by popularity (often shared)."""
        rng = self.rng
        return rng.sample(self.vocabulary, 3) + rng.choices(self.vocabulary, self.popularity, k=2)
