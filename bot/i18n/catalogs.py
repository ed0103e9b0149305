"""Load the compiled gettext catalogs, compiling a `.po` in memory when needed.

A wheel carries `.mo` files compiled by the package build (`bot.i18n.build`) and no `.po`.
A checkout (the editable install of development and CI) has the `.po` files only, or `.mo`
files a developer compiled that may be older than a later edit: there the `.po` is compiled in
memory with Babel, so the bot always speaks the catalog in the repository and never writes
into its own package directory (read-only in Docker, owned by another user in a venv).
"""

from __future__ import annotations

import gettext
import io
import logging
from functools import cache
from pathlib import Path
from typing import Final

log = logging.getLogger(__name__)

DOMAIN: Final = "ktbot"
LOCALE_DIR: Final = Path(__file__).resolve().parent.parent / "locale"
SOURCE_LANGUAGE: Final = "en"
"""The language of the msgids: it needs no catalog."""


def catalog_languages(locale_dir: Path = LOCALE_DIR) -> tuple[str, ...]:
    """The languages with a catalog (source or compiled), sorted."""
    return tuple(
        sorted(
            path.name
            for path in locale_dir.iterdir()
            if (path / "LC_MESSAGES").is_dir() and any((path / "LC_MESSAGES").glob(f"{DOMAIN}.*o"))
        )
    )


def compile_po(po_path: Path) -> bytes:
    """The `.mo` bytes of a `.po` file, as `pybabel compile` writes them (fuzzy entries left
    out: a translator marks a doubtful translation fuzzy so that it is not used)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as source:
        catalog = read_po(source, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    return compiled.getvalue()


@cache
def load_catalog(language: str, locale_dir: Path = LOCALE_DIR) -> gettext.NullTranslations:
    """The catalog of `language`; English (the msgids themselves) when it has none."""
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    folder = locale_dir / language / "LC_MESSAGES"
    po_path, mo_path = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo_path.exists() and (
        not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
    ):
        with mo_path.open("rb") as compiled:
            return gettext.GNUTranslations(compiled)
    if po_path.exists():
        return gettext.GNUTranslations(io.BytesIO(compile_po(po_path)))
    log.debug("no interface catalog for %r: English", language)
    return gettext.NullTranslations()
