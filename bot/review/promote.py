"""Promote: add an unanswered question to a topic's examples, under the knowledge base's
edit lock, validated in a scratch copy before the real file is replaced."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from rapidfuzz import fuzz, process

from bot import knowledge_edit
from bot.review.errors import ReviewError
from bot.review.yaml_edit import with_question_added
from intents import (
    KnowledgeBase,
    KnowledgeError,
    Problem,
    knowledge_files,
    load_knowledge,
    question_key,
)


class AlreadyAnExample(ReviewError):
    """The question is already an example of that topic: the file was left as it was.

    After a promote stopped between writing the YAML and recording the review (killed,
    database locked), running it again lands here; marking the question is what is left.
    """

    def __init__(self, path: Path, topic_id: str, question: str) -> None:
        self.path = path
        self.topic_id = topic_id
        super().__init__(f"{question!r} is already an example question of topic {topic_id!r}")


def promote_question(knowledge_dir: Path, topic_id: str, question: str) -> Path:
    """Add `question` to the example questions of `topic_id`; return the file changed.

    The YAML file is edited round-trip, so comments, quoting and layout stay as staff wrote
    them. The whole edit (read, validate, write) holds the knowledge base's edit lock, so
    concurrent promotes are applied one after the other and none is lost. The edited
    knowledge base is validated in a scratch copy before the real file is replaced
    (atomically): a running bot watching the directory never sees a broken file, and on any
    problem the original stays untouched and ReviewError lists file:line.
    """
    knowledge_dir = Path(knowledge_dir)
    question = " ".join(question.split())
    if not question:
        raise ReviewError("the question to promote is empty")
    try:
        with knowledge_edit.edit_lock(knowledge_dir):
            return _promote_locked(knowledge_dir, topic_id, question)
    except knowledge_edit.KnowledgeWriteError as exc:
        raise ReviewError(str(exc)) from exc


def _promote_locked(knowledge_dir: Path, topic_id: str, question: str) -> Path:
    # Read under the lock: what another promote wrote a moment ago is part of this edit.
    try:
        kb = load_knowledge(knowledge_dir)
    except KnowledgeError as exc:
        raise ReviewError(
            "the knowledge base has problems already; fix them before promoting questions",
            exc.problems,
        ) from exc
    if topic_id not in kb.topics:
        raise ReviewError(unknown_topic_message(topic_id, kb.topics))
    path = kb.topic_files[topic_id]
    key = question_key(question)
    if key in {question_key(q) for q in kb.topics[topic_id].questions}:
        raise AlreadyAnExample(path, topic_id, question)
    knowledge_edit.require_writable(path.parent)

    original = path.read_bytes()
    edited, line = with_question_added(original.decode("utf-8"), path, topic_id, question)
    _validate_in_copy(knowledge_dir, path, edited, line)
    # Editors that do not take the lock (a person saving the file) are still noticed.
    if path.read_bytes() != original:
        raise ReviewError(f"{path} changed while the question was being added; try again")
    knowledge_edit.replace_file(path, edited)
    return path


def _validate_in_copy(
    knowledge_dir: Path, path: Path, edited: str, line: int | None = None
) -> None:
    root = knowledge_dir.resolve()
    try:
        relative = path.resolve().relative_to(root)
    except ValueError:
        raise ReviewError(
            f"{path} is outside {knowledge_dir} (a symlink?); edit it by hand"
        ) from None
    with tempfile.TemporaryDirectory(prefix="ktbot-promote-") as scratch:
        copy = _copy_knowledge(root, Path(scratch) / "knowledge")
        (copy / relative).write_text(edited, encoding="utf-8")
        try:
            load_knowledge(copy)
        except KnowledgeError as exc:
            problems = [_problem_in(knowledge_dir, copy, p) for p in exc.problems]
            # Lines in `path` are those of the edited version, which was never written:
            # say so, or staff look for a line the file does not have.
            where = f"line {line} of " if line is not None else ""
            raise ReviewError(
                f"adding the question would break the knowledge base; {path} was not changed. "
                f"Line numbers in {path.name} below are those of the edited version, with "
                f"the new example at {where or 'the end of the list in '}{path.name}",
                problems,
            ) from exc


def promoted_knowledge(
    knowledge_dir: Path, topic_id: str, question: str
) -> tuple[Path, KnowledgeBase]:
    """What promoting would do, done in a scratch copy (a dry run): the file it would
    change and the knowledge base as it would be. The real files are left untouched; a
    promote that would be refused raises ReviewError as the real one does."""
    root = Path(knowledge_dir).resolve()
    with tempfile.TemporaryDirectory(prefix="ktbot-dry-run-") as scratch:
        copy = _copy_knowledge(root, Path(scratch) / "knowledge")
        try:
            changed = promote_question(copy, topic_id, question)
        except AlreadyAnExample as exc:
            changed = exc.path
        kb = load_knowledge(copy)
        return Path(knowledge_dir) / changed.resolve().relative_to(copy.resolve()), kb


def _copy_knowledge(root: Path, copy: Path) -> Path:
    """Copy the knowledge files under `root` (resolved) to `copy`, keeping their layout."""
    for source in knowledge_files(root):
        target = copy / source.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    return copy


def _problem_in(knowledge_dir: Path, copy: Path, problem: Problem) -> Problem:
    """The same problem, pointing at the real files instead of the scratch copy."""
    message = problem.message
    # Messages cite other places too ("also under topic x (path:line)").
    for scratch in sorted({str(copy), str(copy.resolve())}, key=len, reverse=True):
        message = message.replace(scratch, str(knowledge_dir))
    where = problem.path if problem.path.is_absolute() else Path.cwd() / problem.path
    try:
        relative = where.resolve().relative_to(copy.resolve())
    except ValueError:
        return Problem(problem.path, problem.line, message)
    return Problem(knowledge_dir / relative, problem.line, message)


def unknown_topic_message(topic_id: str, topics: Iterable[str]) -> str:
    """`unknown topic 'x'` with the closest ids, so a typo is fixed at once."""
    close = process.extract(topic_id, list(topics), scorer=fuzz.WRatio, limit=3, score_cutoff=60)
    hint = f" (did you mean {', '.join(c[0] for c in close)}?)" if close else ""
    return f"unknown topic {topic_id!r}{hint}"
