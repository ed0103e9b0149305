"""Is this a question about another organisation's own business?

"Does DESY sell beam time to industry?", "Who handles technology transfer at GSI?", "What is
the ESA business incubation deadline?" share every word but one with CERN's own questions, so
the declined examples alone cannot tell them apart: one name weighs little against the words
they share. Whoever asks the KT assistant of CERN about another lab's office deserves the
honest "not mine to answer" rather than CERN's rules presented as that lab's.

The organisation must be what the question asks about: its office, programme or rules ("at
GSI", "DESY's village", "does ESA license"), in a sentence that asks and names neither
CERN nor (see the matcher) any of its topics. Where the writer merely comes from there ("I'm at
ETH. How do we license a CERN patent?", "a DESY group wants beam time") it is no cue.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from intents.text.dictionary import everyday_words
from intents.text.normalize import I_AM, WE_ARE, normalize_text, words, written_as

_ABOUT_IT = (
    r"(?:tto|tech transfer|technology transfer|knowledge transfer|office|programme|program"
    r"|incubat\w*|business incubation|bic|label|funds?|funding|grants?"
    r"|licen[cs]\w*|patents?|ip|beam time|beamtime|facilit\w*|polic\w*|rules|innovation"
    r"|accelerator programme|call|calls|deadline|fellowships?|translational|software"
    r"|products?|technology|technologies|devices?|systems?|terms|equity|royalt\w*"
    r"|commercial arm|licensing arm"
    # A society's own meetings and rules: "the EANM congress", "ESTRO guidelines"
    r"|congress|conference|annual meeting|meeting|symposium|abstracts?|guidelines?"
    r"|membership|journal"
    # "an IAEA technical cooperation project"
    r"|projects?|cooperation)"
)
"""What an organisation has that a KT question may be about (after the name). Not "spin-off"
or "start-up": "can a DESY spin-off license a patent?" is a spin-off asking."""
_PEOPLE = (
    r"(?:physicists?|researchers?|scientists?|engineers?|students?|professors?|postdocs?"
    r"|doctors?|clinicians?|groups?|teams?|labs?|colleagues?|spinoffs?|startups?|start ups?"
    r"|company|companies|firms?|partners?|department)"
)
_AT = (
    r"(?:at|of|from|by|to|a|au|aux|chez|de|du|des|bei|beim|von|vom|am|im|presso|del"
    r"|della|dello|en) (?:(?:the|la|le|les|el|il|lo|der|die|das|dem|den) )?"
)
"""Before a name: "at", "of", "from"… in the five languages the bot reads ("à l'EPFL",
"beim DESY", "en el PSI"). Not "with": "which projects are developed with EPFL?" asks
about CERN's."""
_MEMBER = (
    rf"\b(?:(?:{I_AM}|{WE_ARE}|i work|we work|working|based|studying|i study"
    r"|je suis|je travaille|nous sommes|nous travaillons|ich bin|ich arbeite|wir sind"
    r"|wir arbeiten|sono|lavoro|siamo|lavoriamo|soy|trabajo|somos|trabajamos)(?: \w+){0,3}"
    rf"|(?:an?|our|my) (?:\w+ ){{0,3}}{_PEOPLE}) (?:in |with )?{_AT}"
)
"""Someone of the organisation ("a physicist at PSI", "we are from ETH"): the writer, not the
subject of the question."""


_PRICE = r"(?:prices?|priced|pricing|price list|costs?|costing|charges?|charging|quotes?|quotation)"
"""A price asked: "What would THERYQ charge for…", "the Varian Halcyon's cost", "the list price
of an IBA system". What a company sells is its own to price, whichever CERN project the
question names as context."""
_SALE = r"(?:sells?|selling|sold)"
"""What a listed organisation sells ("Does IBA sell…") is its business; whether a partner a
topic names sells the device ("Does THERYQ sell the FLASH device?") is the topic's."""

_HOME = re.compile(r"\bcern\b", re.IGNORECASE)
"""A question naming CERN asks about CERN, whatever other organisation it names."""
_NOT_HOME = re.compile(
    r"\b(?:not|rather than|instead of|nothing to do with|unrelated to|other than)"
    r"(?: (?:from|at|by|with|to|of))? (?:the )?cern\b",
    re.IGNORECASE,
)
"""CERN named only to be set aside: "the patent belongs to PSI, not CERN. Who at PSI handles
licensing?" asks about PSI's office."""


def _names_cern(question: str) -> bool:
    return _HOME.search(_NOT_HOME.sub(" ", question)) is not None


_LIKE = re.compile(
    r"\b(?:like|similar to|comparable to|equivalent to|the equivalent of|akin to"
    r"|modelled on|modeled on|comme|wie|come|como) (?:(?:the|a|an|your) )?$"
)
"""Right before a name, a comparison: "a medical isotope programme like MEDICIS"."""


_OWN_POLICY = re.compile(
    r"\b(?:our|my) (?:own )?(?:university|universitys|institute|institution|hospital|lab"
    r"|laboratory|company|employer|organisation|organization|school|college|faculty)(?: s)?"
    r" (?:own )?(?:ip|intellectual property|patent|inventor|invention|revenue sharing"
    r"|royalty sharing|licensing|spin ?off|start ?up) polic(?:y|ies)\b"
)
"""The writer's own institution's rules ("Our university's IP policy gives inventors 30 %: is
that fair?"): theirs to apply, not CERN's to judge."""


def asks_about_own_policy(question: str) -> bool:
    """Whether `question` (the sentences that ask, and the one they point back to: "Our
    university's IP policy gives inventors 30 %. Is that fair?") is about the writer's own
    institution's IP or licensing policy, without naming CERN ("How does CERN's compare?")."""
    return not _HOME.search(question) and bool(_OWN_POLICY.search(normalize_text(question)))


def compared(question: str, names: Collection[str]) -> frozenset[str]:
    """The `names` (as the matcher found them: folded words) that `question` only compares
    with: "Does Fermilab run a medical isotope programme like MEDICIS?" asks about
    Fermilab's programme, not about MEDICIS, so Fermilab's is the thing asked."""
    if not names:
        return frozenset()
    plain = normalize_text(question)
    only: set[str] = set()
    for name in names:
        found = [m.start() for m in re.finditer(rf"\b{re.escape(name)}\b", plain)]
        if found and all(_LIKE.search(plain, 0, at) for at in found):
            only.add(name)
    return frozenset(only)


@dataclass(frozen=True, slots=True)
class OtherOrganisations:
    owner: re.Pattern[str]
    """Any listed name as the owner of what is asked."""
    thing: re.Pattern[str]
    """Any listed name followed by what it owns ("ESA business incubation")."""
    member: re.Pattern[str]
    """Any listed name as where the writer comes from."""
    seller: re.Pattern[str]
    """Any listed name as the seller of what a price is asked for."""
    name: re.Pattern[str]
    """Any listed name or seller: which one a pattern found."""
    spelled: Mapping[str, str]
    """A name as matched (normalised words) -> as staff wrote it; empty: no names listed."""
    selling: Mapping[str, str] = field(default_factory=dict)
    """The same for the listed names and the sellers (`KnowledgeBase.sellers`): whose price
    is declined."""
    starting: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    """First word of a name -> the names (as matched, in words) it starts."""
    everyday: frozenset[str] = frozenset()
    """Acronyms that are also everyday words in a language the bot reads ("MIT" and German
    "mit", "ESO" and Spanish "eso", "ILL" and "ill"): they count only in capitals, unless
    the writer uses no capitals at all."""
    selling_starting: Mapping[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    """As `starting`, for the listed names and the sellers: every pattern of `owner_of` and
    `seller_of` needs one of them, as whole words (`_names_one`)."""

    @classmethod
    def build(cls, names: Iterable[str], sellers: Iterable[str] = ()) -> OtherOrganisations:
        """From the names staff list in the knowledge base (`other_organisations:`), and
        the companies whose prices only are declined (`sellers:`)."""
        spelled = _as_matched(names)
        selling = _as_matched(sellers) | spelled
        org, any_seller = _alternatives(spelled), _alternatives(selling)
        verb = r"(?:does|do|did|can|could|will|would|is|are|has|have)"
        acronyms = {key for key, name in selling.items() if name.isupper() and " " not in key}
        # "ETH's spin-off terms": the possessive's s is a word of its own after `words()`.
        thing = rf"\b{org} (?:s )?(?:\w+ ){{0,2}}{_ABOUT_IT}\b"
        # "PSI also does proton therapy - how do I license from their tech transfer office?"
        theirs = rf"\b{org}\b.*\b(?:their|its) (?:\w+ ){{0,2}}{_ABOUT_IT}\b"
        return cls(
            re.compile(rf"\b{_AT}{org}\b|\b{verb} (?:the |an? )?{org}\b|{thing}|{theirs}"),
            re.compile(thing),
            re.compile(
                rf"{_MEMBER}{any_seller}\b|\b(?:an?|our|my) {any_seller} (?:\w+ )?{_PEOPLE}\b"
            ),
            re.compile(
                rf"\b{any_seller} (?:s )?(?:\w+ ){{0,2}}{_PRICE}\b"
                rf"|\b{_PRICE} (?:\w+ ){{0,6}}?(?:of|from|by) (?:an? |the |one )?{any_seller}\b"
                # "How much does an IBA Proteus ONE compact proton system cost?"
                rf"|\bhow much (?:does|do|did|would|will|is|are) (?:an? |the |one )?{any_seller}"
                r"(?: \w+){0,6}? cost\b"
                rf"|\b{org} (?:s )?(?:\w+ ){{0,2}}{_SALE}\b"
            ),
            re.compile(rf"\b{any_seller}\b"),
            MappingProxyType(spelled),
            MappingProxyType(selling),
            MappingProxyType(_by_first_word(spelled)),
            frozenset(acronyms & everyday_words()) if acronyms else frozenset(),
            MappingProxyType(_by_first_word(selling)),
        )

    def names_any(self, text: str) -> bool:
        """Whether `text` names any listed organisation (a tenth of the cost of `name`'s
        search: only the words that start a name are looked at)."""
        return _names_one(words(text), self.starting)

    def owner_of(self, question: str, possessive: bool = False) -> str | None:
        """The listed organisation whose own office, programme or rules `question` (the
        sentences of a message that ask) is about, as staff wrote its name; else None.
        CERN named in the question makes it CERN's; named only in the other sentences, it
        does not ("We're considering GSI instead of CERN. How does GSI handle industrial
        users?"). `possessive`: only where the name comes first ("ESA's incubation centre",
        "ESA technology transfer programme"), not "at ESA" or "does ESA…"."""
        return self._found(self.thing if possessive else self.owner, question)

    def seller_of(self, question: str) -> str | None:
        """The listed organisation whose price `question` asks ("What would THERYQ charge
        for one unit?", "the list price of an IBA gantry"), as staff wrote its name; else
        None. Unlike `owner_of`, whatever topic the question also names: a company's price
        list is never CERN's to give. CERN named in the question makes it CERN's price."""
        return self._found(self.seller, question)

    def _found(self, pattern: re.Pattern[str], question: str) -> str | None:
        """The organisation `pattern` finds first in `question`, unless the question names
        CERN or the writer merely comes from the organisation."""
        # Every pattern names a listed organisation or a seller as whole words: without one
        # (most questions), none matches, and their alternations of every name, tried at
        # every word, are not searched at all (20-30 µs on a long message).
        question_words = words(question)
        if not _names_one(question_words, self.selling_starting) or _names_cern(question):
            return None
        plain = " ".join(question_words)  # `normalize_text`, from the words already read
        if self.member.search(plain):
            return None
        cased = question != question.lower()
        for found in pattern.finditer(plain):
            name = self.name.search(found.group())
            assert name is not None  # the pattern matched one of the names
            spelled = self.selling[name.group()]
            if cased and name.group() in self.everyday and not written_as(spelled, question):
                continue  # "Was passiert mit dem Patent?": German, not MIT
            return spelled
        return None


def _names_one(found: Sequence[str], starting: Mapping[str, tuple[tuple[str, ...], ...]]) -> bool:
    """Whether the words `found` hold one of the names of `starting` (first word -> the names
    it starts, as words)."""
    return any(
        tuple(found[at : at + len(name)]) == name
        for at, word in enumerate(found)
        for name in starting.get(word, ())
    )


def _as_matched(names: Iterable[str]) -> dict[str, str]:
    """Each name as the patterns match it (normalised words) -> as staff wrote it."""
    matched = {normalize_text(name): name.strip() for name in names}
    matched.pop("", None)
    return matched


def _alternatives(spelled: Iterable[str]) -> str:
    """A pattern finding any of the names (normalised words); longest first, so "eth zurich"
    is found whole rather than as "eth". Matches nothing when there are none."""
    names = sorted(spelled, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(name) for name in names) + ")" if names else "(?!)"


def _by_first_word(names: Iterable[str]) -> dict[str, tuple[tuple[str, ...], ...]]:
    starting: dict[str, tuple[tuple[str, ...], ...]] = {}
    for name in names:
        split = tuple(name.split(" "))
        starting[split[0]] = (*starting.get(split[0], ()), split)
    return starting
