"""Turn a Reply into words: Telegram HTML or terminal text, from the same parts.

Deciding what to say happens in `bot.conversation`; this module only formats. All text
that does not come from our markup (titles, user input, URLs) is escaped for HTML. The
interface strings are English msgids looked up in the reply's language (`bot.i18n`).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from functools import lru_cache

from babel.numbers import format_decimal

from bot.conversation import MAX_QUESTION_CHARS, Reply, ReplyKind, default_contacts
from bot.i18n import N_, Translator, translator
from bot.message_split import telegram_length
from intents import (
    DEFAULT_LANGUAGE,
    Block,
    BlockKind,
    Category,
    Contact,
    KnowledgeBase,
    Language,
    Markup,
    Span,
    SpanKind,
    Topic,
    link_title,
    localized_answer,
    localized_category,
    parse_markup,
)

NOT_TEXT = N_(
    "I can only read text messages. Please type your question in words, "
    "for example: “What is MEDICIS?”"
)
EMPTY = N_("Please type your question in words, for example: “Can we license a CERN technology?”")
TRUNCATED = N_("(Your message was very long; I read only its first {limit} characters.)")
CLARIFY = N_("I’m not sure which topic you mean. Did you mean one of these?")
CLARIFY_ONE = N_("I’m not sure I understood. Did you mean this?")
FALLBACK = N_(
    "I’m sorry, I don’t have a reliable answer to that, and I’d rather not guess. "
    "I’ve noted your question so the Knowledge Transfer team can improve my answers."
)
FALLBACK_NOT_ON_RECORD = N_(
    "I’m sorry, I don’t have a reliable answer to that, and I’d rather not guess. That "
    "question is no longer on record (deleted at your request or after the retention "
    "period), so it was not passed on."
)
ELSEWHERE = N_(
    "That sounds like a question for {organisation} itself: I can only answer for CERN’s "
    "medical applications and knowledge transfer."
)
"""Opens the fallback to a question about another organisation's own office or rules."""
RATE_LIMITED = N_("You’re sending messages faster than I can answer. Please wait a moment.")
ENGLISH_ONLY = N_("This answer is only available in English.")
"""Above an English answer shown to someone writing in another language (the German,
Italian and Spanish catalogs translate this line too)."""
CONTACT = N_("Contact: {contacts}")
FALLBACK_STEPS = N_("To reach a person, press “Talk to a person” below or use /contact.")
FALLBACK_STEPS_NO_HANDOFF = N_("To reach a person, write to the contact below or use /contact.")
"""Where no staff chat is configured there is no “Talk to a person” button to point to."""
CONTACT_PAGE = N_("To reach a person at CERN Knowledge Transfer, use the team’s contact page:")
FALLBACK_BROWSE = N_("You can also browse what I know with /topics.")
TEXT_LINK = N_("Link: {title} — {url}")
TEXT_RELATED = N_("Related: {titles}")
TEXT_REACH = N_("To reach a person: {contact}")
TEXT_BROWSE = N_("Type 'topics' to browse what I know.")


def truncated_notice(t: Translator) -> str:
    # 4,096 in English, 4 096 in French: the number is written the reader's way.
    return t.gettext(TRUNCATED).format(limit=format_decimal(MAX_QUESTION_CHARS, locale=t.language))


def topic_title(topic: Topic, language: Language = DEFAULT_LANGUAGE) -> str:
    """A topic's title in `language` when it is translated (buttons, listings)."""
    return localized_answer(topic, language).title


def category_title(category: Category, language: Language = DEFAULT_LANGUAGE) -> str:
    """A category's title in `language` when it is translated (the browser's buttons)."""
    return localized_category(category, language).title


def category_html(category: Category, language: Language = DEFAULT_LANGUAGE) -> str:
    """A category opened in the topic browser: its title and description in `language`."""
    shown = localized_category(category, language)
    return f"<b>{html.escape(shown.title)}</b>\n{html.escape(shown.description)}"


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


def _contact_line_html(contacts: Iterable[Contact], t: Translator) -> str:
    items = []
    for c in contacts:
        name = html.escape(c.name, quote=False)
        if c.url:
            items.append(f'<a href="{html.escape(c.url, quote=True)}">{name}</a>')
        elif c.email:
            items.append(f"{name} ({html.escape(c.email, quote=False)})")
    return "👤 " + t.gettext(CONTACT).format(contacts=", ".join(items)) if items else ""


def _contacts_text(contacts: Iterable[Contact]) -> str:
    return "; ".join(f"{c.name} — {c.url or c.email}" for c in contacts)


def reply_html(reply: Reply, *, handoff: bool = True, brief: bool = False) -> str:
    """The Telegram message for `reply` (HTML parse mode).

    `handoff` says whether a "Talk to a person" button exists (a staff chat is configured):
    without one, no text points to it, and the contact topic (which describes it) gives way
    to the public contact page. `brief` shows an answer's first paragraph and its contact
    only (the rest behind a "More" button: see `brief_answer_html`).
    """
    t = translator(reply.language)
    lines: list[str] = []
    if reply.truncated:
        lines += [f"<i>{html.escape(truncated_notice(t), quote=False)}</i>", ""]
    if (
        not handoff
        and reply.kind is ReplyKind.ANSWER
        and reply.topic is not None
        and reply.topic is reply.kb.contact_topic
    ):
        lines.append(contact_page_html(reply.kb, t))
    elif reply.kind is ReplyKind.ANSWER and reply.topic is not None:
        topic = reply.topic
        shown = localized_answer(topic, reply.language)
        if shown.language != reply.language:
            lines += [f"<i>{html.escape(t.gettext(ENGLISH_ONLY), quote=False)}</i>", ""]
        body = first_paragraph_html(shown.answer) if brief else markup_html(shown.answer)
        lines += [f"<b>{html.escape(shown.title, quote=False)}</b>", "", body]
        links = [
            f'🔗 <a href="{html.escape(link.url, quote=True)}">'
            f"{html.escape(link_title(link, reply.language), quote=False)}</a>"
            for link in ([] if brief else topic.links)
        ]
        contact = _contact_line_html(reply.contacts, t)
        if links or contact:
            lines.append("")
            lines += links
            if contact:
                lines.append(contact)
    elif reply.kind is ReplyKind.CLARIFY:
        lines.append(html.escape(clarify_prompt(reply), quote=False))
    elif reply.kind is ReplyKind.FALLBACK:
        lines += [html.escape(line, quote=False) for line in _fallback_opening(reply, t, FALLBACK)]
        lines += [
            "",
            fallback_next_steps_html(reply.kb, t, handoff=handoff),
        ]
    else:
        lines.append(html.escape(t.gettext(EMPTY), quote=False))
    return "\n".join(lines).strip()


SCREEN_CHARS = 600
"""About what a phone shows above an answer's buttons (some 15 lines of 40 characters)."""


@lru_cache(maxsize=1024)
def first_paragraph_html(text: str) -> str:
    """An answer's first paragraph, with the list it introduces when it ends with a colon."""
    blocks = parse_markup(text).blocks
    shown = list(blocks[:1])
    if shown and "".join(s.text for s in shown[0].spans).rstrip().endswith(":"):
        for block in blocks[1:]:
            if block.kind not in _LIST_KINDS:
                break
            shown.append(block)
    return _render(Markup(tuple(shown)), _span_html)


def brief_answer_html(reply: Reply, full: str, *, handoff: bool = True) -> str | None:
    """The answer cut to fit a phone screen, or None when the whole answer (`full`, the
    caller's `reply_html(reply, handoff=handoff)`) already does, or cutting would not
    shorten it: the caller adds a "More" button for the rest."""
    if reply.kind is not ReplyKind.ANSWER or reply.topic is None:
        return None
    length = telegram_length(full)
    if length <= SCREEN_CHARS:
        return None
    brief = reply_html(reply, handoff=handoff, brief=True)
    return brief if telegram_length(brief) < length else None


def fallback_next_steps_html(kb: KnowledgeBase, t: Translator, *, handoff: bool = True) -> str:
    contact = _contact_line_html(default_contacts(kb), t)
    steps = html.escape(
        t.gettext(FALLBACK_STEPS if handoff else FALLBACK_STEPS_NO_HANDOFF), quote=False
    )
    browse = html.escape(t.gettext(FALLBACK_BROWSE), quote=False)
    return "\n".join(filter(None, [steps, contact, browse]))


def contact_page_html(kb: KnowledgeBase, t: Translator) -> str:
    """The public way to reach KT staff, for a bot with no staff chat (no hand-off button)."""
    topic_contacts = kb.contacts_of(kb.contact_topic) if kb.contact_topic else ()
    pages = [c for c in (*default_contacts(kb), *topic_contacts) if c.url]
    page = (
        f'<a href="{html.escape(pages[0].url or "", quote=True)}">'
        f"{html.escape(pages[0].name, quote=False)}</a>"
        if pages
        else '<a href="https://kt.cern/">kt.cern</a>'
    )
    return f"{html.escape(t.gettext(CONTACT_PAGE), quote=False)}\n👤 {page}"


def clarify_prompt(reply: Reply) -> str:
    return translator(reply.language).gettext(CLARIFY_ONE if len(reply.options) == 1 else CLARIFY)


def _fallback_opening(reply: Reply, t: Translator, msgid: str) -> list[str]:
    """The fallback's first lines: whose question it is, when another organisation's, then
    `msgid`, or that the question is no longer on record."""
    lines = []
    if reply.result is not None and reply.result.elsewhere:
        lines.append(t.gettext(ELSEWHERE).format(organisation=reply.result.elsewhere))
    lines.append(t.gettext(msgid if reply.on_record else FALLBACK_NOT_ON_RECORD))
    return lines


def reply_text(reply: Reply, *, fallback: str = FALLBACK) -> str:
    """The terminal rendering of `reply` (clarify options are listed by the caller);
    `fallback` is the msgid that opens a fallback (the chat's when nothing is recorded)."""
    t = translator(reply.language)
    lines: list[str] = []
    if reply.truncated:
        lines += [truncated_notice(t), ""]
    if reply.kind is ReplyKind.ANSWER and reply.topic is not None:
        topic = reply.topic
        shown = localized_answer(topic, reply.language)
        if shown.language != reply.language:
            lines += [t.gettext(ENGLISH_ONLY), ""]
        lines += [shown.title.upper(), "", markup_text(shown.answer)]
        if topic.links:
            link_line = t.gettext(TEXT_LINK)
            lines += [
                "",
                *(
                    link_line.format(title=link_title(k, reply.language), url=k.url)
                    for k in topic.links
                ),
            ]
        contacts = _contacts_text(reply.contacts)
        if contacts:
            lines.append(t.gettext(CONTACT).format(contacts=contacts))
        if reply.related:
            titles = " · ".join(topic_title(r, reply.language) for r in reply.related)
            lines.append(t.gettext(TEXT_RELATED).format(titles=titles))
    elif reply.kind is ReplyKind.CLARIFY:
        lines.append(clarify_prompt(reply))
        lines += [
            f"  {i}. {topic_title(o, reply.language)}" for i, o in enumerate(reply.options, 1)
        ]
    elif reply.kind is ReplyKind.FALLBACK:
        lines += [*_fallback_opening(reply, t, fallback), ""]
        contacts = _contacts_text(default_contacts(reply.kb))
        lines += [
            t.gettext(TEXT_REACH).format(contact=contacts) if contacts else "",
            t.gettext(TEXT_BROWSE),
        ]
    else:
        lines.append(t.gettext(EMPTY))
    return "\n".join(line for line in lines if line is not None).strip()
