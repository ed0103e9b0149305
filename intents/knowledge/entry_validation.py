"""One knowledge file's entries, validated against the models each on its own, and pydantic's
errors worded for staff."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from intents.knowledge.errors import Problem
from intents.knowledge.models import (
    Category,
    Contact,
    FreshnessSettings,
    KnowledgeFile,
    MatchingSettings,
    SpecialIds,
    SynonymGroup,
    Topic,
)
from intents.knowledge.yaml_source import SourceDocument

SECTION_NAMES = {"topics": "topic", "contacts": "contact", "categories": "category"}
_M = TypeVar("_M", bound=BaseModel)
SINGLE_SECTIONS: dict[str, type[BaseModel]] = {
    "settings": MatchingSettings,
    "freshness": FreshnessSettings,
    "special": SpecialIds,
}
"""Sections only one file of the knowledge base may define (their defaults apply without)."""
ENTRY_MODELS: dict[str, type[Topic | Contact | Category | SynonymGroup]] = {
    "topics": Topic,
    "contacts": Contact,
    "categories": Category,
    "synonyms": SynonymGroup,
}


@dataclass
class Entries:
    """The valid entries of one file, each with its index in its section (for line numbers)."""

    topics: list[tuple[int, Topic]] = field(default_factory=list)
    contacts: list[tuple[int, Contact]] = field(default_factory=list)
    categories: list[tuple[int, Category]] = field(default_factory=list)
    synonyms: list[tuple[int, SynonymGroup]] = field(default_factory=list)
    out_of_scope: tuple[str, ...] = ()
    other_organisations: tuple[str, ...] = ()
    sellers: tuple[str, ...] = ()
    declined_matters: tuple[str, ...] = ()
    declared: tuple[str, ...] = ()
    """The one-per-knowledge-base sections (`SINGLE_SECTIONS`) present, valid or not."""
    single: dict[str, BaseModel] = field(default_factory=dict)
    """Those of them that are valid."""
    rejected: set[tuple[str, int]] = field(default_factory=set)
    """(section, index) of the entries that failed validation."""


def validate_file(doc: SourceDocument, problems: list[Problem]) -> Entries | None:
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
    declared = tuple(name for name in SINGLE_SECTIONS if data.get(name) is not None)
    try:
        parsed = KnowledgeFile.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
    else:
        return Entries(
            topics=list(enumerate(parsed.topics)),
            contacts=list(enumerate(parsed.contacts)),
            categories=list(enumerate(parsed.categories)),
            synonyms=list(enumerate(parsed.synonyms)),
            out_of_scope=parsed.out_of_scope,
            other_organisations=parsed.other_organisations,
            sellers=parsed.sellers,
            declined_matters=parsed.declined_matters,
            declared=declared,
            single={name: getattr(parsed, name) for name in declared},
        )
    for error in errors:
        location = tuple(error["loc"])
        problems.append(Problem(doc.path, doc.line_of(location), _describe(data, location, error)))
    failed = {tuple(error["loc"][:2]) for error in errors}
    entries = Entries(declared=declared)
    for section, model in ENTRY_MODELS.items():
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
            else _valid(SINGLE_SECTIONS[name], data[name])
        )
        if valid is not None:
            entries.single[name] = valid
    return entries


def _valid(model: type[_M], data: Any) -> _M | None:
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def add_ids(
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
    if len(location) >= 2 and location[0] in SECTION_NAMES and isinstance(location[1], int):
        kind = SECTION_NAMES[location[0]]
        item = data.get(location[0], [])[location[1]] if isinstance(data, dict) else None
        item_id = item.get("id") if isinstance(item, dict) else None
        prefix = f"{kind} {item_id!r}: " if item_id else f"{kind} #{location[1] + 1}: "
        rest = location[2:]
    # Items counted from 1, as staff count them: `questions #1`, `links #2.url`.
    field = "".join(
        f" #{part + 1}" if isinstance(part, int) else f"{'.' if i else ''}{part}"
        for i, part in enumerate(rest)
    )
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown field (check the spelling; see knowledge/README.md)"
    elif error["type"] == "missing":
        message = "required field is missing"
    elif error["type"] == "string_type":
        message = _string_expected(rest, error.get("input")) or message
    return f"{prefix}{field + ': ' if field else ''}{message}"


def _string_expected(rest: tuple[Any, ...], value: Any) -> str | None:
    """Why YAML did not read text where text belongs, in words staff can act on."""
    if value is None:  # `answer:` with nothing after it, as `answer: ""` says
        return "must not be empty"
    if isinstance(value, dict) and len(value) == 1:  # `- Price: how much…` reads as a mapping
        what = "question" if rest[:1] == ("questions",) else "text"
        return f'text with a colon: put the {what} in quotes ("{_first_line(value)}")'
    return None


def _first_line(value: dict[Any, Any]) -> str:
    [(key, rest)] = value.items()
    text = f"{key}: {rest}" if rest is not None else f"{key}:"
    return text if len(text) <= 60 else text[:59] + "…"


LoadedFile = tuple[Path, SourceDocument, Entries]
"""A file whose entries were validated: its resolved path, its source, its valid entries."""
