"""The field types of the knowledge-base schema: ids, texts, URLs and sources, each with the
message `ktbot check` shows when a value does not fit."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from intents.text.markup import HTTP_URL

# Dotted, lower-case ids ("project.flash", "route.eu-projects"): they appear in logs,
# evaluation sets and deep links, so they are kept to a URL- and filename-safe alphabet.
ID_PATTERN = r"^[a-z0-9]+(?:[.\-_][a-z0-9]+)*$"
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}$")


def _non_blank(value: str) -> str:
    stripped = value.strip()
    if not stripped:
        raise ValueError("must not be empty")
    return stripped


def _http_url(value: str) -> str:
    value = value.strip()
    if not HTTP_URL.match(value):
        raise ValueError(f"{value!r} is not a valid http(s) URL")
    return value


SEED_PREFIX = "seed:"
# A seed is a file in the shared seeds folder, named without any folder part.
_SEED_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,199}$")


def _source(value: str) -> str:
    """A public http(s) URL, or `seed:<file>` naming a file of the shared seeds folder."""
    value = value.strip()
    if value.startswith(SEED_PREFIX):
        name = value.removeprefix(SEED_PREFIX).strip()
        if not _SEED_NAME.match(name):
            raise ValueError(f"{value!r} must name a file of the seeds folder, e.g. seed:000_x.txt")
        return SEED_PREFIX + name
    if value.lower().startswith(("http://", "https://")):
        return _http_url(value)
    raise ValueError(
        f"{value!r} is not a source: use a public http(s) URL or seed:<file in the seeds folder>"
    )


Text = Annotated[str, AfterValidator(_non_blank)]
Identifier = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=64)]
BUTTON_DATA_BYTES = 64
"""Telegram's limit for a button's callback data, and for a deep link's payload."""
CATEGORY_PREFIX_BYTES = len("cat|")
"""A category button's data is `cat|<id>` (bot/telegram/callback_data.py)."""


def _category_id(value: str) -> str:
    if len(value.encode()) + CATEGORY_PREFIX_BYTES > BUTTON_DATA_BYTES:
        raise ValueError(
            f"category id {value!r} is too long for a Telegram button: at most "
            f"{BUTTON_DATA_BYTES - CATEGORY_PREFIX_BYTES} characters"
        )
    return value


def _deep_linkable(value: str) -> str:
    # A deep link writes each dot as "__" (project.flash → project__flash), within 64.
    if len(value) + value.count(".") > BUTTON_DATA_BYTES:
        raise ValueError(
            f"topic id {value!r} is too long for a deep link: with each dot counted twice, "
            f"at most {BUTTON_DATA_BYTES} characters"
        )
    return value


CategoryId = Annotated[Identifier, AfterValidator(_category_id)]
TopicId = Annotated[Identifier, AfterValidator(_deep_linkable)]
Url = Annotated[str, AfterValidator(_http_url)]
# The pattern is for editors (the JSON Schema); `_source` gives the messages `ktbot check` shows.
Source = Annotated[
    str,
    AfterValidator(_source),
    Field(json_schema_extra={"pattern": r"^\s*(https?://\S+|seed:\s*[A-Za-z0-9][\w.\-]*)\s*$"}),
]
