"""Sources you can follow: every source is a public URL or a seed file, and links are backed.

A `sources` entry is an `http(s)://` URL or `seed:<file>` naming a file of the shared
seeds folder; anything else is an error at its line. When the seeds folder is known, a
seed it does not hold is an error too. A link in the answer or in `links:` to a site none
of the topic's URL sources is on is a warning: the knowledge base still loads.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from intents.knowledge.errors import KnowledgeError, Problem, Severity
from intents.knowledge.loader import load_knowledge
from intents.knowledge.source_checks import site_of
from tests.conftest import KbFactory, dedent

TOPIC = """
    topics:
      - id: project.cited
        title: A cited project
        category: projects
        questions: [cited project alpha, cited project beta, cited project gamma]
        answer: |
          See [the project page](https://kt.cern/cited) and [the paper](https://journal.org/p1).
        links:
          - title: Project page
            url: https://kt.cern/cited
          - title: Partner
            url: https://partner.example.org/news
        sources:
{sources}
"""


def cited(*sources: str) -> dict[str, str]:
    listed = "".join(f"          - {source}\n" for source in sources) or "          []\n"
    return {"topics/cited.yaml": TOPIC.replace("{sources}\n", listed)}


def problems_of(root: Path, seeds: set[str] | None = None) -> tuple[Problem, ...]:
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(root, seeds=seeds)
    return raised.value.problems


def line_of(needle: str, text: str) -> int:
    lines = [n for n, line in enumerate(dedent(text).splitlines(), 1) if needle in line]
    assert len(lines) == 1, f"{needle!r} is on lines {lines}"
    return lines[0]


def warnings_of(root: Path, topic_id: str = "project.cited") -> list[Problem]:
    kb = load_knowledge(root)
    return [w for w in kb.warnings if f"topic {topic_id!r}" in w.message]


# --- what a source may be -----------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "intent-catalog.md",
        "kt.cern/medtech",
        "ftp://kt.cern/file",
        "https://",
        "seed:",
        "seed:../secrets.txt",
        "seed:notes/page.txt",
        "'CERN Courier, 2024'",
    ],
)
def test_a_source_that_is_neither_a_url_nor_a_seed_file_is_an_error_at_its_line(
    make_kb: KbFactory, source: str
) -> None:
    files = cited("https://kt.cern/cited", source, "https://journal.org/p1")
    root = make_kb(files)

    (problem,) = problems_of(root)

    second_source = line_of("sources:", files["topics/cited.yaml"]) + 2
    assert (problem.path.name, problem.line) == ("cited.yaml", second_source)
    assert problem.message.startswith("topic 'project.cited': sources #2: ")
    assert problem.severity is Severity.ERROR


def test_public_urls_and_seed_files_are_sources(make_kb: KbFactory) -> None:
    root = make_kb(
        cited(
            "https://kt.cern/cited",
            "http://journal.org/p1",
            "seed:000_1f89cd8043ce7b4e.txt",
            "https://partner.example.org/",
        )
    )

    topic = load_knowledge(root).topic("project.cited")

    assert topic.sources[2] == "seed:000_1f89cd8043ce7b4e.txt"


def test_a_seed_the_seeds_folder_does_not_hold_is_an_error_at_its_line(
    make_kb: KbFactory,
) -> None:
    files = cited("https://kt.cern/cited", "seed:present.txt", "seed:missing.txt")
    root = make_kb(files)

    (problem,) = problems_of(root, seeds={"present.txt", "other.txt"})

    assert problem.line == line_of("seed:missing.txt", files["topics/cited.yaml"])
    assert problem.message == "topic 'project.cited': no file 'missing.txt' in the seeds folder"


def test_without_the_seeds_folder_seed_sources_are_checked_for_their_form_only(
    make_kb: KbFactory,
) -> None:
    root = make_kb(cited("https://kt.cern/cited", "seed:missing.txt"))

    assert load_knowledge(root, seeds=None).topic("project.cited").sources[1] == "seed:missing.txt"


# --- links the sources support ------------------------------------------------------------


def test_a_link_to_a_site_no_source_is_on_is_a_warning_at_the_link(make_kb: KbFactory) -> None:
    files = cited("https://kt.cern/other-page", "seed:notes.txt")
    text = files["topics/cited.yaml"]
    root = make_kb(files)

    warnings = warnings_of(root)  # loads: warnings are not errors

    assert [(w.path.name, w.line) for w in warnings] == [
        ("cited.yaml", line_of("answer:", text)),
        ("cited.yaml", line_of("url: https://partner.example.org/news", text)),
    ]
    assert all(w.severity is Severity.WARNING for w in warnings)
    assert warnings[0].message == (
        "topic 'project.cited': links to https://journal.org/p1 but no source is on "
        "journal.org (cite the page that supports it in sources, or drop the link)"
    )
    assert str(warnings[1]).endswith(": warning: " + warnings[1].message)


def test_links_on_the_site_of_a_url_source_are_supported(make_kb: KbFactory) -> None:
    root = make_kb(
        cited("https://www.kt.cern/", "https://JOURNAL.org/p2", "https://partner.example.org/")
    )

    assert warnings_of(root) == []


def test_a_topic_citing_only_seed_files_warns_once_per_linked_site(make_kb: KbFactory) -> None:
    # kt.cern is linked twice (answer and links:): one warning, at the first place.
    files = cited("seed:notes.txt")
    root = make_kb(files)

    warnings = warnings_of(root)

    assert sorted(w.message.split(" but ")[0] for w in warnings) == [
        "topic 'project.cited': links to https://journal.org/p1",
        "topic 'project.cited': links to https://kt.cern/cited",
        "topic 'project.cited': links to https://partner.example.org/news",
    ]
    (kt,) = [w for w in warnings if "kt.cern" in w.message]
    assert kt.line == line_of("answer:", files["topics/cited.yaml"])


def test_a_site_is_its_host_without_www_and_case() -> None:
    assert site_of("https://www.KT.cern/a/b?c=d") == "kt.cern"
    assert site_of("http://home.cern:8080/") == "home.cern"
    assert site_of("https://ats.web.cern.ch/x") == "ats.web.cern.ch"
