"""Files that appear whole or not at all: the knowledge base's YAML files (edited by
`ktbot unanswered promote` while a bot may be reading them) and the generated secret.

The text is written and synced to a temporary file beside its place, then moved in by one
atomic step, and the directory is synced so that step survives a power cut.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path


class NoTemporaryFile(OSError):
    """Not even the temporary file could be created: the directory refuses new files
    (read-only, or not this user's), which callers explain differently from a failed write."""


def write_atomically(
    path: Path,
    text: str,
    *,
    create: bool = False,
    prefix: str | None = None,
    encoding: str = "utf-8",
    newline: str | None = None,
) -> bool:
    """Put `text` at `path` so that readers see the file as it was or as it is now.

    By default `path` exists and is replaced (a rename), keeping its mode. With `create`,
    `path` is a new file readable by its owner only (mkstemp's mode 0600), moved in by a
    hard link, which unlike a rename fails when the name is taken: then nothing changes
    and the result is False (another process was first). The temporary file, named
    `prefix` (".NAME." by default) + random + ".tmp", is gone when this returns or raises.

    Raises OSError; `NoTemporaryFile` when the directory refuses the temporary file.
    """
    try:
        fd, name = tempfile.mkstemp(
            prefix=f".{path.name}." if prefix is None else prefix, suffix=".tmp", dir=path.parent
        )
    except OSError as exc:
        raise NoTemporaryFile(exc.errno, exc.strerror, exc.filename) from exc
    temporary = Path(name)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if create:
            try:
                os.link(temporary, path)
            except FileExistsError:
                return False
        else:
            shutil.copymode(path, temporary)
            os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)  # after a link, or a failure; a rename took it
    sync_directory(path.parent)
    return True


def sync_directory(directory: Path) -> None:
    """Make a directory's new entry durable (POSIX). Best effort: some file systems refuse
    to open or sync a directory, and the rename or link is done anyway."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
