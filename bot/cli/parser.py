"""The `ktbot` command line: each command module registers its own sub-commands."""

from __future__ import annotations

import argparse


def build_parser() -> argparse.ArgumentParser:
    from bot.cli import ask, check, eval, review, serve

    parser = argparse.ArgumentParser(
        prog="ktbot",
        description="CERN medical-applications knowledge-transfer assistant.",
    )
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    check.add_parsers(sub)  # check, schema
    ask.add_parser(sub)
    serve.add_parsers(sub)  # chat, run, health
    eval.add_parser(sub)
    review.add_parsers(sub)  # unanswered …, stats
    return parser
