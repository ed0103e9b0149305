"""Which file-system changes make the running bot reload its knowledge base."""

from __future__ import annotations

from pathlib import Path

import pytest
import watchfiles

from bot.telegram.watcher import knowledge_filter


@pytest.mark.parametrize(
    "relative",
    ["topics/imaging.yaml", "contacts.yml", "deep/er/topics.yaml"],
)
def test_a_knowledge_file_change_triggers_a_reload(tmp_path: Path, relative: str) -> None:
    accept = knowledge_filter(tmp_path)

    assert accept(watchfiles.Change.modified, str(tmp_path / relative))


@pytest.mark.parametrize(
    "relative",
    [
        "topics/.#imaging.yaml",  # Emacs lock file
        ".git/config.yaml",
        "topics/imaging.yaml~",  # editor backup
        "topics/imaging.yaml.swp",
        "README.md",
        "schema/knowledge.schema.json",
    ],
)
def test_editor_droppings_and_other_files_do_not(tmp_path: Path, relative: str) -> None:
    accept = knowledge_filter(tmp_path)

    assert not accept(watchfiles.Change.added, str(tmp_path / relative))


def test_the_directory_itself_changing_triggers_a_reload(tmp_path: Path) -> None:
    # Deleted, replaced or its permissions changed: the watcher must look again.
    assert knowledge_filter(tmp_path)(watchfiles.Change.deleted, str(tmp_path))
