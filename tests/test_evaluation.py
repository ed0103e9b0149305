"""`ktbot eval`: the figures, the threshold sweep, the command, and the shipped knowledge
base's floors on the public evaluation set."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from bot import eval_command
from bot.settings import Settings
from intents.evaluation import (
    EvalFileError,
    LabelledQuestion,
    evaluate,
    read_labelled,
    score_results,
    sweep,
)
from intents.loader import load_knowledge
from intents.matcher import Matcher
from intents.result import Candidate, MatchResult, Outcome

REPO = Path(__file__).resolve().parents[1]
PUBLIC_EVAL = Path(__file__).parents[2] / "shared/eval/public.jsonl"


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_labelled_questions_are_read_with_null_meaning_out_of_scope(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "q.jsonl",
        '{"text": "What is MEDICIS?", "intent": "project.medicis"}',
        "",
        '{"text": "best pizza", "intent": null}',
    )
    assert read_labelled(path) == [
        LabelledQuestion("What is MEDICIS?", "project.medicis"),
        LabelledQuestion("best pizza", None),
    ]


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ('{"text": "oops", "intent": ', r"q\.jsonl:2: invalid JSON"),
        ('{"intent": "x"}', r"q\.jsonl:2: expected"),
        ('{"text": "x", "intent": 3}', r"q\.jsonl:2: intent must be"),
        # A misspelt or empty label must not silently count as out of scope.
        ('{"text": "x", "intnet": "project.medicis"}', r'q\.jsonl:2: no "intent"'),
        ('{"text": "x", "intent": ""}', r"q\.jsonl:2: intent must be"),
    ],
)
def test_a_bad_line_is_reported_with_its_number(
    tmp_path: Path, bad_line: str, message: str
) -> None:
    path = write_lines(tmp_path / "q.jsonl", '{"text": "ok", "intent": null}', bad_line)
    with pytest.raises(EvalFileError, match=message):
        read_labelled(path)


def test_an_unreadable_file_is_an_eval_file_error(tmp_path: Path) -> None:
    with pytest.raises(EvalFileError, match="cannot read"):
        read_labelled(tmp_path / "missing.jsonl")


def result(outcome: Outcome, intent: str | None, *others: str) -> MatchResult:
    return MatchResult("q", outcome, intent, 0.5, tuple(Candidate(o, 0.4) for o in others))


def test_figures_separate_right_answers_options_false_answers_and_fallbacks() -> None:
    questions = [
        LabelledQuestion("a", "t.a"),  # answered right
        LabelledQuestion("b", "t.b"),  # right topic offered in a clarify
        LabelledQuestion("c", "t.c"),  # answered with the wrong topic
        LabelledQuestion("d", "t.d"),  # fell back
        LabelledQuestion("x", None),  # out of scope, fell back (right)
        LabelledQuestion("y", None),  # out of scope, answered (false answer)
    ]
    results = [
        result(Outcome.ANSWER, "t.a"),
        result(Outcome.CLARIFY, "t.x", "t.b"),
        result(Outcome.ANSWER, "t.a"),
        result(Outcome.FALLBACK, None, "t.d"),
        result(Outcome.FALLBACK, None),
        result(Outcome.ANSWER, "t.b"),
    ]
    report = score_results(questions, results, max_options=3)
    assert report.in_scope_accuracy == 1 / 4
    assert report.in_scope_resolved == 2 / 4
    assert report.false_answer_rate == 2 / 6
    assert report.out_of_scope_recall == 1 / 2
    assert report.outcomes == {"answer": 3, "clarify": 1, "fallback": 2}
    assert [(c.expected, c.answered, c.count) for c in report.confusions] == [
        (None, "t.b", 1),
        ("t.c", "t.a", 1),
    ]
    assert [m.text for m in report.misses] == ["b", "c", "d", "y"]


def test_an_option_beyond_max_alternatives_does_not_count_as_resolved() -> None:
    questions = [LabelledQuestion("b", "t.c")]
    results = [result(Outcome.CLARIFY, "t.a", "t.b", "t.c")]
    assert score_results(questions, results, max_options=2).in_scope_resolved == 0
    assert score_results(questions, results, max_options=3).in_scope_resolved == 1


def test_labels_naming_no_topic_are_listed() -> None:
    report = score_results(
        [LabelledQuestion("q", "gone.topic")], [result(Outcome.FALLBACK, None)], 3, {"t.a"}
    )
    assert report.unknown_intents == ("gone.topic",)


@pytest.fixture(scope="module")
def shipped() -> Matcher:
    return Matcher.build(load_knowledge(REPO / "knowledge"))


def test_the_report_times_every_match_and_converts_to_json(shipped: Matcher) -> None:
    report = evaluate(shipped, [LabelledQuestion("What is MEDICIS?", "project.medicis")])
    assert report.latency_p50_ms is not None and report.latency_p50_ms > 0
    assert json.loads(json.dumps(report.to_dict()))["in_scope"] == 1


def test_a_higher_answer_threshold_never_answers_more(shipped: Matcher) -> None:
    questions = [
        LabelledQuestion("What is MEDICIS?", "project.medicis"),
        LabelledQuestion("gantry", "project.eurosig"),
        LabelledQuestion("best pizza in geneva", None),
    ]
    points = sweep(shipped, questions, [0.1, 0.3, 0.6, 0.9], [0.1])
    answered = [p.report.outcomes.get("answer", 0) for p in points]
    assert answered == sorted(answered, reverse=True)
    assert [p.answer_threshold for p in points] == [0.1, 0.3, 0.6, 0.9]


def run_command(*argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    eval_command.add_parser(parser.add_subparsers())
    args = parser.parse_args(["eval", *argv])
    out = io.StringIO()
    return eval_command.run(args, Settings(), out=out), out.getvalue()


def test_eval_command_prints_the_figures(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "q.jsonl",
        '{"text": "What is MEDICIS?", "intent": "project.medicis"}',
        '{"text": "best pizza in geneva", "intent": null}',
    )
    code, text = run_command(str(path), "--knowledge", str(REPO / "knowledge"), "--sweep")
    assert code == 0
    for figure in ("in-scope accuracy", "false answers", "out-of-scope recall", "p99"):
        assert figure in text
    assert "threshold sweep" in text


def test_eval_command_json_is_one_object(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "q.jsonl", '{"text": "What is MEDICIS?", "intent": null}')
    code, text = run_command(str(path), "--knowledge", str(REPO / "knowledge"), "--json")
    data = json.loads(text)
    assert code == 0
    assert data["out_of_scope"] == 1
    assert set(data) >= {"in_scope_accuracy", "false_answer_rate", "confusions", "settings"}


def test_eval_command_fails_cleanly_on_unreadable_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_lines(tmp_path / "q.jsonl", "not json")
    code, _ = run_command(str(path))
    assert code == 1
    assert "q.jsonl:1: invalid JSON" in capsys.readouterr().err


@pytest.mark.skipif(not PUBLIC_EVAL.is_file(), reason="shared/eval/public.jsonl not beside repo")
def test_public_evaluation_set_meets_the_floors(shipped: Matcher) -> None:
    report = evaluate(shipped, read_labelled(PUBLIC_EVAL))
    figures = {k: v for k, v in report.to_dict().items() if k != "misses"}
    assert report.unknown_intents == (), figures
    assert report.in_scope_accuracy >= 0.90, report.misses
    assert report.false_answer_rate <= 0.03, report.confusions
    assert report.out_of_scope_recall >= 0.90, report.misses
