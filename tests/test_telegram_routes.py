"""The routing table: one route per button action, staff commands only where they have a place."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.settings import Settings
from bot.telegram import callback_data as cd
from bot.telegram.callback_data import Action
from bot.telegram.routes import ROUTES, Button, Command, handlers


def settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "knowledge_dir": tmp_path,
        "db_path": tmp_path / "ktbot.sqlite3",
        "admin_ids": frozenset({1}),
        "staff_chat_id": -100,
        **overrides,
    }
    return Settings(**values)  # type: ignore[arg-type]


def test_every_action_has_exactly_one_route_and_the_catch_all_comes_last() -> None:
    actions = [route.action for route in ROUTES if isinstance(route, Button)]

    assert sorted(a for a in actions if a is not None) == sorted(Action)
    assert actions[-1] is None and actions.count(None) == 1


def test_a_button_pattern_takes_its_action_only() -> None:
    assert cd.pattern(Action.CHOOSE).match(cd.encode(Action.CHOOSE, 3, "project.flash"))
    assert cd.pattern(Action.HOME).match(cd.encode(Action.HOME))
    assert not cd.pattern(Action.CHOOSE).match(cd.encode(Action.CATEGORY, "projects"))
    assert not cd.pattern(Action.HANDOFF).match(cd.encode(Action.HANDOFF_CONSENT, 0, "y"))


def commands_of(built: Sequence[object]) -> list[str]:
    return [name for h in built if isinstance(h, CommandHandler) for name in sorted(h.commands)]


def test_staff_commands_come_first_and_only_where_they_have_a_place(tmp_path: Path) -> None:
    full = commands_of(handlers(settings(tmp_path)))
    no_staff_chat = commands_of(handlers(settings(tmp_path, staff_chat_id=None)))
    nobody = commands_of(handlers(settings(tmp_path, staff_chat_id=None, admin_ids=frozenset())))

    assert full[:5] == ["reload", "unanswered", "stats", "enquiries", "close"]
    assert "enquiries" not in no_staff_chat and "reload" in no_staff_chat
    assert nobody == [r.name for r in ROUTES if isinstance(r, Command) and r.name in nobody]
    assert not {"reload", "unanswered", "stats", "enquiries", "close"} & set(nobody)


def test_every_button_route_becomes_one_callback_handler(tmp_path: Path) -> None:
    built = handlers(settings(tmp_path))

    assert sum(isinstance(h, CallbackQueryHandler) for h in built) == len(Action) + 1
