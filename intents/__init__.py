"""The engine: load and check the knowledge base, then match messages against it.

Pure and synchronous; it knows nothing of Telegram, SQLite or the rest of `bot/`. The names
below are the engine's API: everything `bot/` may use, imported as `from intents import …`.
The modules behind them are the engine's own business and may change shape freely;
`tests/test_architecture.py` fails when `bot/` reaches into one of them, or when an import
points the wrong way (the engine importing `bot/`, anything importing the tests).
"""

import os

# One BLAS thread, unless the operator says otherwise: the engine's matrix products are
# small, and on a shared machine a second BLAS thread waiting for a busy core made building
# the 10,000-example index 2-7 times slower (bench/README.md). Only effective before numpy
# is first imported, which the engine's own imports below do.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")


from intents.knowledge.base import KnowledgeBase
from intents.knowledge.errors import KnowledgeError, Problem
from intents.knowledge.fields import SEED_PREFIX
from intents.knowledge.freshness import StaleTopic, freshness_warnings, stale_topics
from intents.knowledge.id_usage import (
    IdUse,
    eval_files,
    eval_id_uses,
    merge_uses,
    vanished_id_warnings,
)
from intents.knowledge.loader import (
    YAML_SUFFIXES,
    is_knowledge_path,
    knowledge_files,
    load_knowledge,
)
from intents.knowledge.models import Category, Contact, Topic
from intents.knowledge.schema import knowledge_json_schema
from intents.knowledge.translation import link_title, localized_answer, localized_category
from intents.matching.evaluation import (
    Change,
    EvalFileError,
    EvalReport,
    Figures,
    Miss,
    SweepPoint,
    compare,
    evaluate,
    kind_group,
    read_labelled,
    sweep,
)
from intents.matching.matcher import Matcher
from intents.matching.result import Candidate, MatchResult, Outcome
from intents.text.features import stem
from intents.text.language import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Language,
    detect_language,
    language_of_code,
    load_language_model,
)
from intents.text.limits import TELEGRAM_MESSAGE_LIMIT
from intents.text.markup import Block, BlockKind, Markup, Span, SpanKind, parse_markup
from intents.text.normalize import question_key, strip_invisible

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "SEED_PREFIX",
    "TELEGRAM_MESSAGE_LIMIT",
    "YAML_SUFFIXES",
    "Block",
    "BlockKind",
    "Candidate",
    "Category",
    "Change",
    "Contact",
    "EvalFileError",
    "EvalReport",
    "Figures",
    "IdUse",
    "KnowledgeBase",
    "KnowledgeError",
    "Language",
    "Markup",
    "MatchResult",
    "Matcher",
    "Miss",
    "Outcome",
    "Problem",
    "Span",
    "SpanKind",
    "StaleTopic",
    "SweepPoint",
    "Topic",
    "compare",
    "detect_language",
    "eval_files",
    "eval_id_uses",
    "evaluate",
    "freshness_warnings",
    "is_knowledge_path",
    "kind_group",
    "knowledge_files",
    "knowledge_json_schema",
    "language_of_code",
    "link_title",
    "load_knowledge",
    "load_language_model",
    "localized_answer",
    "localized_category",
    "merge_uses",
    "parse_markup",
    "question_key",
    "read_labelled",
    "stale_topics",
    "stem",
    "strip_invisible",
    "sweep",
    "vanished_id_warnings",
]
