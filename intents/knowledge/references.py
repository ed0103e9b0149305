"""Cross-references between entries, checked once every file is read: categories, contacts
and related topics named by id, former ids of renamed topics, the ids of `special:`,
example questions asked under two topics, and synonyms read two ways."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from intents.knowledge.entry_validation import LoadedFile
from intents.knowledge.errors import Problem
from intents.knowledge.models import SpecialIds, SynonymGroup, Topic
from intents.knowledge.yaml_source import SourceDocument
from intents.text.features import synonym_key
from intents.text.markup import parse_markup
from intents.text.normalize import normalize_text, question_key, words
from intents.text.phrases import Phrases


@dataclass(frozen=True)
class Known:
    """The ids references may use: loaded entries, and entries rejected with a problem."""

    topics: set[str]
    contacts: set[str]
    categories: set[str]
    renamed: Mapping[str, str] = field(default_factory=dict)
    """Former topic ids -> the current ones, to say what a stale reference should be."""


def check_topic_references(
    doc: SourceDocument,
    index: int,
    topic: Topic,
    known: Known,
    questions_seen: dict[str, tuple[str, str]],
    problems: list[Problem],
) -> None:
    """What a topic names exists (category, contacts, related topics, not a former id), its
    example questions are asked nowhere else, and its answer's markup is well formed."""

    def at(*location: str | int) -> tuple[Path, int]:
        return doc.path, doc.line_of(("topics", index, *location))

    def report(message: str, *location: str | int) -> None:
        path, line = at(*location)
        problems.append(Problem(path, line, f"topic {topic.id!r}: {message}"))

    if topic.category not in known.categories:
        report(f"unknown category {topic.category!r}{_choices(known.categories)}", "category")
    for i, contact in enumerate(topic.contacts):
        if contact not in known.contacts:
            report(f"unknown contact {contact!r}{_choices(known.contacts)}", "contacts", i)
    for i, related in enumerate(topic.related):
        if related == topic.id:
            report("a topic cannot be related to itself", "related", i)
        elif related in known.renamed:
            report(
                f"related topic {related!r} was renamed: use {known.renamed[related]!r}",
                "related",
                i,
            )
        elif related not in known.topics:
            report(f"unknown related topic {related!r}", "related", i)
    for i, question in enumerate(topic.questions):
        key = question_key(question)
        path, line = at("questions", i)
        if not key:
            report("example question has no words", "questions", i)
            continue
        seen = questions_seen.get(key)
        if seen is not None:
            other, location = seen
            owner = "this topic" if other == topic.id else f"topic {other!r}"
            report(
                f"example question {question!r} is also under {owner} ({location})", "questions", i
            )
        else:
            questions_seen[key] = (topic.id, f"{path}:{line}")
    for message in parse_markup(topic.answer).problems:
        report(f"answer: {message}", "answer")


def check_special_ids(
    doc: SourceDocument, special: SpecialIds, known: Known, problems: list[Problem]
) -> None:
    """Each id of `special:` names a topic, or a contact for the fields ending in `_contact`:
    the code reaches these by id, so a rename must be caught here, not by a user."""
    for name in SpecialIds.model_fields:
        value = getattr(special, name)
        if value is None:
            continue
        if name.endswith("_contact"):
            unknown = value not in known.contacts
            message = f"unknown contact {value!r}{_choices(known.contacts)}"
        elif value in known.renamed:
            unknown, message = True, f"topic {value!r} was renamed: use {known.renamed[value]!r}"
        else:
            unknown, message = value not in known.topics, f"unknown topic {value!r}"
        if unknown:
            line = doc.line_of(("special", name))
            problems.append(Problem(doc.path, line, f"special: {name}: {message}"))


def former_ids_of(
    files: list[LoadedFile],
    topics: dict[str, Topic],
    unloaded_topics: set[str],
    problems: list[Problem],
) -> dict[str, str]:
    """Old id -> current id of every renamed topic; an old id must name nothing else."""
    renamed: dict[str, str] = {}
    for _, doc, entries in files:
        for index, topic in entries.topics:
            if topics.get(topic.id) is not topic:
                continue
            for i, old in enumerate(topic.former_ids):
                line = doc.line_of(("topics", index, "former_ids", i))
                clash = None
                if old in topics or old in unloaded_topics:
                    clash = "is the id of a topic in use (a former id must no longer be one)"
                elif renamed.get(old, topic.id) != topic.id:
                    clash = f"is already a former id of topic {renamed[old]!r}"
                if clash is not None:
                    message = f"topic {topic.id!r}: former id {old!r} {clash}"
                    problems.append(Problem(doc.path, line, message))
                else:
                    renamed[old] = topic.id
    return renamed


def check_synonyms(files: list[LoadedFile], problems: list[Problem]) -> tuple[SynonymGroup, ...]:
    """Every synonym group, checked: a variant read as two different words, or one that is
    only punctuation, is reported where it is written. Variants are compared as the matcher
    reads them (`synonym_key`), so "licence" and "licences" are one variant."""
    groups: list[SynonymGroup] = []
    meaning: dict[tuple[str, ...], tuple[str, str]] = {}
    for _, doc, entries in files:
        for index, group in entries.synonyms:
            groups.append(group)
            canonical = " ".join(synonym_key(group.canonical))
            if not canonical:
                line = doc.line_of(("synonyms", index, "canonical"))
                problems.append(Problem(doc.path, line, "synonyms: canonical has no words"))
            for position, variant in enumerate(group.variants):
                key = synonym_key(variant)
                line = doc.line_of(("synonyms", index, "variants", position))
                if not key:
                    problems.append(Problem(doc.path, line, f"synonym {variant!r} has no words"))
                    continue
                seen = meaning.get(key)
                if seen is not None and seen[0] != canonical:
                    problems.append(
                        Problem(
                            doc.path,
                            line,
                            f"synonym {variant!r} already means {seen[0]!r} (at {seen[1]})",
                        )
                    )
                    continue
                meaning[key] = (canonical, f"{doc.path}:{line}")
    return tuple(groups)


def _choices(table: Collection[str]) -> str:
    if not table:
        return ""
    known = ", ".join(sorted(table)[:8])
    return f" (known: {known}{', …' if len(table) > 8 else ''})"


def organisation_name_warnings(
    files: list[LoadedFile], topics: Mapping[str, Topic]
) -> list[Problem]:
    """An organisation listed as another's (`other_organisations:`) that is what a topic is
    about (in its title, like MEDICIS) would have that topic's questions declined ("who runs
    the MEDICIS facility?"): a mistake, said so. A name that is only one of a topic's
    aliases (ESA for the aerospace topic) may be listed: questions about the organisation's
    own office or programme are declined, the rest still answered by the topic."""
    titles = {topic.id: f" {' '.join(words(topic.title))} " for topic in topics.values()}
    warnings: list[Problem] = []
    for _, doc, entries in files:
        for index, name in enumerate(entries.other_organisations):
            key = f" {' '.join(words(name))} "
            topic = next((tid for tid, title in titles.items() if key in title), None)
            if topic is not None:
                line = doc.line_of(("other_organisations", index))
                message = (
                    f"other_organisations: {name!r} is what {topic} is about (its title): "
                    "questions about it would be declined; remove it from the list"
                )
                warnings.append(Problem.warning(doc.path, line, message))
    return warnings


def seller_warnings(files: list[LoadedFile], topics: Mapping[str, Topic]) -> list[Problem]:
    """A seller (`sellers:`) is a partner some topic names: one no topic's title, aliases,
    questions or answer mention is a company whose every question the bot should decline,
    so it belongs in `other_organisations:`. A seller also listed there would have all its
    questions declined ("What does THERYQ do?"), not only its prices: said so, too."""
    sellers = [name for _, _, entries in files for name in entries.sellers]
    if not sellers:
        return []
    phrases = Phrases.build(sellers)
    named = {
        normalize_text(found)
        for t in topics.values()
        for text in (t.title, *t.aliases, *t.questions, t.answer)
        for found in phrases.all_in(text)
    }
    listed = {
        normalize_text(name) for _, _, entries in files for name in entries.other_organisations
    }
    warnings: list[Problem] = []
    for _, doc, entries in files:
        for index, name in enumerate(entries.sellers):
            key = normalize_text(name)
            problems = []
            if key not in named:
                problems.append(
                    "is named by no topic (title, aliases, questions or answer): a company "
                    "no topic names belongs in other_organisations, which declines all its "
                    "business"
                )
            if key in listed:
                problems.append(
                    "is also in other_organisations, which declines every question about it, "
                    "not only its prices; keep it in one list"
                )
            for problem in problems:
                line = doc.line_of(("sellers", index))
                warnings.append(Problem.warning(doc.path, line, f"sellers: {name!r} {problem}"))
    return warnings


def declined_matter_warnings(files: list[LoadedFile], topics: Mapping[str, Topic]) -> list[Problem]:
    """A declined matter (`declined_matters:`) found in a topic's example question would
    have users' questions like it declined ("pupils" declines "Can pupils use the Medipix
    kit in class?"): said so, at the matter's line, with the first question it finds. So is
    a matter another one already declines ("pay taxes" next to "pay tax", which finds its
    plural; "job vacancy" next to "vacancy"; the same words spelt twice), which staff cannot
    see from the list."""
    warnings: list[Problem] = []
    for _, doc, entries in files:
        if not entries.declined_matters:
            continue
        # One pattern of all the file's matters, one pass over the questions: a pattern per
        # matter read every question once per matter (a second per load).
        phrases = Phrases.build(entries.declined_matters)
        first: dict[str, tuple[str, str]] = {}
        for topic in topics.values():
            for question in topic.questions:
                for phrase in phrases.all_in(question):
                    first.setdefault(phrase, (topic.id, question))
        matters = entries.declined_matters
        for index, phrase in enumerate(matters):
            found = first.get(phrase.strip())
            covering = Phrases.build([*matters[:index], *matters[index + 1 :]]).find(phrase)
            problems = []
            if found is not None:
                problems.append(
                    f"is in an example question of {found[0]} ({found[1]!r}): questions like it "
                    "would be declined; remove the phrase or make it longer"
                )
            if covering is not None:
                problems.append(
                    f"is declined by {covering!r} already (each word also finds its plural); "
                    "remove one of them"
                )
            for problem in problems:
                line = doc.line_of(("declined_matters", index))
                message = f"declined_matters: {phrase!r} {problem}"
                warnings.append(Problem.warning(doc.path, line, message))
    return warnings
