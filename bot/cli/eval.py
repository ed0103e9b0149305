"""`ktbot eval FILE [--knowledge DIR] [--json] [--sweep] [--against DIR]`: how well the bot
answers.

Reads labelled questions (JSON lines `{"text": ..., "intent": id, [ids] or null, "kind": ...}`),
matches each against the knowledge base and prints the figures of `intents.matching.evaluation`, per
kind too when the lines have one, and every question not handled as labelled with what the bot
did instead; per language too when some lines are not English (`lang`, or detected).
`--sweep` shows how the figures move with the thresholds, so staff can pick an
operating point for `settings.yaml`. `--against DIR` compares with another knowledge
directory (a copy taken before an edit): every question handled differently, now right, no
longer right, or otherwise changed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from itertools import groupby
from pathlib import Path
from typing import Any, TextIO

from bot.cli.errors import command
from bot.cli.options import add_knowledge_option, knowledge_dir
from bot.settings import Settings
from intents import (
    Change,
    EvalReport,
    Figures,
    Matcher,
    Miss,
    SweepPoint,
    compare,
    evaluate,
    kind_group,
    load_knowledge,
    read_labelled,
    sweep,
)

ANSWER_STEPS = tuple(round(0.16 + 0.02 * i, 2) for i in range(18))  # 0.16 … 0.50
CLARIFY_STEPS = tuple(round(0.14 + 0.04 * i, 2) for i in range(7))  # 0.14 … 0.38
CONFUSIONS_SHOWN = 15
TEXT_SHOWN = 100


def add_parser(subparsers: Any) -> None:
    """Register `eval` on the `ktbot` command line."""
    parser = subparsers.add_parser(
        "eval",
        help="measure answers on labelled questions (JSON lines)",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    parser.add_argument(
        "file", type=Path, help='JSON lines: {"text": ..., "intent": id|[ids]|null, "kind": ...}'
    )
    add_knowledge_option(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--sweep", action="store_true", help="also show the figures across thresholds"
    )
    parser.add_argument(
        "--against",
        type=Path,
        metavar="DIR",
        help="also list the questions handled differently by the knowledge base in DIR "
        "(e.g. a copy of knowledge/ taken before your edits)",
    )
    parser.set_defaults(func=run)


@command
def run(args: argparse.Namespace, settings: Settings, out: TextIO | None = None) -> int:
    """Run the evaluation; 0 on success. An unreadable file (`EvalFileError`) or a broken
    knowledge base (`KnowledgeError`) is reported by `bot/cli/errors.py` (exit 1)."""
    out = out or sys.stdout
    questions = read_labelled(args.file)
    matcher = Matcher.build(load_knowledge(knowledge_dir(args, settings)))
    report = evaluate(matcher, questions)
    points = sweep(matcher, questions, ANSWER_STEPS, CLARIFY_STEPS) if args.sweep else []
    before = Matcher.build(load_knowledge(args.against)) if args.against else None
    changes = compare(before, matcher, questions) if before is not None else ()
    if args.json:
        payload: dict[str, Any] = {
            "file": str(args.file),
            "knowledge_version": matcher.kb.version,
            "settings": matcher.kb.settings.model_dump(),
            **report.to_dict(),
        }
        if args.sweep:
            payload["sweep"] = [
                {
                    "answer_threshold": p.answer_threshold,
                    "clarify_threshold": p.clarify_threshold,
                    **_headline(p.report),
                }
                for p in points
            ]
        if before is not None:
            payload["against"] = {
                "knowledge": str(args.against),
                "knowledge_version": before.kb.version,
                "changes": [dataclasses.asdict(c) for c in changes],
            }
        print(json.dumps(payload, ensure_ascii=False), file=out)
        return 0
    _print_report(report, matcher, args.file, out)
    if args.sweep:
        _print_sweep(points, matcher, out)
    if before is not None:
        _print_changes(changes, before, args.against, out)
    return 0


VERDICTS = {"lost": "no longer right", "won": "now right", "changed": "changed"}
"""In the order the changes are listed: what an edit broke is what staff must see first."""


def _print_changes(changes: tuple[Change, ...], before: Matcher, path: Path, out: TextIO) -> None:
    """The questions the other knowledge base handles differently, lost ones first: what
    an edit moved besides what it was made for."""
    counts = {verdict: sum(c.verdict == verdict for c in changes) for verdict in VERDICTS}
    out.write(
        f"\ncompared with {path} (knowledge version {before.kb.version}): "
        f"{len(changes)} questions handled differently: {counts['won']} now right, "
        f"{counts['lost']} no longer right, {counts['changed']} otherwise changed\n"
    )
    for change in sorted(changes, key=lambda c: list(VERDICTS).index(c.verdict)):
        text = change.text if len(change.text) <= TEXT_SHOWN else change.text[:TEXT_SHOWN] + "…"
        want = _topics(change.expected) if change.expected else "fallback"
        out.write(
            f"  {VERDICTS[change.verdict]}: {text}\n"
            f"      want {want}; was {change.before}, now {change.after}\n"
        )


def _headline(report: EvalReport) -> dict[str, float]:
    return {
        "in_scope_accuracy": round(report.in_scope_accuracy, 4),
        "in_scope_resolved": round(report.in_scope_resolved, 4),
        "false_answer_rate": round(report.false_answer_rate, 4),
        "out_of_scope_recall": round(report.out_of_scope_recall, 4),
    }


def _print_report(report: EvalReport, matcher: Matcher, path: Path, out: TextIO) -> None:
    s = matcher.kb.settings
    w = out.write
    w(
        f"{path}: {report.questions} questions ({report.in_scope} in scope, "
        f"{report.out_of_scope} out of scope)\n"
    )
    w(
        f"knowledge version {matcher.kb.version}: answer ≥ {s.answer_threshold:.2f}, "
        f"clarify ≥ {s.clarify_threshold:.2f}, margin {s.clarify_margin:.0%}\n\n"
    )
    w(f"  in-scope accuracy     {report.in_scope_accuracy:6.1%}  answered with the right topic\n")
    w(f"  in-scope resolved     {report.in_scope_resolved:6.1%}  right answer or right option\n")
    w(f"  false answers         {report.false_answer_rate:6.1%}  answered with a wrong topic\n")
    w(f"  out-of-scope recall   {report.out_of_scope_recall:6.1%}  out of scope, fallback given\n")
    if report.latency_p50_ms is not None and report.latency_p99_ms is not None:
        w(
            f"  latency               p50 {report.latency_p50_ms:.3f} ms, "
            f"p99 {report.latency_p99_ms:.3f} ms  one timed call per line; the benchmark "
            "is bench/latency.py\n"
        )
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items()))
    w(f"  outcomes              {outcomes}\n")
    if report.by_kind:
        _print_groups("kind", report.by_kind, report, out)
    if report.by_language:
        _print_groups("language", report.by_language, report, out)
    if report.unknown_intents:
        w(f"\nlabels naming no topic: {', '.join(report.unknown_intents)}\n")
    if report.confusions:
        w("\nwrong answers (expected <- answered instead):\n")
        for c in report.confusions[:CONFUSIONS_SHOWN]:
            w(f"  {c.count:3d}  {_topics(c.expected)} <- {c.answered}\n")
    if report.misses:
        _print_misses(report, out)


def _print_groups(label: str, groups: dict[str, Figures], report: EvalReport, out: TextIO) -> None:
    """One row per group (kind, language), then the whole file; a rate with nothing to count
    is a dash."""
    width = max(len(name) for name in (label, *groups)) + 2
    out.write(
        f"\n  {label:<{width}}{'lines':>6}{'in-scope accuracy':>20}{'resolved':>10}"
        f"{'false answers':>15}{'out-of-scope recall':>22}\n"
    )
    for kind, figures in [*groups.items(), ("all", report)]:
        out.write(
            f"  {kind:<{width}}{figures.questions:>6}"
            f"{_rate(figures.in_scope_accuracy, figures.in_scope, counted=True):>20}"
            f"{_rate(figures.in_scope_resolved, figures.in_scope):>10}"
            f"{_rate(figures.false_answer_rate, figures.questions):>15}"
            f"{_rate(figures.out_of_scope_recall, figures.out_of_scope, counted=True):>22}\n"
        )


def _rate(share: float, total: int, *, counted: bool = False) -> str:
    if not total:
        return "–"
    return f"{share:.1%} ({round(share * total)}/{total})" if counted else f"{share:.1%}"


def _print_misses(report: EvalReport, out: TextIO) -> None:
    """Each miss as its text, then what was wanted and what the bot did; grouped by kind."""
    out.write("\nnot handled as labelled" + (", by kind" if report.by_kind else "") + ":\n")
    for kind, group in groupby(report.misses, key=kind_group):
        misses = list(group)
        if report.by_kind:
            out.write(f"\n  {kind}: {len(misses)} of {report.by_kind[kind].questions}\n")
        for miss in misses:
            text = miss.text if len(miss.text) <= TEXT_SHOWN else miss.text[:TEXT_SHOWN] + "…"
            want = _topics(miss.expected) if miss.expected else "fallback"
            out.write(f"    {text}\n        want {want}; got {_what_bot_did(miss)}\n")


def _what_bot_did(miss: Miss) -> str:
    """The outcome, its score and topics: the answer, the options offered, or the nearest."""
    if miss.outcome == "answer":
        return f"answer {miss.score:.2f} {miss.intent}"
    if miss.outcome == "clarify":
        return f"clarify {miss.score:.2f}: {_topics(miss.candidates)}"
    nearest = f" (nearest {miss.candidates[0]})" if miss.candidates else ""
    return f"{miss.outcome} {miss.score:.2f}{nearest}"


def _topics(intents: tuple[str, ...]) -> str:
    return " | ".join(intents) if intents else "(out of scope)"


def _print_sweep(points: list[SweepPoint], matcher: Matcher, out: TextIO) -> None:
    """A grid: one row per answer threshold, one column per clarify threshold; each cell is
    accuracy / resolved / false answers / out-of-scope recall, in percent."""
    s = matcher.kb.settings
    cells = {(p.answer_threshold, p.clarify_threshold): p.report for p in points}
    out.write(
        f"\nthreshold sweep (margin {s.clarify_margin:.0%}; current: answer "
        f"{s.answer_threshold:.2f}, clarify {s.clarify_threshold:.2f})\n"
        "each cell: accuracy/resolved/false answers/out-of-scope recall, in %\n"
        "answer \\ clarify" + "".join(f"{c:>14.2f}" for c in CLARIFY_STEPS) + "\n"
    )
    for answer in ANSWER_STEPS:
        row = []
        for clarify in CLARIFY_STEPS:
            r = cells.get((answer, clarify))
            row.append(
                ""
                if r is None
                else f"{r.in_scope_accuracy:.0%}/{r.in_scope_resolved:.0%}/"
                f"{r.false_answer_rate:.0%}/{r.out_of_scope_recall:.0%}".replace("%", "")
            )
        out.write(f"{answer:>16.2f}" + "".join(f"{cell:>14}" for cell in row) + "\n")
