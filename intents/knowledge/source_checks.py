"""A topic's sources checked against what it shows: `seed:` sources name an existing seed,
and every site the answer or its links point to is the site of a cited URL."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from urllib.parse import urlsplit

from intents.knowledge.errors import Problem
from intents.knowledge.fields import SEED_PREFIX
from intents.knowledge.models import Topic
from intents.knowledge.yaml_source import SourceDocument
from intents.text.markup import SpanKind, parse_markup


def check_sources(
    doc: SourceDocument,
    index: int,
    topic: Topic,
    seeds: Collection[str] | None,
    problems: list[Problem],
    warnings: list[Problem],
) -> None:
    """A `seed:` source names an existing seed (when the seeds are known); every site the
    answer or `links:` point to is the site of a URL source (a warning otherwise)."""

    def line(*location: str | int) -> int:
        return doc.line_of(("topics", index, *location))

    cited: set[str] = set()
    for i, source in enumerate(topic.sources):
        if not source.startswith(SEED_PREFIX):
            cited.add(site_of(source))
        elif seeds is not None and source.removeprefix(SEED_PREFIX) not in seeds:
            message = f"topic {topic.id!r}: no file {source.removeprefix(SEED_PREFIX)!r} "
            problems.append(Problem(doc.path, line("sources", i), message + "in the seeds folder"))
    warned: set[str] = set()
    for url, location in _linked_urls(topic):
        site = site_of(url)
        if site in cited or site in warned:
            continue
        warned.add(site)
        message = (
            f"topic {topic.id!r}: links to {url} but no source is on {site} "
            "(cite the page that supports it in sources, or drop the link)"
        )
        warnings.append(Problem.warning(doc.path, line(*location), message))


def _linked_urls(topic: Topic) -> Iterable[tuple[str, tuple[str | int, ...]]]:
    """Every URL the topic shows users, with where it is written."""
    for block in parse_markup(topic.answer).blocks:
        for span in block.spans:
            if span.kind is SpanKind.LINK and span.url:
                yield span.url, ("answer",)
    for i, link in enumerate(topic.links):
        yield link.url, ("links", i, "url")


def site_of(url: str) -> str:
    """`kt.cern` for `https://www.KT.cern/x`: what a link and a source must share."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")
