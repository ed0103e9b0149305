"""Storage of exchanges, feedback, unanswered-question review, the inbox and enquiries to KT
staff (SQLite).

The rest of ktbot uses only these names (and `enquiries` for enquiries); no other module
writes SQL. `Storage` (facade.py) lists the modules behind it, one per data area.
"""

from bot.storage.facade import Storage
from bot.storage.migrations import SCHEMA_VERSION
from bot.storage.records import (
    CHANNELS,
    DatabaseUnavailable,
    Exchange,
    ExchangeGone,
    InboxEntry,
    NewExchange,
    NotTheAsker,
    ReviewState,
    StorageError,
    TopicCount,
    TopicFeedback,
    UnansweredQuestion,
    UsageStats,
    WeekCount,
    pressed_by_someone_else,
)
from bot.storage.sqlite import DEFAULT_BUSY_TIMEOUT

__all__ = [
    "CHANNELS",
    "DEFAULT_BUSY_TIMEOUT",
    "SCHEMA_VERSION",
    "DatabaseUnavailable",
    "Exchange",
    "ExchangeGone",
    "InboxEntry",
    "NewExchange",
    "NotTheAsker",
    "ReviewState",
    "Storage",
    "StorageError",
    "TopicCount",
    "TopicFeedback",
    "UnansweredQuestion",
    "UsageStats",
    "WeekCount",
    "pressed_by_someone_else",
]
