"""Load and validate the knowledge directory, reporting every problem at once."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from intents.errors import KnowledgeError, Problem
from intents.knowledge import KnowledgeBase
from intents.markup import parse_markup
from intents.models import Category, Contact, KnowledgeFile, MatchingSettings, Topic
from intents.yaml_source import SourceDocument, read_yaml

YAML_SUFFIXES = (".yaml", ".yml")
_SECTION_NAMES = {"topics": "topic", "contacts": "contact", "categories": "category"}


def knowledge_files(root: Path) -> list[Path]:
    """Every YAML file under `root`, sorted so that loading is deterministic."""
    return sorted(p for p in root.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())


def load_knowledge(root: Path) -> KnowledgeBase:
    """Load `root`; raise `KnowledgeError` listing all problems if anything is wrong."""
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
    files: list[tuple[Path, SourceDocument, KnowledgeFile]] = []
    digest = hashlib.sha256()
    for path in paths:
        shown = _display_path(path, root)
        doc = read_yaml(path, shown)
        problems.extend(doc.problems)
        # Relative to root: the same content has the same version wherever it is checked out.
        name = path.relative_to(root).as_posix()
        digest.update(name.encode() + b"\0" + repr(doc.data).encode())
        if doc.data is None or doc.problems:
            continue
        parsed = _validate_file(doc, problems)
        if parsed is not None:
            files.append((path.resolve(), doc, parsed))

    return _assemble(root, files, problems, digest.hexdigest()[:12])


def _display_path(path: Path, root: Path) -> Path:
    # Paths relative to the working directory are clickable in terminals and editors.
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _validate_file(doc: SourceDocument, problems: list[Problem]) -> KnowledgeFile | None:
    if not isinstance(doc.data, dict):
        problems.append(
            Problem(doc.path, 1, "expected a mapping with `topics:`, `contacts:` or `categories:`")
        )
        return None
    try:
        return KnowledgeFile.model_validate(doc.data)
    except ValidationError as exc:
        for error in exc.errors():
            location = tuple(error["loc"])
            problems.append(
                Problem(doc.path, doc.line_of(location), _describe(doc.data, location, error))
            )
        return None


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


def question_key(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form used to spot duplicate examples."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    letters = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", letters).split())


def _assemble(
    root: Path,
    files: list[tuple[Path, SourceDocument, KnowledgeFile]],
    problems: list[Problem],
    version: str,
) -> KnowledgeBase:
    topics: dict[str, Topic] = {}
    topic_files: dict[str, Path] = {}
    contacts: dict[str, Contact] = {}
    categories: dict[str, Category] = {}
    settings: MatchingSettings | None = None
    where: dict[tuple[str, str], str] = {}
    questions_seen: dict[str, tuple[str, str]] = {}

    def place(doc: SourceDocument, *location: str | int) -> tuple[Path, int]:
        return doc.path, doc.line_of(location)

    for real_path, doc, parsed in files:
        for kind, items, table in (
            ("contact", parsed.contacts, contacts),
            ("category", parsed.categories, categories),
            ("topic", parsed.topics, topics),
        ):
            section = {"contact": "contacts", "category": "categories", "topic": "topics"}[kind]
            for index, item in enumerate(items):
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
        if parsed.settings is not None:
            path, line = place(doc, "settings")
            if settings is not None:
                problems.append(Problem(path, line, "`settings:` is defined in more than one file"))
            settings = parsed.settings

    for _, doc, parsed in files:
        for index, topic in enumerate(parsed.topics):
            if topics.get(topic.id) is not topic:
                continue
            _check_topic(doc, index, topic, topics, contacts, categories, questions_seen, problems)

    if not topics and not problems:
        problems.append(Problem(root, 1, "the knowledge base defines no topics"))
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(
        topics=topics,
        contacts=contacts,
        categories=categories,
        settings=settings or MatchingSettings(),
        version=version,
        root=root,
        topic_files=topic_files,
    )


def _check_topic(
    doc: SourceDocument,
    index: int,
    topic: Topic,
    topics: dict[str, Topic],
    contacts: dict[str, Contact],
    categories: dict[str, Category],
    questions_seen: dict[str, tuple[str, str]],
    problems: list[Problem],
) -> None:
    def at(*location: str | int) -> tuple[Path, int]:
        return doc.path, doc.line_of(("topics", index, *location))

    def report(message: str, *location: str | int) -> None:
        path, line = at(*location)
        problems.append(Problem(path, line, f"topic {topic.id!r}: {message}"))

    if topic.category not in categories:
        report(f"unknown category {topic.category!r}{_choices(categories)}", "category")
    for i, contact in enumerate(topic.contacts):
        if contact not in contacts:
            report(f"unknown contact {contact!r}{_choices(contacts)}", "contacts", i)
    for i, related in enumerate(topic.related):
        if related == topic.id:
            report("a topic cannot be related to itself", "related", i)
        elif related not in topics:
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


def _choices(table: dict[str, Any]) -> str:
    if not table:
        return ""
    known = ", ".join(sorted(table)[:8])
    return f" (known: {known}{', …' if len(table) > 8 else ''})"


def iter_problems(root: Path) -> Iterable[Problem]:
    """All problems of `root`, or nothing when it loads cleanly."""
    try:
        load_knowledge(root)
    except KnowledgeError as exc:
        return exc.problems
    return ()
