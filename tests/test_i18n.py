"""The interface catalogs: complete, in step with the code, loaded however ktbot is installed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import LOCALE_DIR, catalog_languages, translator
from bot.i18n.catalogs import compile_po, load_catalog

REPO = Path(__file__).resolve().parent.parent
FRENCH_PO = LOCALE_DIR / "fr" / "LC_MESSAGES" / "ktbot.po"
THANKS = "Thanks for your feedback!"


def catalog(path: Path):
    with path.open("rb") as source:
        return read_po(source)


def msgids_in_code() -> set[str]:
    """What `pybabel extract -F babel.cfg -k N_` finds in bot/ right now."""
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = extract_from_dir(REPO / "bot", method_map=[("**.py", "python")], keywords=keywords)
    return {msgid if isinstance(msgid, str) else msgid[0] for _, _, msgid, _, _ in found}


# --- looking strings up -------------------------------------------------------------------


def test_french_speakers_get_the_french_catalog_whatever_their_region() -> None:
    assert translator("fr").gettext(THANKS) == "Merci pour votre avis\u202f!"
    assert translator("fr-CH").gettext(THANKS) == "Merci pour votre avis\u202f!"
    assert translator("fr").language == "fr"


def test_english_and_unknown_languages_get_the_msgids_themselves() -> None:
    assert translator("en").gettext(THANKS) == THANKS
    assert translator(None).gettext(THANKS) == THANKS
    assert translator("pt-BR").gettext(THANKS) == THANKS
    assert translator("pt-BR").language == "en"


def test_german_italian_spanish_speakers_get_the_english_interface_with_one_line_in_theirs() -> (
    None
):
    note = "This answer is only available in English."

    assert translator("de").gettext(THANKS) == THANKS
    assert translator("de").gettext(note) == "Diese Antwort gibt es nur auf Englisch."
    assert translator("it").gettext(note) == "Questa risposta è disponibile solo in inglese."
    assert translator("es").gettext(note) == "Esta respuesta solo está disponible en inglés."


def test_plurals_follow_french_rules() -> None:
    t = translator("fr")
    one, many = (
        "Done: deleted {count} record about you.",
        "Done: deleted {count} records about you.",
    )

    assert t.ngettext(one, many, 1).format(count=1).endswith("a été supprimé.")
    assert t.ngettext(one, many, 0).format(count=0).endswith("a été supprimé.")
    assert t.ngettext(one, many, 5).format(count=5).endswith("ont été supprimés.")


# --- the catalogs themselves --------------------------------------------------------------


def test_every_interface_string_in_the_code_is_in_the_template() -> None:
    template = {
        m.id if isinstance(m.id, str) else m.id[0] for m in catalog(LOCALE_DIR / "ktbot.pot")
    }
    missing = msgids_in_code() - template

    assert not missing, f"run `make messages` and translate: {sorted(missing)}"


def test_every_interface_string_has_a_french_translation() -> None:
    untranslated = [
        m.id
        for m in catalog(FRENCH_PO)
        if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple) else [m.string]))
    ]
    assert untranslated == []
    assert msgids_in_code() <= {
        m.id if isinstance(m.id, str) else m.id[0] for m in catalog(FRENCH_PO)
    }


def test_translations_keep_placeholders_and_telegram_markup() -> None:
    # Babel's own checks: the same {placeholders} as the msgid, plural forms complete.
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog(FRENCH_PO).check()]
    tags = [
        m.id for m in catalog(FRENCH_PO) if m.id and sorted(_tags(m.id)) != sorted(_tags(m.string))
    ]
    assert problems == [] and tags == []


def _tags(text: object) -> list[str]:
    import re

    return re.findall(r"</?[a-z]+>", str(text))


def test_french_typography_puts_a_narrow_space_before_double_punctuation() -> None:
    strings = [m.string for m in catalog(FRENCH_PO) if m.id and isinstance(m.string, str)]

    assert not [s for s in strings if " ?" in s or " !" in s or " ;" in s or " :" in s]


def test_every_language_with_a_catalog_is_one_the_bot_detects() -> None:
    assert catalog_languages() == ("de", "es", "fr", "it")


# --- loading however ktbot is installed ---------------------------------------------------


@pytest.fixture
def locale_dir(tmp_path: Path) -> Path:
    """A copy of the French catalog source, as a checkout has it (no .mo)."""
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    shutil.copy(FRENCH_PO, folder / "ktbot.po")
    return tmp_path


def _load(locale_dir: Path) -> str:
    load_catalog.cache_clear()
    try:
        return load_catalog("fr", locale_dir).gettext(THANKS)
    finally:
        load_catalog.cache_clear()


def _write_mo(locale_dir: Path, thanks: str, *, age: float = 0) -> Path:
    """A compiled catalog whose translation of THANKS is `thanks`, `age` seconds old."""
    po = locale_dir / "fr" / "LC_MESSAGES" / "ktbot.po"
    edited = po.with_name("edited.po")
    edited.write_text(
        po.read_text(encoding="utf-8").replace("Merci pour votre avis\u202f!", thanks),
        encoding="utf-8",
    )
    mo = po.with_suffix(".mo")
    mo.write_bytes(compile_po(edited))
    edited.unlink()
    stamp = po.stat().st_mtime - age
    os.utime(mo, (stamp, stamp))
    return mo


def test_a_checkout_compiles_the_po_in_memory_and_writes_nothing(locale_dir: Path) -> None:
    assert _load(locale_dir) == "Merci pour votre avis\u202f!"
    assert not list(locale_dir.rglob("*.mo"))


def test_a_compiled_catalog_at_least_as_new_as_its_source_is_used(locale_dir: Path) -> None:
    _write_mo(locale_dir, "MERCI COMPILÉ")

    assert _load(locale_dir) == "MERCI COMPILÉ"


def test_a_compiled_catalog_older_than_an_edited_source_is_not_used(locale_dir: Path) -> None:
    _write_mo(locale_dir, "MERCI PÉRIMÉ", age=60)

    assert _load(locale_dir) == "Merci pour votre avis\u202f!"


def test_an_installed_wheel_has_the_compiled_catalog_only(locale_dir: Path) -> None:
    _write_mo(locale_dir, "MERCI DE LA ROUE")
    (locale_dir / "fr" / "LC_MESSAGES" / "ktbot.po").unlink()

    assert _load(locale_dir) == "MERCI DE LA ROUE"


def test_the_package_build_compiles_every_catalog_into_the_wheel(tmp_path: Path) -> None:
    from setuptools import Distribution

    from bot.i18n.build import BuildPyWithCatalogs

    command = BuildPyWithCatalogs(Distribution({"packages": [], "package_dir": {"bot": "bot"}}))
    command.initialize_options()
    command.build_lib = str(tmp_path)
    command.finalize_options()
    cwd = Path.cwd()
    os.chdir(REPO)
    try:
        command.run()
    finally:
        os.chdir(cwd)

    built = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.mo"))
    assert built == [f"bot/locale/{lang}/LC_MESSAGES/ktbot.mo" for lang in ("de", "es", "fr", "it")]
    load_catalog.cache_clear()
    try:
        french = load_catalog("fr", tmp_path / "bot" / "locale")
        assert french.gettext(THANKS) == "Merci pour votre avis\u202f!"
    finally:
        load_catalog.cache_clear()
