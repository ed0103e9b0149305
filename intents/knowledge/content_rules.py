"""What an answer may say and how long it may be: the content rules `ktbot check` enforces.

The schema (`models`) says what a topic looks like; these rules say what staff must
not publish: an answer Telegram would refuse as too long, a contact detail nobody verified,
HTML that would be shown as typed, a link without https. Findings are located inside the
topic (`("answer",)`, `("links", 0, "url")`) and the loader turns them into `path:line`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from intents.knowledge.models import Contact, Topic
from intents.text.limits import TELEGRAM_MESSAGE_LIMIT
from intents.text.markup import BlockKind, parse_markup

Location = tuple[str | int, ...]

REPLY_NOTE_ALLOWANCE = 120
"""Room kept for what the bot may put above an answer besides the topic (the note that a
very long question was cut): the message must fit with it."""

LINK_ICON = "🔗 "
CONTACT_PREFIX = "👤 Contact: "
"""How the Telegram reply shows links and contacts (`bot.rendering.reply_html`); a test
keeps the two in step by measuring real replies against `message_length`."""

_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}")
# International (+41 22 767 0000, 0041 22 …) or national (022 767 00 00) numbers, and tel:
# links. Years, ranges and figures ("2010-2017", "1 500 patients") have no leading + or 0.
# National numbers are only matched with spaces, so a date (01.12.2025) is not one.
_PHONE = re.compile(
    r"tel:[+\d][\d ().\-/]*\d"
    r"|(?<![\w+])(?:\+|00)\d[\d ().\-/]{6,}\d"
    r"|(?<![\w.,])0\d{1,3}(?: \d{2,4}){2,}(?![\w])"
)
_MIN_PHONE_DIGITS = 8
_RAW_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
# A sentence's full stop or comma after the address is not part of it.
_PLAIN_HTTP = re.compile(r"\bhttp://[^\s)\]>\"]+(?<![.,;:!?])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem inside one entry (a topic or a contact), at `location` within it."""

    location: Location
    message: str
    warning: bool = False


def message_length(topic: Topic, contacts: Iterable[Contact]) -> int:
    """A bound on the visible length of the Telegram message answering with `topic`.

    Counted as Telegram does (the text left after HTML parsing, in UTF-16 units, so an
    emoji counts 2), with the title, links and `contacts` line as the bot sends them, every
    block break as a blank line, and `REPLY_NOTE_ALLOWANCE` on top.
    """
    blocks = []
    for block in parse_markup(topic.answer).blocks:
        text = "".join(span.text for span in block.spans)
        if block.kind is BlockKind.BULLET:
            text = "• " + text
        elif block.kind is BlockKind.NUMBERED:
            text = f"{block.number}. {text}"
        blocks.append(text)
    lines = [topic.title, "", "\n\n".join(blocks)]
    names = [f"{c.name} ({c.email})" if c.email and not c.url else c.name for c in contacts]
    if topic.links or names:
        lines.append("")
        lines += [LINK_ICON + link.title for link in topic.links]
        if names:
            lines.append(CONTACT_PREFIX + ", ".join(names))
    return REPLY_NOTE_ALLOWANCE + _utf16_length("\n".join(lines))


def _utf16_length(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def shown_contacts(topic: Topic, known: Mapping[str, Contact]) -> tuple[Contact, ...]:
    """The contacts a reply with `topic` shows: its own, or else one default contact, which
    the bot picks when answering; the one with the longest line stands for it here."""
    if topic.contacts:
        return tuple(known[c] for c in topic.contacts if c in known)
    longest = max(known.values(), key=lambda c: len(c.name) + len(c.email or ""), default=None)
    return (longest,) if longest is not None else ()


def topic_findings(topic: Topic, known_contacts: Mapping[str, Contact]) -> list[Finding]:
    """Everything wrong with what `topic` shows users.

    `known_contacts` are all the contacts of the knowledge base: the only e-mail addresses
    and phone numbers an answer may show are theirs ("never invent a contact").
    """
    findings: list[Finding] = []
    length = message_length(topic, shown_contacts(topic, known_contacts))
    if length > TELEGRAM_MESSAGE_LIMIT:
        findings.append(
            Finding(
                ("answer",),
                f"the reply (title, answer, links and contact as sent in Telegram) is about "
                f"{length:,} characters, {length - TELEGRAM_MESSAGE_LIMIT:,} over Telegram's "
                f"limit of {TELEGRAM_MESSAGE_LIMIT:,}: shorten the answer or split the topic",
            )
        )
    findings += _contact_details(topic.answer, known_contacts.values())
    for tag in dict.fromkeys(_RAW_TAG.findall(topic.answer)):
        findings.append(
            Finding(
                ("answer",),
                f"raw HTML tag {tag!r} would be shown to users as typed: use the markup "
                "(**bold**, _italic_, [text](https://…)) instead",
            )
        )
    for url in dict.fromkeys(_PLAIN_HTTP.findall(topic.answer)):
        findings.append(_http_link(("answer",), url))
    for i, link in enumerate(topic.links):
        if link.url.lower().startswith("http://"):
            findings.append(_http_link(("links", i, "url"), link.url))
    return findings


def contact_findings(contact: Contact) -> list[Finding]:
    """What is wrong with a contact itself (located within the contact)."""
    if contact.url and contact.url.lower().startswith("http://"):
        return [_http_link(("url",), contact.url)]
    return []


def _http_link(location: Location, url: str) -> Finding:
    return Finding(
        location,
        f"{url} is not https: use the site's https:// address (https expected)",
        warning=True,
    )


def _contact_details(answer: str, contacts: Iterable[Contact]) -> list[Finding]:
    """E-mail addresses and phone numbers in `answer` that no contact has."""
    contacts = tuple(contacts)
    emails = {c.email.lower() for c in contacts if c.email}
    phones = {
        _digits(match)
        for c in contacts
        for text in (c.description or "", c.name)
        for match in _PHONE.findall(text)
    }
    findings = []
    for email in dict.fromkeys(_EMAIL.findall(answer)):
        if email.lower() not in emails:
            findings.append(
                Finding(
                    ("answer",),
                    f"e-mail address {email!r} is not a contact's in contacts.yaml: never "
                    "invent a contact (add a verified one to contacts.yaml and name its id "
                    "under contacts)",
                )
            )
    for phone in dict.fromkeys(_PHONE.findall(answer)):
        digits = _digits(phone)
        if len(digits) >= _MIN_PHONE_DIGITS and digits not in phones:
            findings.append(
                Finding(
                    ("answer",),
                    f"phone number {phone.strip()!r} is not a contact's in contacts.yaml: "
                    "never invent a contact (point to a verified contact instead)",
                )
            )
    return findings


def _digits(phone: str) -> str:
    # "+41 22 767 0000", "0041227670000" and "tel:+41227670000" are one number.
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits.removeprefix("00")
