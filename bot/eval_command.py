"""`ktbot eval FILE [--knowledge DIR] [--json] [--sweep]`: how well the bot answers.

Reads labelled questions (JSON lines `{"text": ..., "intent": id or null}`), matches each
against the knowledge base and prints the figures of `intents.evaluation`. `--sweep` shows how
they move with the thresholds, so staff can pick an operating point for `settings.yaml`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from bot.cli_options import add_knowledge_option, knowledge_dir
from bot.settings import Settings
from intents.evaluation import (
    EvalFileError,
    EvalReport,
    SweepPoint,
    evaluate,
    read_labelled,
    sweep,
)
from intents.loader import load_knowledge
from intents.matcher import Matcher

ANSWER_STEPS = tuple(round(0.16 + 0.02 * i, 2) for i in range(18))  # 0.16 … 0.50
CLARIFY_STEPS = tuple(round(0.14 + 0.04 * i, 2) for i in range(7))  # 0.14 … 0.38
CONFUSIONS_SHOWN = 15


def add_parser(subparsers: Any) -> None:
    """Register `eval` on the `ktbot` command line."""
    parser = subparsers.add_parser(
        "eval",
        help="measure answers on labelled questions (JSON lines)",
        description=__doc__.split("\n\n")[1] if __doc__ else None,
    )
    parser.add_argument("file", type=Path, help='JSON lines: {"text": ..., "intent": id|null}')
    add_knowledge_option(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--sweep", action="store_true", help="also show the figures across thresholds"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings, out: TextIO | None = None) -> int:
    """Run the evaluation; 0 on success, 1 when the file cannot be read (a broken knowledge
    base raises KnowledgeError, reported by `ktbot` like for every command)."""
    out = out or sys.stdout
    try:
        questions = read_labelled(args.file)
    except EvalFileError as exc:
        print(f"ktbot eval: {exc}", file=sys.stderr)
        return 1
    matcher = Matcher.build(load_knowledge(knowledge_dir(args, settings)))
    report = evaluate(matcher, questions)
    points = sweep(matcher, questions, ANSWER_STEPS, CLARIFY_STEPS) if args.sweep else []
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
        print(json.dumps(payload, ensure_ascii=False), file=out)
        return 0
    _print_report(report, matcher, args.file, out)
    if args.sweep:
        _print_sweep(points, matcher, out)
    return 0


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
            f"p99 {report.latency_p99_ms:.3f} ms\n"
        )
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items()))
    w(f"  outcomes              {outcomes}\n")
    if report.unknown_intents:
        w(f"\nlabels naming no topic: {', '.join(report.unknown_intents)}\n")
    if report.confusions:
        w("\nwrong answers (expected <- answered instead):\n")
        for c in report.confusions[:CONFUSIONS_SHOWN]:
            w(f"  {c.count:3d}  {c.expected or '(out of scope)'} <- {c.answered}\n")
    if report.misses:
        w("\nnot handled as labelled:\n")
        for m in report.misses:
            got = f"{m.outcome} {m.intent or ''}".strip()
            w(f"  {m.score:.2f} {got:<38} want {m.expected or 'fallback'}: {m.text[:60]}\n")


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
