"""Reviewing what the bot could not answer: grouping, promoting, stats and plain-text reports.

Plain functions over storage records, with no terminal or Telegram in sight: the CLI
(`bot/cli/review.py`) and the Telegram admin commands both render what these return.
"""

from __future__ import annotations

import bisect
import io
import itertools
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml as pyyaml
from rapidfuzz import fuzz, process
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

from bot import knowledge_edit
from bot.errors import KtbotError
from bot.stale_report import StaleReading, format_stale, stale_json
from bot.storage import ReviewState, UnansweredQuestion, UsageStats
from intents import (
    Candidate,
    KnowledgeBase,
    KnowledgeError,
    Matcher,
    MatchResult,
    Outcome,
    Problem,
    knowledge_files,
    load_knowledge,
    question_key,
    stem,
)

DEFAULT_GROUP_THRESHOLD = 0.75
"""Similarity (0–1) above which two unanswered questions count as the same question."""

# Words that make two questions look alike without saying what they are about:
# "what is the weather" and "what is the price" must not group.
# fmt: off
_STOPWORDS = frozenset({
    "a", "an", "and", "any", "are", "as", "at", "be", "can", "could", "did", "do", "does",
    "for", "from", "get", "got", "have", "how", "i", "if", "in", "is", "it", "me", "much",
    "my", "of", "on", "or", "our", "please", "should", "some", "tell", "that", "the",
    "there", "this", "to", "was", "we", "what", "when", "where", "which", "who", "why",
    "will", "with", "would", "you", "your",
})
# fmt: on


class ReviewError(KtbotError):
    """A review action was refused; the message (and `problems`) say why and where."""

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = [message, *(f"  {problem}" for problem in self.problems)]
        super().__init__("\n".join(lines))


# --- durations ----------------------------------------------------------------------------

_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.IGNORECASE)
_UNITS = {
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
MAX_DURATION = timedelta(days=100 * 366)
"""Longer ages reach before year 1 (a crash, not "everything"): `all` means no limit."""


def parse_duration(text: str) -> timedelta:
    """`30m`, `12h`, `7d`, `2w` → timedelta; anything else raises ValueError saying what
    works."""
    match = _DURATION.match(text)
    if match is None or int(match[1]) == 0:
        raise ValueError(
            f"invalid duration {text!r}: use a positive number followed by m (minutes), "
            "h (hours), d (days) or w (weeks), e.g. 12h, 7d, 2w, 30m"
        )
    unit = _UNITS[match[2].lower()]
    if int(match[1]) > MAX_DURATION // unit:  # checked before multiplying: no OverflowError
        raise ValueError(
            f"duration {text!r} is too long: at most 100 years (use 'all' for no limit)"
        )
    return int(match[1]) * unit


# --- grouping -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    """Unanswered questions that ask the same thing in different words."""

    representative: str
    """The question most like all the others: the group's headline."""
    members: tuple[UnansweredQuestion, ...]
    """Newest first."""
    nearest_topic: str | None
    """The topic most members came closest to: where the answer probably belongs."""

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def ids(self) -> tuple[int, ...]:
        return tuple(m.id for m in self.members)

    @property
    def askers(self) -> int:
        """Distinct people (a question without a user key counts as its own person)."""
        keys = {m.user_key or f"anonymous#{m.id}" for m in self.members}
        return len(keys)

    @property
    def last_asked(self) -> datetime:
        return max(m.asked_at for m in self.members)


def grouping_text(question: str) -> str:
    """Case-, accent- and punctuation-free content words, plurals folded."""
    key = question_key(question)
    # The matcher's stemmer: "prices"/"price" and "gantries"/"gantry" meet here as they do
    # when a question is matched.
    words = [stem(w) for w in key.split() if w not in _STOPWORDS]
    return " ".join(words) or key


def group_similar(
    questions: Sequence[UnansweredQuestion], threshold: float = DEFAULT_GROUP_THRESHOLD
) -> list[QuestionGroup]:
    """Cluster similar questions, largest group first.

    Each group is a star around its most connected question, and every member is similar
    to that centre: chains of "a like b like c" do not merge unrelated questions.
    """
    if not 0 < threshold <= 1:
        raise ValueError("threshold is a similarity between 0 and 1")
    if not questions:
        return []
    # Identical texts are compared once; `owners[k]` are the questions with key k.
    owners: dict[str, list[UnansweredQuestion]] = {}
    for item in questions:
        owners.setdefault(grouping_text(item.question), []).append(item)
    keys = list(owners)
    neighbours = _neighbours(keys, threshold * 100)
    # The centre is the question with the most similar questions around it.
    degree = {i: sum(len(owners[keys[j]]) for j in neighbours[i]) for i in range(len(keys))}
    newest = {i: max(item.asked_at for item in owners[keys[i]]) for i in range(len(keys))}
    order = sorted(range(len(keys)), key=lambda i: (-degree[i], -newest[i].timestamp(), i))
    taken: set[int] = set()
    groups: list[QuestionGroup] = []
    for centre in order:
        if centre in taken:
            continue
        members_idx = [i for i in sorted(neighbours[centre]) if i not in taken]
        taken.update(members_idx)
        members = sorted(
            (item for i in members_idx for item in owners[keys[i]]),
            key=lambda item: (item.asked_at, item.id),
            reverse=True,
        )
        headline = max(owners[keys[centre]], key=lambda item: (item.asked_at, item.id))
        groups.append(
            QuestionGroup(headline.question, tuple(members), _most_common_nearest(members))
        )
    groups.sort(key=lambda g: (-g.count, -g.askers, -g.last_asked.timestamp()))
    return groups


def _neighbours(keys: list[str], cutoff: float) -> list[set[int]]:
    """For each key, the indices of keys at least `cutoff` similar (itself included)."""
    # token_set_ratio ignores word order and extra words ("price of isotopes" vs "isotope
    # prices for hospitals"); but a one-word question is a subset of everything containing
    # that word, so pairs involving one are compared whole (token_sort_ratio). Both scorers
    # are symmetric, so each pair is scored once (later keys only) and recorded both ways.
    single = [len(key.split()) <= 1 for key in keys]
    singles = [j for j, one in enumerate(single) if one]
    multis = [j for j, one in enumerate(single) if not one]
    result: list[set[int]] = [{index} for index in range(len(keys))]
    for index, key in enumerate(keys):
        for pool, scorer in (
            (singles, fuzz.token_sort_ratio),
            (multis, fuzz.token_sort_ratio if single[index] else fuzz.token_set_ratio),
        ):
            later = pool[bisect.bisect_right(pool, index) :]
            matches = process.extract(
                key, [keys[j] for j in later], scorer=scorer, score_cutoff=cutoff, limit=None
            )
            for _, _, position in matches:
                result[index].add(later[position])
                result[later[position]].add(index)
    return result


def _most_common_nearest(members: Iterable[UnansweredQuestion]) -> str | None:
    counts = Counter(m.alternatives[0].intent for m in members if m.alternatives)
    return counts.most_common(1)[0][0] if counts else None


# --- resolving similar questions (--similar) ----------------------------------------------


@dataclass(frozen=True, slots=True)
class SimilarCheck:
    """The questions like a resolved one, split by what the knowledge base now does."""

    answered: tuple[UnansweredQuestion, ...]
    """Now answered with the topic: resolving them with it is true."""
    left_open: tuple[tuple[UnansweredQuestion, MatchResult], ...]
    """Still not answered with it, each with what the bot now replies: they stay open."""


def similar_to(
    item: UnansweredQuestion,
    open_items: Sequence[UnansweredQuestion],
    threshold: float = DEFAULT_GROUP_THRESHOLD,
) -> list[UnansweredQuestion]:
    """The questions of `item`'s group among `open_items` (as `groups` shows it), not `item`."""
    pool = list(open_items)
    if all(q.id != item.id for q in pool):
        pool.append(item)  # resolved a moment ago: still the centre of its group
    group = next(
        (g for g in group_similar(pool, threshold) if any(m.id == item.id for m in g.members)),
        None,
    )
    return [m for m in group.members if m.id != item.id] if group else []


def check_similar(
    questions: Iterable[UnansweredQuestion], matcher: Matcher, topic_id: str
) -> SimilarCheck:
    """Ask each question again with `matcher` (the knowledge base as edited): those now
    answered with `topic_id` apart from the rest, which a paraphrase alone does not fix."""
    answered: list[UnansweredQuestion] = []
    left_open: list[tuple[UnansweredQuestion, MatchResult]] = []
    for question in questions:
        result = matcher.match(question.question)
        if result.outcome is Outcome.ANSWER and result.intent == topic_id:
            answered.append(question)
        else:
            left_open.append((question, result))
    return SimilarCheck(tuple(answered), tuple(left_open))


def describe_match(result: MatchResult) -> str:
    """`answered with route.licensing 0.41`, `did you mean… project.medicis 0.27, …`."""
    if result.outcome is Outcome.ANSWER:
        return f"answered with {result.intent} {result.score:.2f}"
    if result.outcome is Outcome.CLARIFY:
        return f"did you mean… {describe_nearest(result.candidates)}"
    return f"no answer (nearest: {describe_nearest(result.candidates)})"


# --- promote ------------------------------------------------------------------------------


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
    edited, line = _with_question_added(original.decode("utf-8"), path, topic_id, question)
    _validate_in_copy(knowledge_dir, path, edited, line)
    # Editors that do not take the lock (a person saving the file) are still noticed.
    if path.read_bytes() != original:
        raise ReviewError(f"{path} changed while the question was being added; try again")
    knowledge_edit.replace_file(path, edited)
    return path


def _with_question_added(
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
        copy = Path(scratch) / "knowledge"
        for source in knowledge_files(root):
            target = copy / source.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
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
        copy = Path(scratch) / "knowledge"
        for source in knowledge_files(root):
            target = copy / source.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        try:
            changed = promote_question(copy, topic_id, question)
        except AlreadyAnExample as exc:
            changed = exc.path
        kb = load_knowledge(copy)
        return Path(knowledge_dir) / changed.resolve().relative_to(copy.resolve()), kb


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


# --- JSON for scripts ---------------------------------------------------------------------


def candidates_json(candidates: Iterable[Candidate]) -> list[dict[str, Any]]:
    return [{"intent": c.intent, "score": round(c.score, 4)} for c in candidates]


def question_json(item: UnansweredQuestion) -> dict[str, Any]:
    return {
        "id": item.id,
        "asked_at": item.asked_at.isoformat(),
        "question": item.question,
        "score": round(item.score, 4),
        "nearest": candidates_json(item.alternatives),
        "state": str(item.state),
        "topic": item.topic,
        "reason": item.reason,
        "reviewed_at": item.reviewed_at.isoformat() if item.reviewed_at else None,
        "channel": item.channel,
        "kb_version": item.kb_version,
        "language": item.language,
    }


def group_json(group: QuestionGroup) -> dict[str, Any]:
    return {
        "count": group.count,
        "askers": group.askers,
        "representative": group.representative,
        "nearest_topic": group.nearest_topic,
        "ids": list(group.ids),
        "questions": [m.question for m in group.members],
        "last_asked": group.last_asked.isoformat(),
        "languages": list(group_languages(group)),
    }


def stats_json(
    stats: UsageStats,
    groups: Sequence[QuestionGroup] = (),
    stale: Sequence[StaleReading] = (),
) -> dict[str, Any]:
    return {
        "since": stats.since.isoformat() if stats.since else None,
        "total": stats.total,
        "answered": stats.answered,
        "clarified": stats.clarified,
        "fallback": stats.fallback,
        "rates": {str(o): round(stats.rate(o), 4) for o in Outcome},
        "open_unanswered": stats.open_unanswered,
        "languages": dict(stats.by_language),  # "": asked before languages were recorded
        "top_topics": [{"topic": t.topic, "count": t.count} for t in stats.top_topics],
        "feedback": [
            {"topic": f.topic, "helpful": f.helpful, "unhelpful": f.unhelpful}
            for f in stats.feedback
        ],
        "weekly": [
            {
                "week": w.week.isoformat(),
                "total": w.total,
                "answered": w.answered,
                "clarified": w.clarified,
                "fallback": w.fallback,
            }
            for w in stats.weekly
        ],
        "unanswered_groups": [group_json(g) for g in groups],
        "stale_topics": stale_json(stale),
    }


# --- plain text (terminal and Telegram; the caller escapes for HTML) ----------------------


def describe_nearest(candidates: Sequence[Candidate], limit: int = 3) -> str:
    """`project.medicis 0.41, route.licensing 0.33`: why a question missed."""
    if not candidates:
        return "no topic came close"
    return ", ".join(f"{c.intent} {c.score:.2f}" for c in candidates[:limit])


def format_unanswered_page(
    items: Sequence[UnansweredQuestion], page: int, page_size: int
) -> tuple[list[str], list[int]]:
    """Page `page` (from 0) of `items`: the lines to show and the ids on that page."""
    pages = max(1, -(-len(items) // page_size))
    page = min(max(page, 0), pages - 1)
    shown = items[page * page_size : (page + 1) * page_size]
    if not shown:
        return ["No unanswered questions."], []
    lines = [f"Unanswered questions ({len(items)}), page {page + 1} of {pages}:"]
    for item in shown:
        state = "" if item.state is ReviewState.OPEN else f" [{state_note(item)}]"
        lines.append(f"#{item.id} {item.asked_at:%Y-%m-%d}: {_clip(item.question, 300)}{state}")
        lines.append(f"    nearest: {describe_nearest(item.alternatives)}")
    return lines, [item.id for item in shown]


def state_note(item: UnansweredQuestion) -> str:
    if item.state is ReviewState.RESOLVED:
        return f"resolved → {item.topic}"
    if item.state is ReviewState.IGNORED:
        return f"ignored: {item.reason}"
    return str(item.state)


def format_group(group: QuestionGroup) -> str:
    """`14× “isotope prices” (9 people) → nearest project.medicis`."""
    nearest = f" → nearest {group.nearest_topic}" if group.nearest_topic else ""
    return f"{group.count}× “{_clip(group.representative, 120)}” ({people(group)}){nearest}"


UNKNOWN_LANGUAGE = "(not recorded)"
"""Questions asked before languages were recorded."""


def group_languages(group: QuestionGroup) -> tuple[str, ...]:
    """The languages the group's questions are written in, most frequent first."""
    counts = Counter(m.language for m in group.members if m.language)
    return tuple(language for language, _ in counts.most_common())


def people(group: QuestionGroup) -> str:
    """`1 person`, `9 people`: how many distinct users asked."""
    return f"{group.askers} {'person' if group.askers == 1 else 'people'}"


def format_digest(
    groups: Sequence[QuestionGroup], limit: int = 10, stale: Sequence[StaleReading] = ()
) -> str:
    """The weekly message to admins: what people asked that the bot could not answer, and
    the stale topics they read most."""
    if not groups:
        lines = ["No unanswered questions this week."]
    else:
        total = sum(g.count for g in groups)
        lines = [f"Unanswered this week: {total} question(s) in {len(groups)} group(s).", ""]
        for group in groups[:limit]:
            ids = ", ".join(f"#{i}" for i in group.ids[:5]) + (", …" if group.count > 5 else "")
            lines.append(f"• {format_group(group)}  [{ids}]")
        if len(groups) > limit:
            lines.append(f"… and {len(groups) - limit} smaller group(s).")
        lines += ["", "Review them with /unanswered, or on the server: ktbot unanswered groups"]
    if stale:
        lines += ["", *format_stale(stale, "this week", bullet="• ")]
    return "\n".join(lines)


def format_stats(
    stats: UsageStats, groups: Sequence[QuestionGroup] = (), stale: Sequence[StaleReading] = ()
) -> str:
    """Usage as plain text: rates, top topics, feedback, weekly trend, unanswered groups,
    and the stale topics most read in the period."""
    period = f"since {stats.since:%Y-%m-%d}" if stats.since else "all time"
    lines = [f"Questions {period}: {stats.total}"]
    stale_lines = format_stale(stale)
    if not stats.total:
        return "\n".join([lines[0], *([""] if stale_lines else []), *stale_lines])
    for label, outcome in (
        ("answered", Outcome.ANSWER),
        ("clarified", Outcome.CLARIFY),
        ("unanswered", Outcome.FALLBACK),
    ):
        lines.append(f"  {label:<11}{stats.by_outcome[outcome]:>6}  ({stats.rate(outcome):.0%})")
    lines.append(f"  open for review: {stats.open_unanswered}")
    if stats.by_language:
        lines += ["", "Languages:"]
        lines += [
            f"  {language or UNKNOWN_LANGUAGE:<11}{count:>6}  ({count / stats.total:.0%})"
            for language, count in stats.by_language.items()
        ]
    if stats.top_topics:
        lines += ["", "Top topics:"]
        width = max(len(t.topic) for t in stats.top_topics)
        lines += [f"  {t.topic:<{width}}  {t.count:>5}" for t in stats.top_topics]
    if stats.feedback:
        lines += ["", "Feedback (👍 / 👎):"]
        width = max(len(f.topic) for f in stats.feedback)
        lines += [
            f"  {f.topic:<{width}}  {f.helpful:>4} / {f.unhelpful:<4}" for f in stats.feedback
        ]
    if stats.weekly:
        lines += ["", "By week (Monday):"]
        for week in stats.weekly:
            answered = week.answered / week.total if week.total else 0
            missed = week.fallback / week.total if week.total else 0
            lines.append(
                f"  {week.week:%Y-%m-%d}  {week.total:>5} asked, {answered:>4.0%} answered, "
                f"{missed:>4.0%} unanswered"
            )
    if groups:
        lines += ["", "Most asked without an answer:"]
        lines += [f"  {format_group(g)}" for g in groups[:5]]
    if stale_lines:
        lines += ["", *stale_lines]
    return "\n".join(lines)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
