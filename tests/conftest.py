"""Shared fixtures: small, valid knowledge directories written as real files.

`tiny_kb` is the smallest knowledge base that exercises every section: two categories, two
contacts (one reachable by url, one by email only), four topics with distinct vocabulary
(so a matcher can tell them apart), related topics, links and answer markup. Tests that
need a broken variant start from it with `make_kb` and add or replace single files.
"""

from __future__ import annotations

import os

# One BLAS thread, as the bot runs (intents/__init__.py), set before any test module imports
# numpy: with two, OpenBLAS splits a matrix's rows between threads, each share ending in rows
# its other kernels sum, and the semantic index then multiplies every example
# (`intents.matching.semantic.exact_products_agree`): the tests would not see its fast path.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.emulator.fixtures import bot_api  # noqa: F401

TINY_KB_FILES: dict[str, str] = {
    "categories.yaml": """
        categories:
          - id: about
            title: About Knowledge Transfer
            description: Who we are and how to reach us.
          - id: projects
            title: Medical projects
            description: CERN technologies with medical applications.
    """,
    "contacts.yaml": """
        contacts:
          - id: kt-office
            name: CERN Knowledge Transfer group
            description: First point of contact for partnerships.
            url: https://kt.cern/contact
          - id: medicis-team
            name: CERN-MEDICIS facility
            email: medicis.contact@cern.ch
            source: https://kt.cern/medtech/medicis
    """,
    "topics/about.yaml": """
        topics:
          - id: about.kt-group
            title: The Knowledge Transfer group
            category: about
            questions:
              - What does the Knowledge Transfer group do?
              - Who is the KT group at CERN?
              - tell me about knowledge transfer at CERN
            aliases: [KT group]
            answer: |
              The **Knowledge Transfer group** helps CERN technologies reach society.

              See the [KT website](https://kt.cern/) for _everything_ we do.
            contacts: [kt-office]
          - id: route.contact
            title: Contacting the KT team
            category: about
            questions:
              - How can I contact the KT team?
              - who do I email about a partnership
              - talk to a person at knowledge transfer
            answer: Write to the KT office through its contact form.
            contacts: [kt-office]
    """,
    "topics/projects/medical.yaml": """
        topics:
          - id: project.flash
            title: FLASH radiotherapy
            category: projects
            questions:
              - What is FLASH therapy?
              - ultra high dose rate radiotherapy
              - electron beams for cancer treatment
            aliases: [FLASH]
            keywords: [radiotherapy, electrons]
            answer: |
              **FLASH** delivers a radiation dose in under a second.

              - spares healthy tissue
              - uses compact electron accelerators
            links:
              - title: FLASH at CERN
                url: https://kt.cern/flash
            related: [project.medicis]
            reviewed: 2024-05-01
          - id: project.medicis
            title: CERN-MEDICIS
            category: projects
            questions:
              - What is MEDICIS?
              - radioisotopes for medical research
              - where do isotopes for nuclear medicine come from
            aliases: [MEDICIS]
            keywords: [isotope, radioisotope]
            answer: CERN-MEDICIS produces _non-conventional_ radioisotopes for research.
            contacts: [medicis-team]
            related: [project.flash]
    """,
}
"""The files of `tiny_kb`, relative to the knowledge root (indented freely; dedented on write)."""

TINY_KB_TOPIC_IDS = ("about.kt-group", "route.contact", "project.flash", "project.medicis")


def write_kb(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write `files` (relative path -> YAML text or raw bytes) under `root`; return `root`.

    Text is dedented and stripped of its leading newline, so line 1 of the file is the first
    line written inside the triple quotes.
    """
    root.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(dedent(content), encoding="utf-8")
    return root


def dedent(text: str) -> str:
    """The text a test's triple-quoted YAML stands for, as written to disk."""
    return textwrap.dedent(text).lstrip("\n")


@pytest.fixture
def tiny_kb(tmp_path: Path) -> Path:
    """A valid knowledge directory (see TINY_KB_FILES)."""
    return write_kb(tmp_path / "knowledge", TINY_KB_FILES)


KbFactory = Callable[..., Path]


@pytest.fixture
def make_kb(tmp_path: Path) -> KbFactory:
    """`make_kb({"topics/x.yaml": "..."}, drop=("contacts.yaml",))`: tiny_kb plus changes.

    Each call writes a fresh directory, so one test can compare several variants.
    """
    counter = 0

    def make(
        files: Mapping[str, str | bytes] | None = None,
        *,
        drop: tuple[str, ...] = (),
        base: Mapping[str, str | bytes] = TINY_KB_FILES,
    ) -> Path:
        nonlocal counter
        counter += 1
        merged = {name: text for name, text in base.items() if name not in drop}
        merged.update(files or {})
        return write_kb(tmp_path / f"kb{counter}" / "knowledge", merged)

    return make
