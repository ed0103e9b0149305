"""Topic ids named outside the knowledge base, and the ids that vanished from it.

Logged questions, evaluation files and deep links shared on the web all name topics by id.
Renaming a topic without keeping its old id (`former_ids:`) silently breaks them: the
statistics split, the evaluation counts right answers as wrong, the link opens the welcome
message. `ktbot check` warns about each vanished id still named somewhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from intents.knowledge.base import KnowledgeBase
from intents.knowledge.errors import Problem

EVAL_SUFFIX = ".jsonl"


@dataclass(frozen=True, slots=True)
class IdUse:
    """`count` mentions of one topic id in one place, the first at `path:line`."""

    what: str
    """What names it, in the plural-ready form "evaluation question"."""
    path: Path
    line: int
    count: int


IdUses = Mapping[str, Sequence[IdUse]]


def eval_files(folder: Path) -> list[Path]:
    """The labelled-question files (`*.jsonl`) of `folder`; none when it is absent."""
    try:
        return sorted(p for p in folder.iterdir() if p.suffix == EVAL_SUFFIX and p.is_file())
    except OSError:
        return []


def eval_id_uses(paths: Iterable[Path]) -> dict[str, list[IdUse]]:
    """Every topic id the labels of `paths` name, counted per file.

    Read leniently: a line that is not a labelled question is skipped here (`ktbot eval`
    reports it), as the check is about ids, not about the file's form.
    """
    uses: dict[str, list[IdUse]] = {}
    for path in paths:
        counts: dict[str, tuple[int, int]] = {}  # id -> (first line, count)
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        for number, line in enumerate(lines, 1):
            for topic_id in _labels(line):
                first, count = counts.get(topic_id, (number, 0))
                counts[topic_id] = (first, count + 1)
        for topic_id, (first, count) in counts.items():
            uses.setdefault(topic_id, []).append(IdUse("evaluation question", path, first, count))
    return uses


def _labels(line: str) -> list[str]:
    try:
        item = json.loads(line)
    except ValueError:
        return []
    label = item.get("intent") if isinstance(item, dict) else None
    labels = label if isinstance(label, list) else [label]
    return [x.strip() for x in labels if isinstance(x, str) and x.strip()]


def merge_uses(*tables: IdUses) -> dict[str, list[IdUse]]:
    merged: dict[str, list[IdUse]] = {}
    for table in tables:
        for topic_id, uses in table.items():
            merged.setdefault(topic_id, []).extend(uses)
    return merged


def vanished_id_warnings(kb: KnowledgeBase, uses: IdUses) -> list[Problem]:
    """A warning for each id named in `uses` that is neither a topic nor a former id, at
    the first place naming it, with the counts and how to rename safely."""
    warnings = []
    for topic_id, places in sorted(uses.items()):
        if kb.current_id(topic_id) is not None or not places:
            continue
        counts = ", ".join(
            f"{use.count} {use.what}{'s' if use.count != 1 else ''} ({use.path.name})"
            for use in places
        )
        payload = topic_id.replace(".", "__")
        message = (
            f"topic id {topic_id!r} no longer exists but is still named by {counts}; deep "
            f"links (t.me/<bot>?start={payload}) may name it too. If the topic was renamed, "
            f"add `former_ids: [{topic_id}]` to it so they all keep reaching it; if it was "
            "removed on purpose, relabel the evaluation questions"
        )
        first = places[0]
        warnings.append(Problem.warning(first.path, first.line, message))
    return warnings
