"""`ktbot ask`: match questions without recording anything; `--json` is the machine interface
evaluations use."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from bot.cli.errors import command
from bot.cli.options import add_knowledge_option, knowledge_dir, lenient
from bot.conversation import clean_question
from bot.rendering import markup_text
from bot.settings import Settings
from intents import Matcher, MatchResult, Outcome, load_knowledge


def add_parser(subparsers: Any) -> None:
    """Register `ask` on the `ktbot` command line."""
    ask = subparsers.add_parser("ask", help="match one question (or '-' for one per stdin line)")
    add_knowledge_option(ask)
    ask.add_argument("--json", action="store_true", help="one JSON object per question")
    ask.add_argument("question", nargs="+", help="the question, or '-' to read stdin")
    ask.set_defaults(func=run)


def result_json(result: MatchResult, matcher: Matcher) -> dict[str, Any]:
    """The stable machine interface used by evaluations."""
    answer = None
    topic = matcher.kb.topics.get(result.intent) if result.intent is not None else None
    if result.outcome is Outcome.ANSWER and topic is not None:
        answer = markup_text(topic.answer)
    return {
        "question": result.question,
        "outcome": str(result.outcome),
        "intent": result.intent,
        "score": round(result.score, 4),
        "alternatives": [
            {"intent": c.intent, "score": round(c.score, 4)} for c in result.alternatives
        ],
        "suggestions": list(result.suggestions),
        "answer": answer,
    }


@command
def run(args: argparse.Namespace, settings: Settings) -> int:
    """Match questions without recording anything."""
    matcher = Matcher.build(load_knowledge(knowledge_dir(args, settings)))
    questions: Iterable[str]
    if args.question == ["-"]:
        questions = (line.rstrip("\n") for line in lenient(sys.stdin))
    else:
        questions = [" ".join(args.question)]
    for raw in questions:
        question, _ = clean_question(raw)
        if not question and args.question == ["-"]:
            continue
        result = matcher.match(question)
        if args.json:
            print(json.dumps(result_json(result, matcher), ensure_ascii=False), flush=True)
        else:
            _print_result(result, matcher, sys.stdout)
    return 0


def _print_result(result: MatchResult, matcher: Matcher, out: TextIO) -> None:
    data = result_json(result, matcher)
    intent = data["intent"] or "-"
    out.write(f"{data['outcome']}: {intent} ({data['score']:.2f})\n")
    for alt in data["alternatives"]:
        out.write(f"  also: {alt['intent']} ({alt['score']:.2f})\n")
    if data["answer"]:
        out.write(data["answer"] + "\n")
