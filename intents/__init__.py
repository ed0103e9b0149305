"""The engine: load and check the knowledge base, then match messages against it.

Pure and synchronous; it knows nothing of Telegram, SQLite or the rest of `bot/`. The names
below are the engine's API: everything `bot/` may use, imported as `from intents import …`.
The modules behind them are the engine's own business and may change shape freely;
`tests/test_architecture.py` fails when `bot/` reaches into one of them, or when an import
points the wrong way (the engine importing `bot/`, anything importing the tests).
"""

from intents.errors import KnowledgeError, Problem
from intents.evaluation import (
    EvalFileError,
    EvalReport,
    Figures,
    Miss,
    SweepPoint,
    evaluate,
    kind_group,
    read_labelled,
    sweep,
)
from intents.features import stem
from intents.freshness import StaleTopic, freshness_warnings, stale_topics
from intents.id_usage import IdUse, eval_files, eval_id_uses, merge_uses, vanished_id_warnings
from intents.knowledge import KnowledgeBase
from intents.language import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Language,
    detect_language,
    language_of_code,
    load_language_model,
)
from intents.limits import TELEGRAM_MESSAGE_LIMIT
from intents.loader import YAML_SUFFIXES, is_knowledge_path, knowledge_files, load_knowledge
from intents.markup import Block, BlockKind, Markup, Span, SpanKind, parse_markup
from intents.matcher import Matcher
from intents.models import SEED_PREFIX, Category, Contact, Topic
from intents.normalize import question_key, strip_invisible
from intents.result import Candidate, MatchResult, Outcome
from intents.schema import knowledge_json_schema
from intents.translation import link_title, localized_answer, localized_category

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
