"""Turn a Reply into words: Telegram HTML or terminal text, from the same parts.

Deciding what to say happens in `bot.conversation`; this module only formats. All text
that does not come from our markup (titles, user input, URLs) is escaped for HTML.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from functools import lru_cache

from bot.conversation import MAX_QUESTION_CHARS, Reply, ReplyKind, default_contacts
from intents.knowledge import KnowledgeBase
from intents.markup import Block, BlockKind, Markup, Span, SpanKind, parse_markup
from intents.models import Contact
from intents.translation import localized_answer

NOT_TEXT = (
    "I can only read text messages. Please type your question in words, "
    "for example: “What is MEDICIS?”"
)
EMPTY = "Please type your question in words, for example: “Can we license a CERN technology?”"
TRUNCATED = (
    f"(Your message was very long; I read only its first {MAX_QUESTION_CHARS:,} characters.)"
)
CLARIFY = "I’m not sure which topic you mean. Did you mean one of these?"
CLARIFY_ONE = "I’m not sure I understood. Did you mean this?"
FALLBACK = (
    "I’m sorry, I don’t have a reliable answer to that, and I’d rather not guess. "
    "I’ve noted your question so the Knowledge Transfer team can improve my answers."
)
RATE_LIMITED = "You’re sending messages faster than I can answer. Please wait a moment."


# --- markup -------------------------------------------------------------------------------


def _span_html(span: Span) -> str:
    text = html.escape(span.text, quote=False)
    if span.kind is SpanKind.LINK:
        url = span.url or ""
        # The loader reports other links; never hand Telegram a javascript: or data: href.
        if url.startswith(("https://", "http://")):
            text = f'<a href="{html.escape(url, quote=True)}">{text}</a>'
    if span.kind is SpanKind.ITALIC or span.italic:
        text = f"<i>{text}</i>"
    if span.kind is SpanKind.BOLD or span.bold:
        text = f"<b>{text}</b>"
    return text


def _span_text(span: Span) -> str:
    if span.kind is SpanKind.LINK:
        return f"{span.text} ({span.url})"
    return span.text


_LIST_KINDS = (BlockKind.BULLET, BlockKind.NUMBERED)


def _render(markup: Markup, span: Callable[[Span], str]) -> str:
    parts: list[str] = []
    previous: Block | None = None
    for block in markup.blocks:
        line = "".join(span(s) for s in block.spans)
        if block.kind is BlockKind.BULLET:
            line = f"• {line}"
        elif block.kind is BlockKind.NUMBERED:
            line = f"{block.number}. {line}"
        if previous is not None:
            same_list = previous.kind is block.kind and block.kind in _LIST_KINDS
            parts.append("\n" if same_list else "\n\n")
        parts.append(line)
        previous = block
    return "".join(parts)


@lru_cache(maxsize=1024)
def markup_html(text: str) -> str:
    """Answer markup as Telegram HTML (cached: answers repeat, parsing need not)."""
    return _render(parse_markup(text), _span_html)


@lru_cache(maxsize=1024)
def markup_text(text: str) -> str:
    """Answer markup as plain terminal text, links spelled out."""
    return _render(parse_markup(text), _span_text)


# --- replies ------------------------------------------------------------------------------


def _contact_line_html(contacts: Iterable[Contact]) -> str:
    items = []
    for c in contacts:
        name = html.escape(c.name, quote=False)
        if c.url:
            items.append(f'<a href="{html.escape(c.url, quote=True)}">{name}</a>')
        elif c.email:
            items.append(f"{name} ({html.escape(c.email, quote=False)})")
    return "👤 Contact: " + ", ".join(items) if items else ""


def _contact_line_text(contacts: Iterable[Contact]) -> str:
    items = [f"{c.name} — {c.url or c.email}" for c in contacts]
    return "Contact: " + "; ".join(items) if items else ""


def reply_html(reply: Reply) -> str:
    """The Telegram message for `reply` (HTML parse mode)."""
    lines: list[str] = []
    if reply.truncated:
        lines += [f"<i>{html.escape(TRUNCATED, quote=False)}</i>", ""]
    if reply.kind is ReplyKind.ANSWER and reply.topic is not None:
        topic = reply.topic
        shown = localized_answer(topic, reply.language)
        if shown.notice:
            lines += [f"<i>{html.escape(shown.notice, quote=False)}</i>", ""]
        lines += [f"<b>{html.escape(shown.title, quote=False)}</b>", "", markup_html(shown.answer)]
        links = [
            f'🔗 <a href="{html.escape(link.url, quote=True)}">'
            f"{html.escape(link.title, quote=False)}</a>"
            for link in topic.links
        ]
        contact = _contact_line_html(reply.contacts)
        if links or contact:
            lines.append("")
            lines += links
            if contact:
                lines.append(contact)
    elif reply.kind is ReplyKind.CLARIFY:
        lines.append(html.escape(clarify_prompt(reply), quote=False))
    elif reply.kind is ReplyKind.FALLBACK:
        lines += [html.escape(FALLBACK, quote=False), "", fallback_next_steps_html(reply.kb)]
    else:
        lines.append(html.escape(EMPTY, quote=False))
    return "\n".join(lines).strip()


def fallback_next_steps_html(kb: KnowledgeBase) -> str:
    contact = _contact_line_html(default_contacts(kb))
    steps = "To reach a person, press “Talk to a person” below or use /contact."
    browse = "You can also browse what I know with /topics."
    return "\n".join(filter(None, [steps, contact, browse]))


def clarify_prompt(reply: Reply) -> str:
    return CLARIFY_ONE if len(reply.options) == 1 else CLARIFY


def reply_text(reply: Reply) -> str:
    """The terminal rendering of `reply` (clarify options are listed by the caller)."""
    lines: list[str] = []
    if reply.truncated:
        lines += [TRUNCATED, ""]
    if reply.kind is ReplyKind.ANSWER and reply.topic is not None:
        topic = reply.topic
        shown = localized_answer(topic, reply.language)
        if shown.notice:
            lines += [shown.notice, ""]
        lines += [shown.title.upper(), "", markup_text(shown.answer)]
        if topic.links:
            lines += ["", *(f"Link: {link.title} — {link.url}" for link in topic.links)]
        contact = _contact_line_text(reply.contacts)
        if contact:
            lines.append(contact)
        if reply.related:
            lines.append("Related: " + " · ".join(t.title for t in reply.related))
    elif reply.kind is ReplyKind.CLARIFY:
        lines.append(clarify_prompt(reply))
        lines += [f"  {i}. {t.title}" for i, t in enumerate(reply.options, 1)]
    elif reply.kind is ReplyKind.FALLBACK:
        lines += [FALLBACK, ""]
        contact = _contact_line_text(default_contacts(reply.kb))
        lines += [
            f"To reach a person: {contact.removeprefix('Contact: ')}" if contact else "",
            "Type 'topics' to browse what I know.",
        ]
    else:
        lines.append(EMPTY)
    return "\n".join(line for line in lines if line is not None).strip()
