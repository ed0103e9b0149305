"""What `ktbot check` says about translated answers (`translations:` in a topic).

A translation is written from the same sources as the English answer and points to the same
pages: one that adds or drops a link is an error, since users of the two languages would be
sent to different places. Topics without a French answer are one warning, not one per topic:
while translations are being written, a list of fifty would bury every other warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final, get_args

from intents.knowledge.content_rules import Finding
from intents.knowledge.errors import Problem
from intents.knowledge.models import Category, LanguageCode, Topic
from intents.text.markup import SpanKind, parse_markup

LANGUAGE_NAMES: Final[Mapping[str, str]] = {
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "es": "Spanish",
}
UNTRANSLATED_SHOWN = 5
"""Topic ids named in the untranslated-topics warning; the rest are counted."""


def answer_urls(answer: str) -> list[str]:
    """The URLs an answer's markup links to, each once, in order."""
    urls = (
        span.url
        for block in parse_markup(answer).blocks
        for span in block.spans
        if span.kind is SpanKind.LINK and span.url
    )
    return list(dict.fromkeys(urls))


def translation_findings(topic: Topic) -> list[Finding]:
    """Each translation links to exactly the English answer's URLs and its markup parses."""
    findings: list[Finding] = []
    english = answer_urls(topic.answer)
    for language, translation in topic.translations.items():
        name = LANGUAGE_NAMES.get(language, language)
        where = ("translations", language, "answer")
        translated = answer_urls(translation.answer)
        findings += [
            Finding(
                where,
                f"the {name} answer adds a link to {url} that the English answer does not "
                "have: a translation keeps the same links (add it to both, or to neither)",
            )
            for url in translated
            if url not in english
        ]
        findings += [
            Finding(
                where,
                f"the {name} answer drops the link to {url} of the English answer: "
                "a translation keeps the same links",
            )
            for url in english
            if url not in translated
        ]
        findings += [
            Finding(where, f"{name} answer: {message}")
            for message in parse_markup(translation.answer).problems
        ]
    return findings


def untranslated_warnings(
    topics: Iterable[Topic], places: Mapping[str, tuple[Path, int]]
) -> list[Problem]:
    """One warning per language naming the topics without an answer in it (at the first)."""
    return _untranslated(
        topics,
        places,
        "topics have no {name} answer ({code} users get English with a note)",
        "a title and an answer",
    )


def untranslated_category_warnings(
    categories: Iterable[Category], places: Mapping[str, tuple[Path, int]]
) -> list[Problem]:
    """One warning per language naming the categories without a title in it (at the first):
    the topic browser shows those in English."""
    return _untranslated(
        categories,
        places,
        "categories have no {name} title ({code} users see them in English in the topic browser)",
        "a title and a description",
    )


def _untranslated(
    entries: Iterable[Topic | Category],
    places: Mapping[str, tuple[Path, int]],
    what: str,
    needed: str,
) -> list[Problem]:
    entries = tuple(entries)
    warnings = []
    for language in get_args(LanguageCode):
        missing = [e.id for e in entries if language not in e.translations]
        if not missing:
            continue
        shown = ", ".join(missing[:UNTRANSLATED_SHOWN])
        more = len(missing) - UNTRANSLATED_SHOWN
        path, line = places.get(missing[0], (Path("."), 1))
        said = what.format(name=LANGUAGE_NAMES[language], code=language)
        warnings.append(
            Problem.warning(
                path,
                line,
                f"{len(missing)} of {len(entries)} {said}: {shown}"
                + (f" and {more} more" if more > 0 else "")
                + f" (add translations: {language}: with {needed})",
            )
        )
    return warnings
