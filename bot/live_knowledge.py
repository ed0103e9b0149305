"""The knowledge base currently served, replaced atomically on a good reload only."""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from intents import KnowledgeBase, KnowledgeError, Matcher, Problem, load_knowledge

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ReloadReport:
    ok: bool
    version: str
    """The version now served (the previous one when the reload failed)."""
    changed: bool = False
    problems: tuple[Problem, ...] = ()

    def summary(self) -> str:
        if self.ok:
            state = "reloaded" if self.changed else "unchanged"
            return f"Knowledge base {state} (version {self.version})."
        head = (
            f"Knowledge base NOT reloaded: {len(self.problems)} problem(s); "
            f"still serving version {self.version}."
        )
        return "\n".join([head, *map(str, self.problems)])


def build_matcher(root: Path) -> Matcher:
    """Load, validate and index `root`; raises KnowledgeError."""
    return Matcher.build(load_knowledge(root))


class LiveKnowledge:
    """Serves one Matcher; a broken edit never replaces the last good one."""

    def __init__(self, root: Path, matcher: Matcher) -> None:
        self.root = root
        self._matcher = matcher
        # Reloads may come from the file watcher and /reload at once; one at a time.
        self._lock = threading.Lock()
        self._failing = False

    @classmethod
    def load(cls, root: Path) -> LiveKnowledge:
        return cls(root, build_matcher(root))

    @property
    def matcher(self) -> Matcher:
        return self._matcher

    @property
    def kb(self) -> KnowledgeBase:
        return self._matcher.kb

    def reload(self) -> ReloadReport:
        with self._lock:
            previous = self._matcher.kb.version
            try:
                matcher = build_matcher(self.root)
            except KnowledgeError as exc:
                # A deleted or unreadable directory ends up here too ("not found", "cannot
                # list directory"): the answers already in memory keep being served.
                self._failing = True
                log.error(
                    "knowledge reload failed, keeping version %s (still answering from it):\n%s",
                    previous,
                    exc,
                )
                return ReloadReport(False, previous, problems=exc.problems)
            except Exception as exc:  # anything else must not stop the bot either
                self._failing = True
                log.exception("knowledge reload failed unexpectedly, keeping version %s", previous)
                problem = Problem(self.root, 1, f"unexpected error: {exc}")
                return ReloadReport(False, previous, problems=(problem,))
            self._matcher = matcher
            changed = matcher.kb.version != previous
            if changed:
                log.info("knowledge reloaded: version %s -> %s", previous, matcher.kb.version)
            elif self._failing:
                log.info("knowledge base %s loads again: version %s", self.root, previous)
            self._failing = False
            return ReloadReport(True, matcher.kb.version, changed=changed)

    async def reload_async(self) -> ReloadReport:
        """Reload in a worker thread so indexing never blocks the event loop."""
        return await asyncio.to_thread(self.reload)
