"""Read one YAML file into plain data while remembering the line of every value.

PyYAML's `safe_load` forgets positions, and pydantic reports errors by path
(`topics.3.questions`), so the loader keeps a path → line table to turn every
finding into `file:line: message`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from intents.knowledge.errors import Problem

# A YAML file written by hand is a few hundred lines; these bounds only stop pathological
# input (an alias "billion laughs" expands to millions of nodes from a few lines).
MAX_FILE_BYTES = 2_000_000
MAX_NODES = 100_000
MAX_DEPTH = 50

_UNCLOSED = {
    "while parsing a flow sequence": "a '[' on this line is not closed with ']'",
    "while parsing a flow mapping": "a '{' on this line is not closed with '}'",
}

Path_ = tuple[str | int, ...]

try:  # libyaml's composer is several times faster; fall back when it is absent.
    _Loader: type[yaml.SafeLoader | yaml.CSafeLoader] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader


@dataclass
class SourceDocument:
    path: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, location: Path_) -> int:
        """Line of the deepest known element on `location` (1 for the file itself)."""
        for end in range(len(location), -1, -1):
            line = self.lines.get(tuple(location[:end]))
            if line is not None:
                return line
        return 1


class _TooBig(Exception):
    pass


def read_yaml(path: Path, display: Path | None = None) -> SourceDocument:
    """Parse `path`; problems (unreadable, not UTF-8, bad syntax) are returned, not raised."""
    shown = display or path
    doc = SourceDocument(path=shown, data=None)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        doc.problems.append(Problem(shown, 1, f"cannot read file: {exc.strerror or exc}"))
        return doc
    if len(raw) > MAX_FILE_BYTES:
        doc.problems.append(
            Problem(shown, 1, f"file is larger than {MAX_FILE_BYTES // 1_000_000} MB; split it")
        )
        return doc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        doc.problems.append(
            Problem(shown, line, f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8")
        )
        return doc
    try:
        deep = _too_deep(text)
        if deep is not None:
            doc.problems.append(Problem(shown, deep, f"nesting deeper than {MAX_DEPTH} levels"))
            return doc
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        doc.problems.append(_syntax_problem(shown, exc, text))
        return doc
    except yaml.YAMLError as exc:
        doc.problems.append(Problem(shown, 1, f"YAML error: {exc}"))
        return doc
    if node is None:
        doc.data = {}
        return doc
    builder = _Builder(doc)
    try:
        doc.data = builder.build(node, ())
    except _TooBig as exc:
        doc.data = None
        doc.problems.append(Problem(shown, node.start_mark.line + 1, str(exc)))
    return doc


def _syntax_problem(shown: Path, exc: yaml.MarkedYAMLError, text: str) -> Problem:
    """The syntax error at the line staff must fix, in words they can act on."""
    mark = exc.problem_mark or exc.context_mark
    reason = " ".join(filter(None, [exc.context, exc.problem]))
    problem = exc.problem or ""
    lines = text.splitlines()
    at = lines[mark.line] if mark and mark.line < len(lines) else ""
    if "tab" in problem or ("cannot start any token" in problem and "\t" in at):
        reason = (
            f"a tab is used to indent this line: indent with spaces only; the parser said: {reason}"
        )
    elif "mapping values are not allowed" in problem:
        reason = (
            "a second ':' in this line's text: put the text in quotes "
            '(answer: "Price: 10 CHF"), or start it on the next line after `answer: |`; '
            f"the parser said: {reason}"
        )
    elif exc.context == "while scanning a simple key" and exc.context_mark is not None:
        # The scanner notices on a later line; the line staff must fix is the key's.
        mark = exc.context_mark
        reason = (
            "a ':' is missing after the name on this line (write `name: value`); "
            f"the parser said: {reason}"
        )
    elif exc.context in _UNCLOSED and exc.context_mark is not None:
        # An unclosed bracket is noticed lines later; the line to fix is where it opened.
        mark = exc.context_mark
        reason = f"{_UNCLOSED[exc.context]}; the parser said: {reason}"
    line = mark.line + 1 if mark else 1
    return Problem(shown, line, f"YAML syntax error: {reason}")


def _too_deep(text: str) -> int | None:
    """Line where nesting exceeds MAX_DEPTH, found from the event stream.

    Composing nodes recurses (in C with libyaml), so absurd nesting must be refused
    before composing, or it overflows the stack instead of failing cleanly.
    """
    depth = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return event.start_mark.line + 1 if event.start_mark else 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


class _Builder:
    def __init__(self, doc: SourceDocument) -> None:
        self._doc = doc
        self._nodes = 0
        self._constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, location: Path_, depth: int = 0) -> Any:
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _TooBig(f"more than {MAX_NODES} YAML values (alias expansion?); refusing")
        if depth > MAX_DEPTH:
            raise _TooBig(f"nesting deeper than {MAX_DEPTH} levels; refusing")
        self._doc.lines.setdefault(location, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self._scalar(key_node)
                if not isinstance(key, str | int | float | bool) or key is None:
                    self._problem(key_node, "mapping keys must be plain words")
                    continue
                key = str(key)
                if key in result:
                    self._problem(key_node, f"duplicate key {key!r}; the later value would win")
                self._doc.lines[(*location, key)] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, (*location, key), depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [
                self.build(item, (*location, index), depth + 1)
                for index, item in enumerate(node.value)
            ]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return None
        try:
            return self._constructor.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            self._problem(node, f"invalid value: {exc}")
            return None

    def _problem(self, node: yaml.Node, message: str) -> None:
        self._doc.problems.append(Problem(self._doc.path, node.start_mark.line + 1, message))
