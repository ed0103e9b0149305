"""Load and validate the knowledge directory, reporting every problem at once.

Each file is read (`yaml_source.py`) and its entries validated one by one
(`entry_validation.py`); then the entries of every file are put together, each id once,
and checked against each other (`references.py`), against their sources
(`source_checks.py`) and against the content rules (`content_rules.py`,
`translation_rules.py`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from intents.knowledge.base import KnowledgeBase
from intents.knowledge.content_rules import Finding, contact_findings, topic_findings
from intents.knowledge.entry_validation import SECTION_NAMES, LoadedFile, add_ids, validate_file
from intents.knowledge.errors import KnowledgeError, Problem
from intents.knowledge.models import (
    Category,
    Contact,
    FreshnessSettings,
    MatchingSettings,
    SpecialIds,
    Topic,
)
from intents.knowledge.references import (
    Known,
    check_special_ids,
    check_synonyms,
    check_topic_references,
    declined_matter_warnings,
    former_ids_of,
    organisation_name_warnings,
    seller_warnings,
)
from intents.knowledge.source_checks import check_sources
from intents.knowledge.translation_rules import (
    translation_findings,
    untranslated_category_warnings,
    untranslated_warnings,
)
from intents.knowledge.yaml_source import SourceDocument, read_yaml

YAML_SUFFIXES = (".yaml", ".yml")

_M = TypeVar("_M", bound=BaseModel)


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
    files: list[LoadedFile] = []
    unloaded: dict[str, set[str]] = {section: set() for section in SECTION_NAMES}
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
            add_ids(unloaded, doc.data)
            continue
        entries = validate_file(doc, problems)
        if entries is not None:
            files.append((path.resolve(), doc, entries))
            add_ids(unloaded, doc.data, only=entries.rejected)

    return _assemble(root, files, unloaded, problems, digest.hexdigest()[:12], seeds)


def _display_path(path: Path, root: Path) -> Path:
    # Paths relative to the working directory are clickable in terminals and editors.
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


_WRITTEN_ID = re.compile(r"^\s*(?:-\s+)?id:\s*[\"']?([a-z0-9][a-z0-9._\-]*)", re.MULTILINE)


def _ids_written_in(path: Path) -> set[str]:
    """The `id:` values of a file YAML cannot parse, read line by line (best effort)."""
    try:
        return set(_WRITTEN_ID.findall(path.read_bytes().decode("utf-8", errors="replace")))
    except OSError:
        return set()


@dataclass
class _Tables:
    """The entries of every file put together, each id once."""

    topics: dict[str, Topic] = field(default_factory=dict)
    topic_files: dict[str, Path] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    single: dict[str, BaseModel | None] = field(default_factory=dict)
    """Per one-per-knowledge-base section seen so far: the first valid one."""
    single_docs: dict[str, SourceDocument] = field(default_factory=dict)
    """The file each of those comes from, for the line numbers of its problems."""


def _assemble(
    root: Path,
    files: list[LoadedFile],
    unloaded: dict[str, set[str]],
    problems: list[Problem],
    version: str,
    seeds: Collection[str] | None,
) -> KnowledgeBase:
    tables = _collect(files, problems)
    former_ids = former_ids_of(files, tables.topics, unloaded["topics"], problems)
    known = Known(
        topics=tables.topics.keys() | unloaded["topics"],
        contacts=tables.contacts.keys() | unloaded["contacts"],
        categories=tables.categories.keys() | unloaded["categories"],
        renamed=former_ids,
    )
    special = _single(tables.single, "special", SpecialIds)
    if "special" in tables.single_docs:
        check_special_ids(tables.single_docs["special"], special, known, problems)
    warnings: list[Problem] = []
    review_places = _check_entries(files, tables, known, seeds, problems, warnings)
    warnings += untranslated_warnings(tables.topics.values(), review_places)
    category_places = {
        category.id: (doc.path, doc.line_of(("categories", index, "id")))
        for _, doc, entries in files
        for index, category in entries.categories
    }
    warnings += untranslated_category_warnings(tables.categories.values(), category_places)
    synonyms = check_synonyms(files, problems)
    warnings += organisation_name_warnings(files, tables.topics)
    warnings += declined_matter_warnings(files, tables.topics)
    warnings += seller_warnings(files, tables.topics)
    if not tables.topics and not problems:
        problems.append(Problem(root, 1, "the knowledge base defines no topics"))
    if problems:
        raise KnowledgeError(problems, warnings)
    return KnowledgeBase(
        topics=tables.topics,
        contacts=tables.contacts,
        categories=tables.categories,
        settings=_single(tables.single, "settings", MatchingSettings),
        version=version,
        root=root,
        topic_files=tables.topic_files,
        synonyms=synonyms,
        out_of_scope=tuple(q for _, _, entries in files for q in entries.out_of_scope),
        other_organisations=tuple(
            name for _, _, entries in files for name in entries.other_organisations
        ),
        sellers=tuple(name for _, _, entries in files for name in entries.sellers),
        declined_matters=tuple(
            phrase for _, _, entries in files for phrase in entries.declined_matters
        ),
        freshness=_single(tables.single, "freshness", FreshnessSettings),
        review_places=review_places,
        warnings=tuple(warnings),
        former_ids=former_ids,
        special=special,
    )


def _collect(files: list[LoadedFile], problems: list[Problem]) -> _Tables:
    """Every file's entries in one table per section; a second entry with an id already
    taken, or a second file defining a one-per-knowledge-base section, is a problem."""
    tables = _Tables()
    where: dict[tuple[str, str], str] = {}

    def place(doc: SourceDocument, *location: str | int) -> tuple[Path, int]:
        return doc.path, doc.line_of(location)

    for real_path, doc, entries in files:
        for section, items, table in (
            ("contacts", entries.contacts, tables.contacts),
            ("categories", entries.categories, tables.categories),
            ("topics", entries.topics, tables.topics),
        ):
            kind = SECTION_NAMES[section]
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
                    tables.topic_files[item.id] = real_path
        for name in entries.declared:
            if name in tables.single:
                path, line = place(doc, name)
                problems.append(Problem(path, line, f"`{name}:` is defined in more than one file"))
            tables.single[name] = tables.single.get(name) or entries.single.get(name)
            if name in entries.single:
                tables.single_docs.setdefault(name, doc)
    return tables


def _check_entries(
    files: list[LoadedFile],
    tables: _Tables,
    known: Known,
    seeds: Collection[str] | None,
    problems: list[Problem],
    warnings: list[Problem],
) -> dict[str, tuple[Path, int]]:
    """Check each loaded topic and contact; return where each topic's review date is."""
    review_places: dict[str, tuple[Path, int]] = {}
    questions_seen: dict[str, tuple[str, str]] = {}
    for _, doc, entries in files:
        for index, topic in entries.topics:
            if tables.topics.get(topic.id) is not topic:
                continue
            check_topic_references(doc, index, topic, known, questions_seen, problems)
            check_sources(doc, index, topic, seeds, problems, warnings)
            findings = topic_findings(topic, tables.contacts)
            _report(doc, ("topics", index), findings, problems, warnings)
            _report(doc, ("topics", index), translation_findings(topic), problems, warnings)
            review_places[topic.id] = _review_place(doc, index, topic)
        for index, contact in entries.contacts:
            if tables.contacts.get(contact.id) is contact:
                findings = contact_findings(contact)
                _report(doc, ("contacts", index), findings, problems, warnings)
    return review_places


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
        message = f"{SECTION_NAMES[section]} {name!r}: {finding.message}"
        if finding.warning:
            warnings.append(Problem.warning(doc.path, line, message))
        else:
            problems.append(Problem(doc.path, line, message))


def _single(found: dict[str, BaseModel | None], name: str, model: type[_M]) -> _M:
    """The section `name` as defined, or its defaults when no file defines it."""
    section = found.get(name)
    return section if isinstance(section, model) else model()


def _review_place(doc: SourceDocument, index: int, topic: Topic) -> tuple[Path, int]:
    """The line a freshness warning points at: the date staff update after a review."""
    field = "review_by" if topic.review_by else "reviewed" if topic.reviewed else "id"
    return doc.path, doc.line_of(("topics", index, field))
