"""The errors ktbot expects, each with the exit code `ktbot` ends with when one stops a command.

    KtbotError (1)                      the message is the one line staff read
    ├── SettingsError (2)               bot/settings.py: a setting missing or malformed
    ├── UsageError (2)                  a command line argparse could not judge
    ├── CommandError (1)                a command cannot go on
    │   └── Unhealthy (1)               `ktbot health`: no recent heartbeat
    ├── ReviewError (1)                 bot/review/errors.py: a review action refused
    │   └── AlreadyAnExample (1)
    ├── KnowledgeWriteError (1)         bot/knowledge_edit.py: a YAML file not replaced
    ├── UsageUnavailable (1)            bot/topic_usage.py: the database not readable
    └── EnquiryError (1)                bot/enquiries.py: an enquiry not handled as asked

Raised elsewhere and given their exit code by the same table (`bot/cli/errors.py`):

    intents.KnowledgeError (1)          the engine's own: every problem as path:line
    intents.EvalFileError (1)           the engine's own: a labelled-questions file
    bot.storage.StorageError (1)        SQLite failures, as actionable messages
    └── DatabaseUnavailable (1)
    OSError (1)                         a file the command reads or writes
    telegram.error.InvalidToken (2)     Telegram rejected TELEGRAM_BOT_TOKEN
    KeyboardInterrupt (130)
    anything else (1)                   a bug: logged with its traceback

`ktbot` turns each into one line on stderr and its exit code in one place, `bot/cli/errors.py`;
the Telegram side catches the ones a user action can meet where it happens.
"""

from __future__ import annotations


class KtbotError(Exception):
    """A failure ktbot expects; `str()` is the message, `exit_code` what `ktbot` exits with."""

    exit_code = 1


class UsageError(KtbotError):
    """The command line names something that is not there (argparse checks only the form)."""

    exit_code = 2


class CommandError(KtbotError):
    """A command cannot go on; the message says why, in one line staff can act on."""


class Unhealthy(CommandError):
    """`ktbot health`: the running bot wrote no recent heartbeat."""
