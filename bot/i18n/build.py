"""Package build step: compile the interface catalogs (`.po` → `.mo`) into the wheel.

Named in pyproject.toml (`[tool.setuptools.cmdclass]`). Self-contained on purpose: setuptools
loads this file on its own during the build, before the package is importable. The `.po`
sources stay out of the wheel (`exclude-package-data`), so an installed bot loads the `.mo`
files; an editable install has none and compiles the `.po` at run time (`bot.i18n.catalogs`).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools.command.build_py import build_py

DOMAIN = "ktbot"


class BuildPyWithCatalogs(build_py):
    """`build_py`, then every `bot/locale/*/LC_MESSAGES/ktbot.po` compiled into the build."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # the source tree is used as it is: catalogs are compiled at run time
        source = Path(self.get_package_dir("bot")) / "locale"
        target = Path(self.build_lib) / "bot" / "locale"
        for po_path in sorted(source.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            mo_path = target / po_path.relative_to(source).with_suffix(".mo")
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            with po_path.open("rb") as po:
                catalog = read_po(po, domain=DOMAIN)
            with mo_path.open("wb") as mo:
                write_mo(mo, catalog, use_fuzzy=False)
            self.announce(f"compiled {po_path} -> {mo_path}", level=2)
