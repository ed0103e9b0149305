"""Storage of exchanges, feedback, unanswered-question review and hand-offs (SQLite).

The rest of ktbot uses only these names; no other module writes SQL.
"""

from bot.storage.migrations import SCHEMA_VERSION
from bot.storage.records import (
    CHANNELS,
    DatabaseUnavailable,
    Exchange,
    Handoff,
    HeldUpdate,
    NewExchange,
    ReviewState,
    StorageError,
    TopicCount,
    TopicFeedback,
    UnansweredQuestion,
    UsageStats,
    WeekCount,
)
from bot.storage.sqlite import DEFAULT_BUSY_TIMEOUT, Storage

__all__ = [
    "CHANNELS",
    "DEFAULT_BUSY_TIMEOUT",
    "SCHEMA_VERSION",
    "DatabaseUnavailable",
    "Exchange",
    "Handoff",
    "HeldUpdate",
    "NewExchange",
    "ReviewState",
    "Storage",
    "StorageError",
    "TopicCount",
    "TopicFeedback",
    "UnansweredQuestion",
    "UsageStats",
    "WeekCount",
]
