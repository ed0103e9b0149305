"""Which code may import which: the arrows point inward, and the engine has one front door.

`bot/` (Telegram, terminal chat, CLI, storage, review) depends on `intents/` (load, check,
match); `intents/` depends on nothing of ours and never on Telegram or SQLite; storage knows
nothing of Telegram; nothing ships that imports the tests. `bot/` uses the engine only
through the names `intents/__init__.py` declares in `__all__`, so the engine's modules can
be split, merged and renamed without touching `bot/`.

Imports are read from the source with `ast`, nothing is imported: function-local imports
and `if TYPE_CHECKING:` blocks count like any other.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.conversation import ReplyKind
from intents import Outcome

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "intents")


@dataclass(frozen=True)
class Import:
    source: str
    """The importing module, `bot.telegram.routes`."""
    where: str
    """`bot/telegram/routes.py:12`, for the failure message."""
    module: str
    """The imported module, absolute: `intents.knowledge.models`."""
    names: tuple[str, ...] = ()
    """The names of a `from module import names`."""


@dataclass(frozen=True)
class Rule:
    importer: str
    """Modules this package (or module) contains may not import…"""
    forbidden: tuple[str, ...]
    """…these packages or modules, nor anything inside them…"""
    why: str


RULES = (
    Rule("intents", ("bot",), "the engine is pure: the adapters depend on it, never back"),
    Rule(
        "intents",
        ("telegram", "aiosqlite", "sqlite3"),
        "the engine knows nothing of Telegram or of the database",
    ),
    Rule(
        "bot.storage",
        ("bot.telegram", "telegram"),
        "storage knows nothing of Telegram: the terminal chat and the CLI use it too",
    ),
    Rule("bot", ("tests", "bench"), "the shipped bot cannot depend on test or bench code"),
    Rule("intents", ("tests", "bench"), "the shipped engine cannot depend on test or bench code"),
    Rule(
        "intents.text",
        ("intents.knowledge", "intents.matching"),
        "reading text is the ground floor: loading and matching build on it, not back",
    ),
    Rule(
        "intents.knowledge",
        ("intents.matching",),
        "loading and checking the knowledge base never depends on how it is matched",
    ),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def imports_in(path: Path) -> Iterator[Import]:
    source = module_name(path)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        where = f"{path.relative_to(ROOT).as_posix()}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(source, where, alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
            parts = [*base, node.module] if node.level else [node.module]
            module = ".".join(p for p in parts if p)
            yield Import(source, where, module, tuple(alias.name for alias in node.names))


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def engine_api() -> frozenset[str]:
    """The names in `__all__` of `intents/__init__.py`, read without importing it."""
    tree = ast.parse((ROOT / "intents" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return frozenset(ast.literal_eval(node.value))
    raise AssertionError("intents/__init__.py declares no __all__")


ALL_IMPORTS = tuple(i for path in source_files() for i in imports_in(path))


def test_the_import_walk_sees_the_modules_and_their_imports() -> None:
    # Guards the guard: a walk that found nothing would pass every rule below.
    importers = {i.source for i in ALL_IMPORTS}
    expected = {"bot.cli", "bot.storage.sqlite", "bot.telegram.routes", "intents.knowledge.loader"}
    assert expected <= importers
    assert any(within(i.module, "intents") and within(i.source, "bot") for i in ALL_IMPORTS)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.importer}-not-{'-'.join(r.forbidden)}")
def test_no_import_points_the_wrong_way(rule: Rule) -> None:
    wrong = [
        f"{i.where}: {i.source} imports {i.module}"
        for i in ALL_IMPORTS
        if within(i.source, rule.importer) and any(within(i.module, f) for f in rule.forbidden)
    ]

    assert wrong == [], f"{rule.why}:\n" + "\n".join(wrong)


def test_bot_uses_the_engine_only_through_its_declared_api() -> None:
    api = engine_api()
    wrong = []
    for i in ALL_IMPORTS:
        if not within(i.source, "bot") or not within(i.module, "intents"):
            continue
        if i.module != "intents":
            wrong.append(f"{i.where}: imports {i.module}: use `from intents import …`")
        wrong += [
            f"{i.where}: {name} is not in intents.__all__" for name in i.names if name not in api
        ]

    assert wrong == [], (
        "bot/ reaches past the engine's API (export the name from intents/__init__.py, "
        "or find it there):\n" + "\n".join(wrong)
    )


def test_every_name_of_the_engine_api_is_defined() -> None:
    import intents

    assert [name for name in intents.__all__ if not hasattr(intents, name)] == []


def test_reply_kinds_are_the_engines_outcomes_plus_empty() -> None:
    # A new outcome of the matcher needs a reply: this fails until the bot has one.
    assert {k.name: k.value for k in ReplyKind} == {
        **{o.name: o.value for o in Outcome},
        "EMPTY": "empty",
    }
