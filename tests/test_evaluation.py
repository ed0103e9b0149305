"""`ktbot eval`: the figures, the threshold sweep, the command, and the shipped knowledge
base's floors on the public evaluation set."""

from __future__ import annotations

import argparse
import dataclasses
import io
import json
import re
import shutil
from pathlib import Path

import pytest

from bot.cli import eval as eval_command
from bot.settings import Settings
from intents.knowledge.loader import load_knowledge
from intents.knowledge.models import MatchingSettings
from intents.matching.evaluation import (
    NO_KIND,
    EvalFileError,
    LabelledQuestion,
    compare,
    evaluate,
    read_labelled,
    score_results,
    sweep,
)
from intents.matching.matcher import Matcher
from intents.matching.result import Candidate, MatchResult, Outcome

REPO = Path(__file__).resolve().parents[1]
PUBLIC_EVAL = Path(__file__).parents[2] / "shared/eval/public.jsonl"


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def labelled(text: str, *intents: str, kind: str | None = None) -> LabelledQuestion:
    """A question whose right answers are `intents` (none: out of scope)."""
    return LabelledQuestion(text, frozenset(intents), kind)


def test_labelled_questions_are_read_with_null_meaning_out_of_scope(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "q.jsonl",
        '{"text": "What is MEDICIS?", "intent": "project.medicis"}',
        "",
        '{"text": "best pizza", "intent": null}',
    )
    assert read_labelled(path) == [
        labelled("What is MEDICIS?", "project.medicis"),
        labelled("best pizza"),
    ]


def test_a_list_label_accepts_each_of_its_topics_and_a_kind_is_kept(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "q.jsonl",
        '{"text": "license MEDICIS?", "intent": ["project.medicis", "route.licensing"], '
        '"kind": "compound"}',
        '{"text": "weather", "intent": null, "kind": "oos-far"}',
    )
    assert read_labelled(path) == [
        labelled("license MEDICIS?", "project.medicis", "route.licensing", kind="compound"),
        labelled("weather", kind="oos-far"),
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
        # An empty list is not a way of saying out of scope: null is.
        ('{"text": "x", "intent": []}', r"q\.jsonl:2: intent must be"),
        ('{"text": "x", "intent": ["project.medicis", ""]}', r"q\.jsonl:2: intent must be"),
        ('{"text": "x", "intent": ["project.medicis", 3]}', r"q\.jsonl:2: intent must be"),
        ('{"text": "x", "intent": null, "kind": 3}', r"q\.jsonl:2: kind must be"),
        ('{"text": "x", "intent": null, "lang": "pt"}', r"q\.jsonl:2: lang must be one of"),
    ],
)
def test_a_bad_line_is_reported_with_its_number(
    tmp_path: Path, bad_line: str, message: str
) -> None:
    path = write_lines(tmp_path / "q.jsonl", '{"text": "ok", "intent": null}', bad_line)
    with pytest.raises(EvalFileError, match=message):
        read_labelled(path)


def test_a_line_s_language_is_kept_when_the_file_says(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "q.jsonl",
        '{"text": "Lizenz bitte", "intent": null, "lang": "de"}',
        '{"text": "licence please", "intent": null}',
    )
    assert [q.language for q in read_labelled(path)] == ["de", None]


def test_an_unreadable_file_is_an_eval_file_error(tmp_path: Path) -> None:
    with pytest.raises(EvalFileError, match="cannot read"):
        read_labelled(tmp_path / "missing.jsonl")


def result(outcome: Outcome, intent: str | None, *others: str) -> MatchResult:
    return MatchResult("q", outcome, intent, 0.5, tuple(Candidate(o, 0.4) for o in others))


def test_figures_separate_right_answers_options_false_answers_and_fallbacks() -> None:
    questions = [
        labelled("a", "t.a"),  # answered right
        labelled("b", "t.b"),  # right topic offered in a clarify
        labelled("c", "t.c"),  # answered with the wrong topic
        labelled("d", "t.d"),  # fell back
        labelled("x"),  # out of scope, fell back (right)
        labelled("y"),  # out of scope, answered (false answer)
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
        ((), "t.b", 1),
        (("t.c",), "t.a", 1),
    ]
    assert [m.text for m in report.misses] == ["b", "c", "d", "y"]
    assert report.by_kind == {}, "no line has a kind"


def test_with_a_list_label_any_of_its_topics_is_right() -> None:
    questions = [
        labelled("a", "t.a", "t.b"),  # answered with the second topic: right
        labelled("b", "t.a", "t.b"),  # "did you mean" offering the second topic: resolved
        labelled("c", "t.a", "t.b"),  # answered with a topic not in the list: false answer
    ]
    results = [
        result(Outcome.ANSWER, "t.b"),
        result(Outcome.CLARIFY, "t.x", "t.b"),
        result(Outcome.ANSWER, "t.c"),
    ]
    report = score_results(questions, results, max_options=3)
    assert report.in_scope_accuracy == 1 / 3
    assert report.in_scope_resolved == 2 / 3
    assert report.false_answer_rate == 1 / 3
    assert [(c.expected, c.answered) for c in report.confusions] == [(("t.a", "t.b"), "t.c")]
    assert [(m.text, m.expected) for m in report.misses] == [
        ("b", ("t.a", "t.b")),
        ("c", ("t.a", "t.b")),
    ]


def test_every_figure_is_also_given_per_kind_in_the_order_kinds_appear() -> None:
    questions = [
        labelled("a", "t.a", kind="typo"),  # right
        labelled("b", "t.b", kind="persona"),  # clarified right
        labelled("c", "t.c", kind="typo"),  # fell back
        labelled("x", kind="oos"),  # fell back: right
        labelled("y", kind="oos"),  # answered: false answer
    ]
    results = [
        result(Outcome.ANSWER, "t.a"),
        result(Outcome.CLARIFY, "t.b"),
        result(Outcome.FALLBACK, None),
        result(Outcome.FALLBACK, None),
        result(Outcome.ANSWER, "t.a"),
    ]
    by_kind = score_results(questions, results, max_options=3).by_kind
    assert list(by_kind) == ["typo", "persona", "oos"]
    typo, persona, oos = by_kind.values()
    assert (typo.questions, typo.in_scope, typo.out_of_scope) == (2, 2, 0)
    assert (typo.in_scope_accuracy, typo.in_scope_resolved) == (1 / 2, 1 / 2)
    assert (persona.in_scope_accuracy, persona.in_scope_resolved) == (0, 1)
    assert (oos.false_answer_rate, oos.out_of_scope_recall) == (1 / 2, 1 / 2)
    assert oos.outcomes == {"fallback": 1, "answer": 1}


def test_lines_without_a_kind_get_a_group_of_their_own_when_others_have_one() -> None:
    questions = [labelled("a", "t.a"), labelled("b", "t.b", kind="typo")]
    results = [result(Outcome.ANSWER, "t.a"), result(Outcome.ANSWER, "t.b")]
    assert list(score_results(questions, results, 3).by_kind) == [NO_KIND, "typo"]


def test_misses_are_grouped_by_kind_with_what_the_bot_did() -> None:
    questions = [
        labelled("a", "t.a", kind="typo"),
        labelled("b", "t.b", kind="persona"),
        labelled("c", "t.c", kind="typo"),
        labelled("x", kind="persona"),
    ]
    results = [
        MatchResult("a", Outcome.FALLBACK, None, 0.12, (Candidate("t.a", 0.12),)),
        MatchResult("b", Outcome.CLARIFY, "t.x", 0.27, (Candidate("t.y", 0.25),)),
        MatchResult("c", Outcome.ANSWER, "t.a", 0.41, (Candidate("t.c", 0.2),)),
        MatchResult("x", Outcome.ANSWER, "t.b", 0.3),
    ]
    misses = score_results(questions, results, max_options=3).misses
    assert [(m.kind, m.text) for m in misses] == [
        ("typo", "a"),
        ("typo", "c"),
        ("persona", "b"),
        ("persona", "x"),
    ]
    assert [(m.outcome, m.intent, m.score, m.candidates) for m in misses] == [
        ("fallback", None, 0.12, ("t.a",)),  # the nearest topic, though not offered
        ("answer", "t.a", 0.41, ("t.a", "t.c")),
        ("clarify", "t.x", 0.27, ("t.x", "t.y")),  # the options offered
        ("answer", "t.b", 0.3, ("t.b",)),
    ]


def test_an_option_beyond_max_alternatives_does_not_count_as_resolved() -> None:
    questions = [labelled("b", "t.c")]
    results = [result(Outcome.CLARIFY, "t.a", "t.b", "t.c")]
    assert score_results(questions, results, max_options=2).in_scope_resolved == 0
    assert score_results(questions, results, max_options=3).in_scope_resolved == 1


def test_labels_naming_no_topic_are_listed() -> None:
    report = score_results(
        [labelled("q", "gone.topic"), labelled("r", "t.a", "x.gone")],
        [result(Outcome.FALLBACK, None)] * 2,
        3,
        {"t.a"},
    )
    assert report.unknown_intents == ("gone.topic", "x.gone")


@pytest.fixture(scope="module")
def shipped() -> Matcher:
    return Matcher.build(load_knowledge(REPO / "knowledge"))


def test_the_report_times_every_match_and_converts_to_json(shipped: Matcher) -> None:
    report = evaluate(shipped, [labelled("What is MEDICIS?", "project.medicis")])
    assert report.latency_p50_ms is not None and report.latency_p50_ms > 0
    assert json.loads(json.dumps(report.to_dict()))["in_scope"] == 1


def test_labels_naming_a_former_id_count_as_the_renamed_topic(shipped: Matcher) -> None:
    renamed = dataclasses.replace(
        shipped,
        kb=dataclasses.replace(shipped.kb, former_ids={"project.old-medicis": "project.medicis"}),
    )
    questions = [labelled("What is MEDICIS?", "project.old-medicis")]
    report = evaluate(renamed, questions)
    assert (report.in_scope_accuracy, report.unknown_intents) == (1.0, ())
    [point] = sweep(renamed, questions, [renamed.kb.settings.answer_threshold], [0.1])
    assert (point.report.in_scope_accuracy, point.report.unknown_intents) == (1.0, ())


def test_a_higher_answer_threshold_never_answers_more(shipped: Matcher) -> None:
    questions = [
        labelled("What is MEDICIS?", "project.medicis"),
        labelled("gantry", "project.eurosig"),
        labelled("best pizza in geneva"),
    ]
    points = sweep(shipped, questions, [0.1, 0.3, 0.6, 0.9], [0.1])
    answered = [p.report.outcomes.get("answer", 0) for p in points]
    assert answered == sorted(answered, reverse=True)
    assert [p.answer_threshold for p in points] == [0.1, 0.3, 0.6, 0.9]


def test_the_sweep_point_at_the_current_thresholds_gives_the_figures_of_eval(
    shipped: Matcher,
) -> None:
    # Thresholds strongly lowered for long and foreign messages, as the bot lowers them: a
    # sweep that replayed the plain thresholds would decline what the bot answers.
    settings = shipped.kb.settings.model_copy(
        update={"long_message_factor": 0.3, "other_language_factor": 0.3}
    )
    matcher = Matcher.build(dataclasses.replace(shipped.kb, settings=settings))
    questions = [
        labelled(
            "Good morning, I am writing on behalf of a small company in Lyon that builds "
            "detectors. We have followed your work for years and we would like to know more. "
            "Is there anything you could tell us about the general possibilities?",
            "route.collaboration",
        ),
        labelled("Quelles sont les possibilités de travailler avec vous ?", "route.collaboration"),
        labelled("What is MEDICIS?", "project.medicis"),
    ]
    report = evaluate(matcher, questions)
    [point] = sweep(matcher, questions, [settings.answer_threshold], [settings.clarify_threshold])
    assert point.report.outcomes == report.outcomes
    assert report.outcomes.get("answer", 0) > 1


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


def kinds_file(tmp_path: Path) -> Path:
    """Two kinds, each with a line no knowledge base handles as labelled."""
    return write_lines(
        tmp_path / "q.jsonl",
        '{"text": "What is MEDICIS?", "intent": null, "kind": "oos-near"}',
        '{"text": "What is MEDICIS?", "intent": ["route.licensing", "project.medicis"], '
        '"kind": "compound"}',
        '{"text": "qqqq zzzz", "intent": ["project.medicis", "route.contact"], "kind": "compound"}',
    )


def test_eval_command_prints_a_row_per_kind_and_the_misses_by_kind(tmp_path: Path) -> None:
    code, text = run_command(str(kinds_file(tmp_path)), "--knowledge", str(REPO / "knowledge"))
    assert code == 0
    table = text[text.index("in-scope accuracy  ") :]
    assert re.search(r"\n +oos-near +1 +– +– +100\.0% +0\.0% \(0/1\)\n", table)
    assert re.search(r"\n +compound +2 +50\.0% \(1/2\) +50\.0% +0\.0% +–\n", table)
    assert re.search(r"\n +all +3 +50\.0% \(1/2\) ", table)
    misses = text[text.index("not handled as labelled, by kind:") :]
    assert re.search(
        r"oos-near: 1 of 1\n +What is MEDICIS\?\n +want fallback; got answer [\d.]+ "
        r"project\.medicis\n",
        misses,
    )
    assert re.search(
        r"compound: 1 of 2\n +qqqq zzzz\n +want project\.medicis \| route\.contact; "
        r"got fallback [\d.]+",
        misses,
    )


def test_eval_command_json_has_the_figures_by_kind(tmp_path: Path) -> None:
    path = kinds_file(tmp_path)
    code, text = run_command(str(path), "--knowledge", str(REPO / "knowledge"), "--json")
    data = json.loads(text)
    assert code == 0
    assert list(data["by_kind"]) == ["oos-near", "compound"]
    assert data["by_kind"]["compound"]["in_scope_accuracy"] == 0.5
    assert data["by_kind"]["oos-near"]["false_answer_rate"] == 1.0
    assert [m["kind"] for m in data["misses"]] == ["oos-near", "compound"]


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


def strict_copy(tmp_path: Path) -> Path:
    """The shipped knowledge base with an answer threshold nothing reaches: every question it
    answers becomes a "did you mean…" or a fallback."""
    copy = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", copy)
    settings = copy / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    text = re.sub(r"answer_threshold: [0-9.]+", "answer_threshold: 0.99", text)
    settings.write_text(re.sub(r"clarify_threshold: [0-9.]+", "clarify_threshold: 0.98", text))
    return copy


def test_compare_lists_what_an_edit_moved_and_which_way(tmp_path: Path, shipped: Matcher) -> None:
    strict = Matcher.build(load_knowledge(strict_copy(tmp_path)))
    questions = [
        labelled("What is MEDICIS?", "project.medicis"),
        labelled("best pizza in geneva"),
    ]
    [lost] = compare(shipped, strict, questions)
    assert (lost.text, lost.verdict) == ("What is MEDICIS?", "lost")
    assert lost.before == "answer project.medicis"
    assert lost.after == "clarify project.medicis"
    [won] = compare(strict, shipped, questions)
    assert won.verdict == "won"


def test_compare_reads_labels_naming_a_former_id_as_the_renamed_topic(
    tmp_path: Path, shipped: Matcher
) -> None:
    renamed = dataclasses.replace(
        shipped,
        kb=dataclasses.replace(shipped.kb, former_ids={"project.old-medicis": "project.medicis"}),
    )
    strict = Matcher.build(load_knowledge(strict_copy(tmp_path)))
    [change] = compare(renamed, strict, [labelled("What is MEDICIS?", "project.old-medicis")])
    assert change.verdict == "lost"


def test_compare_calls_a_move_between_two_wrong_outcomes_a_change(shipped: Matcher) -> None:
    question = labelled("What is MEDICIS?", "route.contact")
    strict_enough = dataclasses.replace(
        shipped, lowered={key: _no_answers(value) for key, value in shipped.lowered.items()}
    )
    [change] = compare(shipped, strict_enough, [question])
    assert change.verdict == "changed"


def _no_answers(settings: MatchingSettings) -> MatchingSettings:
    return settings.model_copy(update={"answer_threshold": 0.99, "clarify_threshold": 0.98})


def test_eval_command_against_another_knowledge_base_lists_the_changes(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "q.jsonl",
        '{"text": "What is MEDICIS?", "intent": "project.medicis"}',
        '{"text": "best pizza in geneva", "intent": null}',
    )
    strict = strict_copy(tmp_path)
    shipped = str(REPO / "knowledge")
    code, text = run_command(str(path), "--knowledge", shipped, "--against", str(strict))
    assert code == 0
    assert "1 questions handled differently: 1 now right, 0 no longer right" in text
    assert "now right: What is MEDICIS?" in text
    code, text = run_command(str(path), "--knowledge", shipped, "--against", str(strict), "--json")
    [change] = json.loads(text)["against"]["changes"]
    assert (change["verdict"], change["after"]) == ("won", "answer project.medicis")
