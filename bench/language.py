"""Language detection: accuracy, latency and cost of the chosen detector and its runners-up.

Run by hand (prints figures, asserts nothing):

    .venv/bin/python bench/language.py [--eval ../shared/eval/dev.jsonl]

Measured on the labelled file's non-English lines (every language but English, the hard
case for a bot whose default is English) and on its short English lines (six words or fewer)
plus a few terse probes such as "flash status?", each with no prior (English) as for the
terminal chat. Every candidate is wrapped like the shipped detector (`intents.text.language`):
names and acronyms set aside, the prior kept unless the detector is sure. A line's language
is its `lang` field when it has one; the dev set has none, so its non-English lines are
listed below by a hash of their text (the lines themselves stay in the eval file).

The chosen detector (py3langid) is a dependency; the others are measured only when installed
(`pip install lingua-language-detector langdetect pycld2` in a scratch venv, then run this
script with that venv's python).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib.metadata
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from intents.text import language as shipped
from intents.text.language import LANGUAGES, MIN_CONFIDENCE, Language

REPO = Path(__file__).resolve().parents[1]
DEV_EVAL = REPO.parent / "shared/eval/dev.jsonl"
SHORT_WORDS = 6
ROUNDS = 5
PROBES = (
    "flash status?",
    "what is MEDICIS?",
    "NIMMS?",
    "licensing",
    "hi",
    "thanks",
    "who do I contact",
    "gatoroid cost",
    "PET history",
    "start-up incubator",
    "open source hardware",
    "help",
)
"""Terse English messages users send, beyond the eval file's own."""

# Non-English lines of the dev set by sha1(text)[:10]: hand-labelled once, not copied.
DEV_LABELS: dict[str, frozenset[str]] = {
    "fr": frozenset(
        {
            "e05e819799", "a442ac1870", "8d31c91892", "fc6b4581ee", "0a8f908500", "5d8f0b38ef",
            "7c6a6fc242", "40d19ba96c", "82a8e5334c", "dc09f1aa17", "b4f1f701c8", "da9c97057f",
            "88000a3af0", "63054d7579", "6de626b0ce", "e874f6a7c6", "ea502b3d4a", "e552fa18af",
            "6f1f07d9b6", "eccfda77da", "6362b14d73", "8410e97278", "f9dc35d596", "febf8f34e0",
            "c6d3e4e429", "57880d20f8", "48457a7e20", "87f0afe046", "b697899fc3", "957bb00000",
        }
    ),
    "de": frozenset(
        {
            "c6c0ce50e4", "507c8da034", "85efaf3716", "ce1c0d54d1", "2e535587c1", "31db53a900",
            "065fb8432e", "f6e9e8581d", "c4561a6fb0", "22fc883564", "c5207ab22e", "fa23dad38e",
            "73cdc2744c", "1864bf2278",
        }
    ),
    "it": frozenset(
        {
            "97e5ae1436", "00aaf4ffc5", "e4735c089c", "3851bce898", "4fddcf2dd8", "97e5e1c368",
            "c5664394f7", "8d76724898", "10131665db", "110a0e5d7b",
        }
    ),
    "es": frozenset(
        {
            "6fbd4946c8", "c7354a5494", "e8329fde68", "6a9fed45af", "df4f204e4d", "d1b76bd402",
        }
    ),
}  # fmt: skip

Detector = Callable[[str], Language]


@dataclass(frozen=True, slots=True)
class Candidate:
    name: str
    distribution: str
    """The PyPI name, for the installed size."""
    load: Callable[[], Detector]


def _hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:10]


def _label(item: dict[str, object]) -> str:
    lang = item.get("lang")
    if isinstance(lang, str):
        return lang
    digest = _hash(str(item["text"]))
    return next((lang for lang, hashes in DEV_LABELS.items() if digest in hashes), "en")


def _wrapped(ranked: Callable[[str], tuple[str, float] | None]) -> Detector:
    """The shipped policy around another detector: names aside, the prior unless sure."""

    def detect(text: str) -> Language:
        evidence = shipped._NAME.sub(" ", shipped._URL.sub(" ", text))
        if sum(ch.isalpha() for ch in evidence) < shipped.MIN_LETTERS:
            return "en"
        best = ranked(evidence)
        if best is None or best[0] not in LANGUAGES:
            return "en"
        lang, probability = best
        return lang if lang == "en" or probability >= MIN_CONFIDENCE else "en"  # type: ignore[return-value]

    return detect


def _py3langid() -> Detector:
    shipped.load_language_model()
    return shipped.detect_language


def _lingua() -> Detector:
    from lingua import Language as L
    from lingua import LanguageDetectorBuilder

    codes = {L.ENGLISH: "en", L.FRENCH: "fr", L.GERMAN: "de", L.ITALIAN: "it", L.SPANISH: "es"}
    detector = (
        LanguageDetectorBuilder.from_languages(*codes).with_preloaded_language_models().build()
    )

    def ranked(text: str) -> tuple[str, float] | None:
        values = detector.compute_language_confidence_values(text)
        return (codes[values[0].language], values[0].value) if values else None

    return _wrapped(ranked)


def _langdetect() -> Detector:
    from langdetect import DetectorFactory, detector_factory

    DetectorFactory.seed = 0  # otherwise its sampling gives different answers per run
    detector_factory.init_factory()

    def ranked(text: str) -> tuple[str, float] | None:
        detector = detector_factory._factory.create()  # type: ignore[union-attr]
        detector.append(text)
        try:
            ours = [p for p in detector.get_probabilities() if p.lang in LANGUAGES]
        except Exception:  # raises on text without features
            return None
        return (ours[0].lang, ours[0].prob) if ours else None

    return _wrapped(ranked)


def _pycld2() -> Detector:
    import pycld2

    def ranked(text: str) -> tuple[str, float] | None:
        reliable, _, details = pycld2.detect(text, bestEffort=True)
        ours = [(code, percent / 100) for _, code, percent, _ in details if code in LANGUAGES]
        # CLD2 gives no probability: an unreliable guess counts as unsure.
        return (ours[0][0], ours[0][1] if reliable else 0.0) if ours else None

    return _wrapped(ranked)


CANDIDATES = (
    Candidate("py3langid (shipped)", "py3langid", _py3langid),
    Candidate("lingua", "lingua-language-detector", _lingua),
    Candidate("langdetect", "langdetect", _langdetect),
    Candidate("pycld2", "pycld2", _pycld2),
)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _installed_mb(distribution: str) -> float:
    files = importlib.metadata.distribution(distribution).files or []
    return sum(f.locate().stat().st_size for f in files if f.locate().is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=DEV_EVAL)
    args = parser.parse_args()
    items = [json.loads(line) for line in args.eval.read_text().splitlines() if line.strip()]
    labelled = [(str(item["text"]), _label(item)) for item in items]
    foreign = [(text, lang) for text, lang in labelled if lang != "en"]
    short_english = [
        (text, "en") for text, lang in labelled if lang == "en" and len(text.split()) <= SHORT_WORDS
    ] + [(probe, "en") for probe in PROBES]
    by_language = {lang: sum(1 for _, g in foreign if g == lang) for lang in LANGUAGES}
    print(
        f"{args.eval}: {len(foreign)} non-English lines "
        f"({', '.join(f'{k} {v}' for k, v in by_language.items() if v)}), "
        f"{len(short_english)} short English ({len(PROBES)} of them probes); no prior\n"
    )
    print(
        f"{'detector':<22}{'non-English':>14}{'short English':>16}{'p50 µs':>9}{'p99 µs':>9}"
        f"{'load s':>8}{'RSS MB':>8}{'installed MB':>14}"
    )
    for candidate in CANDIDATES:
        gc.collect()
        rss, start = _rss_mb(), time.perf_counter()
        try:
            detect = candidate.load()
        except ImportError:
            print(f"{candidate.name:<22}not installed")
            continue
        load_s, rss_mb = time.perf_counter() - start, _rss_mb() - rss
        wrong = []
        for group in (foreign, short_english):
            wrong.append([(t, g, got) for t, g in group if (got := detect(t)) != g])
        timings = []
        for _ in range(ROUNDS):
            for text, _ in (*foreign, *short_english):
                start = time.perf_counter()
                detect(text)
                timings.append((time.perf_counter() - start) * 1e6)
        p50 = statistics.median(timings)
        p99 = statistics.quantiles(timings, n=100)[98]
        scores = [1 - len(w) / len(g) for w, g in zip(wrong, (foreign, short_english), strict=True)]
        print(
            f"{candidate.name:<22}{scores[0]:>14.3f}{scores[1]:>16.3f}{p50:>9.1f}{p99:>9.1f}"
            f"{load_s:>8.2f}{rss_mb:>8.0f}{_installed_mb(candidate.distribution):>14.1f}"
        )
        for text, expected, got in (*wrong[0], *wrong[1]):
            print(f"    {expected} read as {got}: {text[:70]!r}")


if __name__ == "__main__":
    main()
