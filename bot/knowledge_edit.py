"""Writing into the knowledge base: one editor at a time, each file replaced whole.

`ktbot unanswered promote` reads a YAML file, validates the edited knowledge base and writes
the file back. Two promotes at once would each write their own edit of the same original,
and one example would be lost while both report success, so edits hold an exclusive lock on
the knowledge directory from the read to the write. A running bot only reads: it never
waits for the lock, and sees each file old or new, never half written.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import os
from collections.abc import Iterator
from pathlib import Path

from bot.atomic_write import NoTemporaryFile, write_atomically
from bot.errors import KtbotError


class KnowledgeWriteError(KtbotError):
    """The knowledge directory cannot be edited here; the message says what to change."""


@contextlib.contextmanager
def edit_lock(knowledge_dir: Path) -> Iterator[None]:
    """Hold the knowledge base's edit lock (blocking until other editors are done).

    The lock is on the directory itself rather than on a lock file: nothing is left behind
    for `git status` to show, and taking it works in a read-only directory, so the error
    the caller reports is the one that names what to change.
    """
    try:
        fd = os.open(knowledge_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise KnowledgeWriteError(
            f"cannot open the knowledge directory {knowledge_dir}: {exc.strerror or exc}"
        ) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock, also when the process dies


def require_writable(directory: Path) -> None:
    """Refuse early, before any work, when files in `directory` cannot be replaced."""
    if not os.access(directory, os.W_OK):
        read_only = errno.EROFS if _on_read_only_mount(directory) else errno.EACCES
        raise KnowledgeWriteError(not_writable_message(directory, os.strerror(read_only)))


def replace_file(path: Path, text: str) -> None:
    """Write `text` to `path` atomically: readers see the old file or the new, never half.

    The new content is written and synced beside the file, then renamed over it, keeping
    the file's mode (`write_atomically`). Errors name the directory and what to change,
    never the temporary file. Call it under `edit_lock`: it removes what an editor killed
    mid-write left behind.
    """
    prefix = f".{path.name}."
    for leftover in path.parent.glob(f"{glob.escape(prefix)}*.tmp"):
        leftover.unlink(missing_ok=True)
    try:
        write_atomically(path, text, prefix=prefix, encoding="utf-8", newline="")
    except NoTemporaryFile as exc:
        raise KnowledgeWriteError(
            not_writable_message(path.parent, exc.strerror or str(exc))
        ) from exc
    except OSError as exc:
        raise KnowledgeWriteError(f"cannot replace {path}: {exc.strerror or exc}") from exc


def not_writable_message(directory: Path, reason: str) -> str:
    return (
        f"cannot write to the knowledge directory {directory} ({reason}); nothing was "
        "changed. Promoting edits the YAML files in place, so either mount the knowledge "
        "directory writable by this user for staff edits (in Docker: a bind mount of your "
        "checkout without ':ro', see README.md), or promote in a checkout of the knowledge "
        "base and deploy it"
    )


def _on_read_only_mount(directory: Path) -> bool:
    try:
        return bool(os.statvfs(directory).f_flag & os.ST_RDONLY)
    except OSError:
        return False
