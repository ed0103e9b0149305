"""Which of a project's topics is asked: "FLASH status??" is about the FLASH facility's
milestones, not FLASH radiotherapy in general.

Some projects have more than one topic: FLASH and the FLASH facility's status and funding,
MEDICIS and how to get its isotopes. A message naming the project lifts all of them alike
(`names`), and the words around the name should say which one is meant; but a short
message ("flash radiotheraphy chuv status??") is closer to the overview's many examples than
to the one word that makes it a status question. A topic's `aspects:` in the knowledge base
are those words: in a message that names a project this topic shares with others, an aspect
says this topic is the one asked. It is then answered and the other topics of the name are
offered with it. Aspects are not indexed, so they change nothing for any other message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from intents.text.features import terms

Phrase = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Aspects:
    """Per topic (by index), the stemmed phrases that say it is the one asked."""

    phrases: Mapping[int, tuple[Phrase, ...]]
    family: Mapping[int, tuple[int, ...]]
    """Per named topic, the other topics that use one of its names and have aspects: a
    message may name the project by any of its names ("VHEE" as well as "FLASH")."""

    @classmethod
    def build(
        cls,
        aspects: Sequence[Iterable[str]],
        users: Mapping[tuple[str, ...], tuple[int, ...]] = MappingProxyType({}),
        named: Mapping[tuple[str, ...], tuple[int, ...]] = MappingProxyType({}),
    ) -> Aspects:
        """`aspects[i]`: the aspects of topic i, as written in the knowledge base; `named`:
        name -> the topics it names, `users`: name -> the topics whose examples use it."""
        found: dict[int, tuple[Phrase, ...]] = {}
        for topic, written in enumerate(aspects):
            phrases = tuple(dict.fromkeys(p for a in written if (p := tuple(terms(a, limit=16)))))
            if phrases:
                found[topic] = phrases
        family: dict[int, set[int]] = {}
        for name, topics in named.items():
            with_aspects = {t for t in users.get(name, ()) if t in found}
            for topic in topics:
                family.setdefault(topic, set()).update(with_aspects - {topic})
        return cls(
            MappingProxyType(found),
            MappingProxyType({t: tuple(sorted(f)) for t, f in family.items() if f}),
        )

    def asked(self, named: int, message_terms: Sequence[str]) -> list[int]:
        """The other topics of the project `named` names that an aspect in `message_terms`
        (stemmed words) points to; none when one of `named`'s own aspects is there too."""
        family = self.family.get(named)
        if not family or self._points_to(named, message_terms):
            return []
        return [topic for topic in family if self._points_to(topic, message_terms)]

    def claimed(self, named: int, message_terms: Sequence[str]) -> tuple[int, ...]:
        """The other topics of the project `named` names, when only an aspect of `named`
        itself is in `message_terms` ("how much would a FLASH collaboration cost us?" asks
        about FLASH, not about its facility's status); else none."""
        family = self.family.get(named, ())
        own = self.phrases.get(named, ())
        if not self._points_to(named, message_terms) or any(
            self._points_to(topic, message_terms, besides=own) for topic in family
        ):
            return ()
        return family

    def _points_to(
        self, topic: int, message_terms: Sequence[str], besides: tuple[Phrase, ...] = ()
    ) -> bool:
        """Whether an aspect of `topic` is in `message_terms`; one it shares with `besides`
        (the named topic's) says nothing about which of the two is asked ("collaboration"
        is an aspect of FLASH and of MEDICIS, whose examples mention FLASH)."""
        return any(
            _contains(message_terms, phrase)
            for phrase in self.phrases.get(topic, ())
            if phrase not in besides
        )


def _contains(words: Sequence[str], phrase: Phrase) -> bool:
    if len(phrase) == 1:
        return phrase[0] in words
    size = len(phrase)
    return any(
        tuple(words[i : i + size]) == phrase
        for i in range(len(words) - size + 1)
        if words[i] == phrase[0]
    )
