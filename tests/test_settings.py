"""Settings: one immutable object from the environment, validated up front.

A malformed variable stops the program with a message naming the variable; secrets never
appear in logs or reprs.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import os
import stat
import threading
from pathlib import Path

import pytest

from bot.settings import REPO_KNOWLEDGE_DIR, Settings, SettingsError

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


# --- defaults -----------------------------------------------------------------------------


def test_an_empty_environment_gives_the_defaults() -> None:
    settings = Settings.from_env({})

    assert settings == Settings()
    assert settings.knowledge_dir == REPO_KNOWLEDGE_DIR
    assert settings.db_path == Path("data/ktbot.sqlite3")
    assert settings.telegram_token is None
    assert settings.telegram_api_url is None
    assert settings.admin_ids == frozenset()
    assert settings.staff_chat_id is None
    assert settings.log_level == "INFO"
    assert settings.secret is None
    assert settings.retention_days == 180
    assert settings.rate_limit_per_minute == 20
    assert settings.webhook_secret is None


def test_the_default_knowledge_dir_is_the_repositorys_knowledge_folder() -> None:
    repository = Path(__file__).resolve().parents[1]

    assert repository / "knowledge" == REPO_KNOWLEDGE_DIR


def test_blank_variables_count_as_unset() -> None:
    blank = {
        name: "   "
        for name in (
            "TELEGRAM_BOT_TOKEN",
            "KTBOT_ADMIN_IDS",
            "KTBOT_STAFF_CHAT_ID",
            "KTBOT_RETENTION_DAYS",
            "KTBOT_LOG_LEVEL",
            "KTBOT_TELEGRAM_API_URL",
            "KTBOT_DB",
            "KTBOT_SECRET",
        )
    }

    assert Settings.from_env(blank) == Settings()


def test_the_process_environment_is_read_when_no_mapping_is_given(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KTBOT_DB", str(tmp_path / "bot.sqlite3"))

    assert Settings.from_env().db_path == tmp_path / "bot.sqlite3"


def test_settings_are_immutable() -> None:
    settings = Settings.from_env({})

    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.log_level = "DEBUG"  # type: ignore[misc]


# --- each variable ------------------------------------------------------------------------


def test_paths_are_read_from_knowledge_dir_and_db(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"KTBOT_KNOWLEDGE_DIR": str(tmp_path / "kb"), "KTBOT_DB": str(tmp_path / "x.sqlite3")}
    )

    assert settings.knowledge_dir == tmp_path / "kb"
    assert settings.db_path == tmp_path / "x.sqlite3"


def test_token_is_read_without_surrounding_space() -> None:
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": f" {TOKEN}\n"}).telegram_token == TOKEN


def test_admin_ids_accept_commas_and_spaces() -> None:
    settings = Settings.from_env({"KTBOT_ADMIN_IDS": "111, 222 333,,444"})

    assert settings.admin_ids == frozenset({111, 222, 333, 444})


def test_staff_chat_id_may_be_a_negative_group_id() -> None:
    assert Settings.from_env({"KTBOT_STAFF_CHAT_ID": "-1001234567890"}).staff_chat_id == (
        -1001234567890
    )


def test_retention_days_and_rate_limit_are_read() -> None:
    settings = Settings.from_env({"KTBOT_RETENTION_DAYS": "30", "KTBOT_RATE_LIMIT_PER_MINUTE": "5"})

    assert settings.retention_days == 30
    assert settings.rate_limit_per_minute == 5


def test_send_rate_may_be_zero_to_turn_throttling_off() -> None:
    assert Settings.from_env({}).send_rate_per_second == 30
    assert Settings.from_env({"KTBOT_SEND_RATE_PER_SECOND": "0"}).send_rate_per_second == 0


def test_log_level_is_case_insensitive() -> None:
    assert Settings.from_env({"KTBOT_LOG_LEVEL": "debug"}).log_level == "DEBUG"


def test_telegram_api_url_loses_its_trailing_slash() -> None:
    settings = Settings.from_env({"KTBOT_TELEGRAM_API_URL": "http://localhost:8081/"})

    assert settings.telegram_api_url == "http://localhost:8081"


def test_secrets_are_read() -> None:
    settings = Settings.from_env({"KTBOT_SECRET": "pepper", "KTBOT_WEBHOOK_SECRET": "hook-secret"})

    assert settings.secret == "pepper"
    assert settings.webhook_secret == "hook-secret"


# --- malformed values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
        ("TELEGRAM_BOT_TOKEN", "123456789"),
        ("TELEGRAM_BOT_TOKEN", "abc:DEF"),
        ("TELEGRAM_BOT_TOKEN", "123:has spaces inside"),
        ("KTBOT_ADMIN_IDS", "@alice"),
        ("KTBOT_ADMIN_IDS", "111;222"),
        ("KTBOT_ADMIN_IDS", "111, bob"),
        ("KTBOT_STAFF_CHAT_ID", "staff"),
        ("KTBOT_STAFF_CHAT_ID", "12.5"),
        ("KTBOT_RETENTION_DAYS", "0"),
        ("KTBOT_RETENTION_DAYS", "-1"),
        ("KTBOT_RETENTION_DAYS", "six months"),
        ("KTBOT_RATE_LIMIT_PER_MINUTE", "0"),
        ("KTBOT_SEND_RATE_PER_SECOND", "-1"),
        ("KTBOT_LOG_LEVEL", "verbose"),
        ("KTBOT_LOG_LEVEL", "10"),
        ("KTBOT_TELEGRAM_API_URL", "localhost:8081"),
        ("KTBOT_TELEGRAM_API_URL", "ftp://example.org"),
    ],
)
def test_malformed_value_is_an_error_naming_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({name: value})

    assert str(raised.value).startswith(name)


def test_malformed_token_is_not_echoed_in_the_error() -> None:
    almost = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PAL/saw"

    with pytest.raises(SettingsError) as raised:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": almost})

    assert almost not in str(raised.value)
    assert "AAHdq" not in str(raised.value)


def test_other_variables_are_not_needed_to_report_a_malformed_one() -> None:
    with pytest.raises(SettingsError, match=r"^KTBOT_STAFF_CHAT_ID"):
        Settings.from_env({"KTBOT_STAFF_CHAT_ID": "x", "TELEGRAM_BOT_TOKEN": TOKEN})


def test_missing_token_is_only_an_error_when_the_bot_needs_it() -> None:
    settings = Settings.from_env({})

    with pytest.raises(SettingsError, match=r"^TELEGRAM_BOT_TOKEN is not set"):
        settings.require_token()
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}).require_token() == TOKEN


# --- secrets stay secret ------------------------------------------------------------------


def test_token_and_secrets_are_not_in_the_repr() -> None:
    settings = Settings.from_env(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "KTBOT_SECRET": "pepper-0123456789",
            "KTBOT_WEBHOOK_SECRET": "hook-0123456789",
            "KTBOT_ADMIN_IDS": "111",
        }
    )

    for shown in (repr(settings), str(settings), f"{settings}"):
        assert TOKEN not in shown
        assert TOKEN.split(":")[1] not in shown
        assert "pepper-0123456789" not in shown
        assert "hook-0123456789" not in shown
        assert "111" in shown  # the rest is still there for debugging


# --- pseudonym secret ---------------------------------------------------------------------


def test_pseudonym_secret_is_kt_secret_when_set(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"KTBOT_SECRET": "pepper", "KTBOT_DB": str(tmp_path / "ktbot.sqlite3")}
    )

    assert settings.pseudonym_secret() == "pepper"
    assert not (tmp_path / ".ktbot-secret").exists()


def test_pseudonym_secret_is_generated_once_beside_the_database(tmp_path: Path) -> None:
    db = tmp_path / "data" / "ktbot.sqlite3"
    settings = Settings.from_env({"KTBOT_DB": str(db)})

    first = settings.pseudonym_secret()

    stored = tmp_path / "data" / ".ktbot-secret"
    assert stored.read_text(encoding="ascii") == first
    assert len(first) >= 32
    assert settings.pseudonym_secret() == first


def test_pseudonym_secret_is_stable_across_restarts(tmp_path: Path) -> None:
    env = {"KTBOT_DB": str(tmp_path / "ktbot.sqlite3")}

    first = Settings.from_env(env).pseudonym_secret()

    assert Settings.from_env(env).pseudonym_secret() == first


def test_generated_pseudonym_secrets_differ_between_installations(tmp_path: Path) -> None:
    one = Settings.from_env({"KTBOT_DB": str(tmp_path / "a" / "db.sqlite3")})
    two = Settings.from_env({"KTBOT_DB": str(tmp_path / "b" / "db.sqlite3")})

    assert one.pseudonym_secret() != two.pseudonym_secret()


def test_generated_pseudonym_secret_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    Settings.from_env({"KTBOT_DB": str(tmp_path / "db.sqlite3")}).pseudonym_secret()

    mode = stat.S_IMODE((tmp_path / ".ktbot-secret").stat().st_mode)
    assert mode == 0o600


@pytest.mark.parametrize("content", ["", "\n", "  \t\n"])
def test_an_empty_secret_file_is_not_used_as_the_secret(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: str
) -> None:
    # Left by a crash between creating the file and writing it (older versions did both
    # separately): an empty secret would make every pseudonym guessable.
    stored = tmp_path / ".ktbot-secret"
    stored.write_text(content, encoding="ascii")
    settings = Settings.from_env({"KTBOT_DB": str(tmp_path / "db.sqlite3")})

    with caplog.at_level(logging.WARNING, logger="bot.settings"):
        secret = settings.pseudonym_secret()

    assert len(secret) >= 32
    assert stored.read_text(encoding="ascii") == secret
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert f"{stored} is empty" in caplog.text
    assert settings.pseudonym_secret() == secret


def test_generating_the_secret_leaves_no_temporary_file(tmp_path: Path) -> None:
    Settings.from_env({"KTBOT_DB": str(tmp_path / "db.sqlite3")}).pseudonym_secret()

    assert [p.name for p in tmp_path.iterdir()] == [".ktbot-secret"]


def test_a_process_that_loses_the_race_adopts_the_winners_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another process stores its secret between our check and ours: both must end up with
    # the same one, or the pseudonyms of one of them would never match again.
    stored = tmp_path / ".ktbot-secret"
    link = os.link

    def winner_first(source: str, target: str) -> None:
        stored.write_text("the-winners-secret-0123456789abcdef", encoding="ascii")
        link(source, target)

    monkeypatch.setattr(os, "link", winner_first)
    settings = Settings.from_env({"KTBOT_DB": str(tmp_path / "db.sqlite3")})

    assert settings.pseudonym_secret() == "the-winners-secret-0123456789abcdef"
    assert [p.name for p in tmp_path.iterdir()] == [".ktbot-secret"]


def test_processes_starting_together_share_one_secret(tmp_path: Path) -> None:
    # Threads stand in for processes: the file system is what they race on.
    workers = 8
    barrier = threading.Barrier(workers)
    settings = Settings.from_env({"KTBOT_DB": str(tmp_path / "db.sqlite3")})

    def start() -> str:
        barrier.wait()
        return settings.pseudonym_secret()

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        secrets = list(pool.map(lambda _: start(), range(workers)))

    assert len(set(secrets)) == 1
    assert (tmp_path / ".ktbot-secret").read_text(encoding="ascii") == secrets[0]
