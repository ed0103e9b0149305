"""Load and validate the knowledge directory, reporting every problem at once."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from intents.content_rules import Finding, contact_findings, topic_findings
from intents.errors import KnowledgeError, Problem
from intents.features import synonym_key
from intents.knowledge import KnowledgeBase
from intents.markup import SpanKind, parse_markup
from intents.models import (
    SEED_PREFIX,
    Category,
    Contact,
    FreshnessSettings,
    KnowledgeFile,
    MatchingSettings,
    SpecialIds,
    SynonymGroup,
    Topic,
)
from intents.normalize import question_key
from intents.translation_rules import translation_findings, untranslated_warnings
from intents.yaml_source import SourceDocument, read_yaml

YAML_SUFFIXES = (".yaml", ".yml")

_SECTION_NAMES = {"topics": "topic", "contacts": "contact", "categories": "category"}
_M = TypeVar("_M", bound=BaseModel)
_SINGLE_SECTIONS: dict[str, type[BaseModel]] = {
    "settings": MatchingSettings,
    "freshness": FreshnessSettings,
    "special": SpecialIds,
}
"""Sections only one file of the knowledge base may define (their defaults apply without)."""
_ENTRY_MODELS: dict[str, type[Topic | Contact | Category | SynonymGroup]] = {
    "topics": Topic,
    "contacts": Contact,
    "categories": Category,
    "synonyms": SynonymGroup,
}


def knowledge_files(root: Path) -> list[Path]:
    """Every YAML file under `root`, sorted so that loading is deterministic.

    Hidden files and folders and editor leftovers are skipped: macOS writes `._x.yaml`
    resource forks, Emacs `.#x.yaml` locks and `x.yaml~` backups, and none of them is
    knowledge (loading one would report bogus problems or duplicate every topic).
    """
    return sorted(
        p
        for p in root.rglob("*")
        if p.suffix in YAML_SUFFIXES and is_knowledge_path(p.relative_to(root)) and p.is_file()
    )


def is_knowledge_path(relative: Path) -> bool:
    """False for a path (relative to the knowledge root) hidden or left behind by an editor.

    Only the parts below the root count, so a knowledge directory may itself live under a
    hidden folder (`~/.local/…`).
    """
    return not any(part.startswith(".") or part.endswith("~") for part in relative.parts)


def load_knowledge(root: Path, *, seeds: Collection[str] | None = None) -> KnowledgeBase:
    """Load `root`; raise `KnowledgeError` listing all problems if anything is wrong.

    `seeds` are the file names `seed:` sources may cite (the shared seeds folder); None when
    that folder is not at hand (a fresh machine, the bot's container): seed sources are then
    only checked for their form. Findings that do not stop loading are in `kb.warnings`.
    """
    root = Path(root)
    if not root.is_dir():
        raise KnowledgeError([Problem(root, 1, "knowledge directory not found")])
    try:
        paths = knowledge_files(root)
    except OSError as exc:
        raise KnowledgeError([Problem(root, 1, f"cannot list directory: {exc}")]) from exc
    if not paths:
        raise KnowledgeError([Problem(root, 1, "no .yaml files in the knowledge directory")])

    problems: list[Problem] = []
    files: list[tuple[Path, SourceDocument, _Entries]] = []
    unloaded: dict[str, set[str]] = {section: set() for section in _SECTION_NAMES}
    digest = hashlib.sha256()
    for path in paths:
        shown = _display_path(path, root)
        doc = read_yaml(path, shown)
        if doc.data is None:
            # Nothing of the file could be read: its problem comes first, and the ids it
            # seems to define still count, so that references to them elsewhere are not
            # reported as broken too (the one real cause would be buried under them).
            problems.extend(dataclasses.replace(p, root_cause=True) for p in doc.problems)
            for ids in unloaded.values():
                ids.update(_ids_written_in(path))
        else:
            problems.extend(doc.problems)
        # Relative to root: the same content has the same version wherever it is checked out.
        name = path.relative_to(root).as_posix()
        digest.update(name.encode() + b"\0" + repr(doc.data).encode())
        if doc.data is None:
            continue
        if doc.problems:
            # A duplicate key or a bad scalar makes the file's values unreliable, so its
            # entries are not loaded; their ids still exist for the references elsewhere.
            _add_ids(unloaded, doc.data)
            continue
        entries = _validate_file(doc, problems)
        if entries is not None:
            files.append((path.resolve(), doc, entries))
            _add_ids(unloaded, doc.data, only=entries.rejected)

    return _assemble(root, files, unloaded, problems, digest.hexdigest()[:12], seeds)


def _display_path(path: Path, root: Path) -> Path:
    # Paths relative to the working directory are clickable in terminals and editors.
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


@dataclass
class _Entries:
    """The valid entries of one file, each with its index in its section (for line numbers)."""

    topics: list[tuple[int, Topic]] = field(default_factory=list)
    contacts: list[tuple[int, Contact]] = field(default_factory=list)
    categories: list[tuple[int, Category]] = field(default_factory=list)
    synonyms: list[tuple[int, SynonymGroup]] = field(default_factory=list)
    out_of_scope: tuple[str, ...] = ()
    declared: tuple[str, ...] = ()
    """The one-per-knowledge-base sections (`_SINGLE_SECTIONS`) present, valid or not."""
    single: dict[str, BaseModel] = field(default_factory=dict)
    """Those of them that are valid."""
    rejected: set[tuple[str, int]] = field(default_factory=set)
    """(section, index) of the entries that failed validation."""


_WRITTEN_ID = re.compile(r"^\s*(?:-\s+)?id:\s*[\"']?([a-z0-9][a-z0-9._\-]*)", re.MULTILINE)


def _ids_written_in(path: Path) -> set[str]:
    """The `id:` values of a file YAML cannot parse, read line by line (best effort)."""
    try:
        return set(_WRITTEN_ID.findall(path.read_bytes().decode("utf-8", errors="replace")))
    except OSError:
        return set()


def _validate_file(doc: SourceDocument, problems: list[Problem]) -> _Entries | None:
    """Validate each entry on its own, so one bad entry does not hide the good ones.

    The whole file is validated first (the usual, all-valid case, and the source of every
    problem message); only when that fails are the entries re-validated one by one to keep
    the valid ones. Were the file dropped instead, every reference to its other entries
    would be reported as an unknown id.
    """
    data = doc.data
    if not isinstance(data, dict):
        problems.append(
            Problem(doc.path, 1, "expected a mapping with `topics:`, `contacts:` or `categories:`")
        )
        return None
    declared = tuple(name for name in _SINGLE_SECTIONS if data.get(name) is not None)
    try:
        parsed = KnowledgeFile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
    else:
        return _Entries(
            topics=list(enumerate(parsed.topics)),
            contacts=list(enumerate(parsed.contacts)),
            categories=list(enumerate(parsed.categories)),
            synonyms=list(enumerate(parsed.synonyms)),
            out_of_scope=parsed.out_of_scope,
            declared=declared,
            single={name: getattr(parsed, name) for name in declared},
        )
    for error in errors:
        location = tuple(error["loc"])
        problems.append(Problem(doc.path, doc.line_of(location), _describe(data, location, error)))
    failed = {tuple(error["loc"][:2]) for error in errors}
    entries = _Entries(declared=declared)
    for section, model in _ENTRY_MODELS.items():
        items = data.get(section)
        if not isinstance(items, list) or (section,) in failed:
            continue  # not a list of entries: reported above
        for index, item in enumerate(items):
            entry = None if (section, index) in failed else _valid(model, item)
            if entry is None:
                entries.rejected.add((section, index))
            else:
                getattr(entries, section).append((index, entry))
    for name in declared:
        valid = (
            None
            if any(loc[0] == name for loc in failed)
            else _valid(_SINGLE_SECTIONS[name], data[name])
        )
        if valid is not None:
            entries.single[name] = valid
    return entries


def _valid(model: type[_M], data: Any) -> _M | None:
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def _add_ids(
    table: dict[str, set[str]], data: Any, only: Collection[tuple[str, int]] | None = None
) -> None:
    """Record the ids of entries that exist but were not loaded (those at `only`, or all).

    References to them are then not reported as unknown: the entry has its own problem,
    and a second one at every reference would only send staff looking in the wrong place.
    """
    if not isinstance(data, dict):
        return
    for section, ids in table.items():
        items = data.get(section)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if only is not None and (section, index) not in only:
                continue
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                ids.add(item["id"].strip())


def _describe(data: Any, location: tuple[Any, ...], error: Any) -> str:
    """`topic 'project.flash': questions: List should have at least 3 items`."""
    prefix = ""
    rest = location
    if len(location) >= 2 and location[0] in _SECTION_NAMES and isinstance(location[1], int):
        kind = _SECTION_NAMES[location[0]]
        item = data.get(location[0], [])[location[1]] if isinstance(data, dict) else None
        item_id = item.get("id") if isinstance(item, dict) else None
        prefix = f"{kind} {item_id!r}: " if item_id else f"{kind} #{location[1] + 1}: "
        rest = location[2:]
    field = ".".join(str(part) for part in rest)
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field (check the spelling; see knowledge/README.md)"
    elif error["type"] == "missing":
        message = "required field is missing"
    return f"{prefix}{field + ': ' if field else ''}{message}"


def _assemble(
    root: Path,
    files: list[tuple[Path, SourceDocument, _Entries]],
    unloaded: dict[str, set[str]],
    problems: list[Problem],
    version: str,
    seeds: Collection[str] | None,
) -> KnowledgeBase:
    topics: dict[str, Topic] = {}
    topic_files: dict[str, Path] = {}
    contacts: dict[str, Contact] = {}
    categories: dict[str, Category] = {}
    single: dict[str, BaseModel | None] = {}
    """Per one-per-knowledge-base section seen so far: the first valid one."""
    single_docs: dict[str, SourceDocument] = {}
    """The file each of those comes from, for the line numbers of its problems."""
    warnings: list[Problem] = []
    review_places: dict[str, tuple[Path, int]] = {}
    where: dict[tuple[str, str], str] = {}
    questions_seen: dict[str, tuple[str, str]] = {}

    def place(doc: SourceDocument, *location: str | int) -> tuple[Path, int]:
        return doc.path, doc.line_of(location)

    for real_path, doc, entries in files:
        for section, items, table in (
            ("contacts", entries.contacts, contacts),
            ("categories", entries.categories, categories),
            ("topics", entries.topics, topics),
        ):
            kind = _SECTION_NAMES[section]
            for index, item in items:
                path, line = place(doc, section, index, "id")
                if item.id in table:
                    problems.append(
                        Problem(
                            path,
                            line,
                            f"duplicate {kind} id {item.id!r} "
                            f"(first defined at {where[(kind, item.id)]})",
                        )
                    )
                    continue
                table[item.id] = item  # type: ignore[assignment]
                where[(kind, item.id)] = f"{path}:{line}"
                if kind == "topic":
                    topic_files[item.id] = real_path
        for name in entries.declared:
            if name in single:
                path, line = place(doc, name)
                problems.append(Problem(path, line, f"`{name}:` is defined in more than one file"))
            single[name] = single.get(name) or entries.single.get(name)
            if name in entries.single:
                single_docs.setdefault(name, doc)

    former_ids = _former_ids(files, topics, unloaded["topics"], problems)
    known = _Known(
        topics=topics.keys() | unloaded["topics"],
        contacts=contacts.keys() | unloaded["contacts"],
        categories=categories.keys() | unloaded["categories"],
        renamed=former_ids,
    )
    special = _single(single, "special", SpecialIds)
    if "special" in single_docs:
        _check_special(single_docs["special"], special, known, problems)
    for _, doc, entries in files:
        for index, topic in entries.topics:
            if topics.get(topic.id) is not topic:
                continue
            _check_topic(doc, index, topic, known, questions_seen, problems)
            _check_sources(doc, index, topic, seeds, problems, warnings)
            _report(doc, ("topics", index), topic_findings(topic, contacts), problems, warnings)
            _report(doc, ("topics", index), translation_findings(topic), problems, warnings)
            review_places[topic.id] = _review_place(doc, index, topic)
        for index, contact in entries.contacts:
            if contacts.get(contact.id) is contact:
                findings = contact_findings(contact)
                _report(doc, ("contacts", index), findings, problems, warnings)

    warnings += untranslated_warnings(topics.values(), review_places)
    synonyms = _check_synonyms(files, problems)
    if not topics and not problems:
        problems.append(Problem(root, 1, "the knowledge base defines no topics"))
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(
        topics=topics,
        contacts=contacts,
        categories=categories,
        settings=_single(single, "settings", MatchingSettings),
        version=version,
        root=root,
        topic_files=topic_files,
        synonyms=synonyms,
        out_of_scope=tuple(q for _, _, entries in files for q in entries.out_of_scope),
        freshness=_single(single, "freshness", FreshnessSettings),
        review_places=review_places,
        warnings=tuple(warnings),
        former_ids=former_ids,
        special=special,
    )


def _former_ids(
    files: list[tuple[Path, SourceDocument, _Entries]],
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


def _report(
    doc: SourceDocument,
    entry: tuple[str, int],
    findings: Iterable[Finding],
    problems: list[Problem],
    warnings: list[Problem],
) -> None:
    """Content-rule findings as problems or warnings, at their line in `doc`."""
    section, index = entry
    name = doc.data[section][index].get("id") if isinstance(doc.data, dict) else None
    for finding in findings:
        line = doc.line_of((section, index, *finding.location))
        message = f"{_SECTION_NAMES[section]} {name!r}: {finding.message}"
        if finding.warning:
            warnings.append(Problem.warning(doc.path, line, message))
        else:
            problems.append(Problem(doc.path, line, message))


def _single(found: dict[str, BaseModel | None], name: str, model: type[_M]) -> _M:
    """The section `name` as defined, or its defaults when no file defines it."""
    section = found.get(name)
    return section if isinstance(section, model) else model()


def _check_synonyms(
    files: list[tuple[Path, SourceDocument, _Entries]], problems: list[Problem]
) -> tuple[SynonymGroup, ...]:
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


@dataclass(frozen=True)
class _Known:
    """The ids references may use: loaded entries, and entries rejected with a problem."""

    topics: set[str]
    contacts: set[str]
    categories: set[str]
    renamed: Mapping[str, str] = field(default_factory=dict)
    """Former topic ids -> the current ones, to say what a stale reference should be."""


def _check_topic(
    doc: SourceDocument,
    index: int,
    topic: Topic,
    known: _Known,
    questions_seen: dict[str, tuple[str, str]],
    problems: list[Problem],
) -> None:
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


def _check_special(
    doc: SourceDocument, special: SpecialIds, known: _Known, problems: list[Problem]
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


def _check_sources(
    doc: SourceDocument,
    index: int,
    topic: Topic,
    seeds: Collection[str] | None,
    problems: list[Problem],
    warnings: list[Problem],
) -> None:
    """A `seed:` source names an existing seed (when the seeds are known); every site the
    answer or `links:` point to is the site of a URL source (a warning otherwise)."""

    def line(*location: str | int) -> int:
        return doc.line_of(("topics", index, *location))

    cited: set[str] = set()
    for i, source in enumerate(topic.sources):
        if not source.startswith(SEED_PREFIX):
            cited.add(site_of(source))
        elif seeds is not None and source.removeprefix(SEED_PREFIX) not in seeds:
            message = f"topic {topic.id!r}: no file {source.removeprefix(SEED_PREFIX)!r} "
            problems.append(Problem(doc.path, line("sources", i), message + "in the seeds folder"))
    warned: set[str] = set()
    for url, location in _linked_urls(topic):
        site = site_of(url)
        if site in cited or site in warned:
            continue
        warned.add(site)
        message = (
            f"topic {topic.id!r}: links to {url} but no source is on {site} "
            "(cite the page that supports it in sources, or drop the link)"
        )
        warnings.append(Problem.warning(doc.path, line(*location), message))


def _linked_urls(topic: Topic) -> Iterable[tuple[str, tuple[str | int, ...]]]:
    """Every URL the topic shows users, with where it is written."""
    for block in parse_markup(topic.answer).blocks:
        for span in block.spans:
            if span.kind is SpanKind.LINK and span.url:
                yield span.url, ("answer",)
    for i, link in enumerate(topic.links):
        yield link.url, ("links", i, "url")


def site_of(url: str) -> str:
    """`kt.cern` for `https://www.KT.cern/x`: what a link and a source must share."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _review_place(doc: SourceDocument, index: int, topic: Topic) -> tuple[Path, int]:
    """The line a freshness warning points at: the date staff update after a review."""
    field = "review_by" if topic.review_by else "reviewed" if topic.reviewed else "id"
    return doc.path, doc.line_of(("topics", index, field))


def _choices(table: Collection[str]) -> str:
    if not table:
        return ""
    known = ", ".join(sorted(table)[:8])
    return f" (known: {known}{', …' if len(table) > 8 else ''})"
