"""The YAML edit behind promote: one example question added to a topic, every other byte
of the file kept as staff wrote it (comments, quoting, indents, line endings)."""

from __future__ import annotations

import io
import itertools
import re
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)
from ruamel.yaml.util import load_yaml_guess_indent

from bot.review.errors import ReviewError


def with_question_added(
    text: str, path: Path, topic_id: str, question: str
) -> tuple[str, int | None]:
    """The file's text with `question` added to the topic's examples, and the line (1-based)
    of the new example when it is known.

    The example is inserted as one new line right after the last example, indented like
    it, so every other byte stays as staff wrote it: comments after the list stay where
    they were, a list with zero-offset dashes keeps them, CRLF line endings and a UTF-8
    byte-order mark are kept. Only lists that are not one item per line (a flow list
    `[a, b]`, a block scalar) are re-written by ruamel, round-trip.
    """
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    newline = "\r\n" if "\r\n" in body else "\n"
    body = body.replace("\r\n", "\n")
    yaml = _round_trip_yaml(body, path)
    try:
        data = yaml.load(body)
    except YAMLError as exc:
        raise ReviewError(f"{path}: cannot parse the YAML file: {exc}") from exc
    topic = _find_topic(data, topic_id)
    if topic is None:
        raise ReviewError(f"{path}: topic {topic_id!r} not found in this file")
    questions = topic.get("questions")
    if not isinstance(questions, CommentedSeq):
        raise ReviewError(f"{path}: topic {topic_id!r} has no `questions:` list")
    expected = [*questions, question]
    value = _styled_like(questions, question)
    inserted = _inserted_after_last(body, questions, value)
    line: int | None = None
    if inserted is not None and _questions_in(yaml, inserted[0], topic_id) == expected:
        edited, line = inserted
    else:  # checked above, so a line that lands wrong is never written
        questions.append(value)
        out = io.StringIO()
        yaml.dump(data, out)
        edited = out.getvalue()
    return bom + edited.replace("\n", newline), line


def _round_trip_yaml(text: str, path: Path) -> YAML:
    yaml = YAML()  # round-trip mode: keeps comments, key order and flow/block styles
    yaml.preserve_quotes = True
    yaml.width = 1 << 20  # never re-wrap long lines staff wrote on one line
    try:
        # ruamel writes with fixed indents; reuse the file's own so untouched lines stay.
        _, sequence_indent, offset = load_yaml_guess_indent(text)
    except YAMLError as exc:
        raise ReviewError(f"{path}: cannot parse the YAML file: {exc}") from exc
    sequence_indent = sequence_indent or 2
    offset = offset or 0
    yaml.indent(
        mapping=_mapping_indent(text) or max(sequence_indent - offset, 2),
        sequence=sequence_indent,
        offset=offset,
    )
    return yaml


def _inserted_after_last(text: str, questions: CommentedSeq, value: str) -> tuple[str, int] | None:
    """`text` with `- value` on a new line after the last example, and that line's number;
    None when the list is not one plain or quoted example per line."""
    if not questions or questions.fa.flow_style():
        return None
    last = questions[-1]
    if not isinstance(last, str) or isinstance(last, (LiteralScalarString, FoldedScalarString)):
        return None
    lines = text.split("\n")
    row, column = questions.lc.item(len(questions) - 1)
    dash = lines[row].rfind("-", 0, column)
    indent = lines[row][:dash]
    if dash < 0 or indent.strip():
        return None
    end = row  # a plain or quoted example may go on over more-indented lines
    for number in range(row + 1, len(lines)):
        stripped = lines[number].strip()
        depth = len(lines[number]) - len(lines[number].lstrip())
        if stripped and (depth <= dash or stripped.startswith("#")):
            break
        if stripped:
            end = number
    item = _scalar_text(value)
    if item is None:
        return None
    lines.insert(end + 1, f"{indent}- {item}")
    return "\n".join(lines), end + 2


def _scalar_text(value: str) -> str | None:
    """`value` as one YAML scalar on one line, quoted when the knowledge loader (PyYAML,
    YAML 1.1) would read it plain as something else than this text: `yes`, `no`, `on`,
    `off` are booleans there (ruamel, YAML 1.2, writes them plain)."""
    for candidate in (value, DoubleQuotedScalarString(value)):
        out = io.StringIO()
        writer = YAML()
        writer.width = 1 << 20
        writer.dump([candidate], out)
        text = out.getvalue().rstrip("\n")
        if not text.startswith("- ") or "\n" in text:
            return None
        if _read_by_the_loader(text) == [str(value)]:
            return text[2:]
    return None


def _read_by_the_loader(text: str) -> Any:
    try:
        return pyyaml.safe_load(text)
    except pyyaml.YAMLError:
        return None


def _questions_in(yaml: YAML, text: str, topic_id: str) -> list[Any] | None:
    """The topic's examples as both YAML readers see them (None if they disagree)."""
    try:
        topic = _find_topic(yaml.load(text), topic_id)
        plain = pyyaml.safe_load(text)
    except (YAMLError, pyyaml.YAMLError):
        return None
    if topic is None or not isinstance(plain, dict):
        return None
    ours = [str(q) for q in topic.get("questions") or ()]
    theirs = next(
        (t.get("questions") for t in plain.get("topics") or () if t.get("id") == topic_id), None
    )
    return ours if ours == theirs else None


def _find_topic(data: Any, topic_id: str) -> CommentedMap | None:
    topics = data.get("topics") if isinstance(data, CommentedMap) else None
    for topic in topics or ():
        if isinstance(topic, CommentedMap) and topic.get("id") == topic_id:
            return topic
    return None


def _styled_like(questions: CommentedSeq, question: str) -> str:
    """Quote the new example the way its siblings are quoted, if they all agree."""
    styles = {type(q) for q in questions}
    if styles == {DoubleQuotedScalarString}:
        return DoubleQuotedScalarString(question)
    if styles == {SingleQuotedScalarString}:
        return SingleQuotedScalarString(question)
    if _read_by_the_loader(f"- {question}") != [question]:
        # ruamel quotes what YAML 1.2 needs (": ", "#", …) but writes `yes`, `no`, `on`
        # and `off` plain, which the loader (YAML 1.1) reads as booleans.
        return DoubleQuotedScalarString(question)
    return question


_KEY_ONLY = re.compile(r"^(\s*)[^\s#\-][^:#]*:\s*(#.*)?$")


def _mapping_indent(text: str) -> int | None:
    """The file's indent for a mapping nested in a mapping, if it has one."""
    lines = [
        line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]
    for line, following in itertools.pairwise(lines):
        match = _KEY_ONLY.match(line)
        if match is None:
            continue
        inner = following[: len(following) - len(following.lstrip())]
        if len(inner) > len(match[1]) and not following.lstrip().startswith("- "):
            return len(inner) - len(match[1])
    return None
