"""Records read from rows: each field of a record's dataclass from the column of its name.

The data areas select exactly the columns their records have (`AS` where the names
differ), so a record is built in one call instead of naming every field twice; what a
column needs to become the field's value (a time, an enum) is said once per field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import TYPE_CHECKING, Any, TypeVar

from bot.storage.sqlite import Row

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Record = TypeVar("Record", bound="DataclassInstance")
Convert = Callable[[Any], Any]


def nullable(convert: Convert) -> Convert:
    """`convert` for a column that may be NULL: NULL stays None."""
    return lambda value: None if value is None else convert(value)


def from_row(
    record: type[Record],
    row: Row,
    convert: Mapping[str, Convert] | None = None,
    /,
    **given: Any,
) -> Record:
    """A `record` from `row`: each field is the column of its name, passed through
    `convert[field]` if there is one, unless `given` holds the field (a value that no single
    column holds). A field with neither column nor given value is an error (IndexError),
    not a default, so a column left out of a SELECT cannot go unnoticed."""
    converters = convert or {}
    values = {}
    for field in fields(record):
        if field.name in given:
            values[field.name] = given[field.name]
        else:
            value = row[field.name]
            values[field.name] = (
                converters[field.name](value) if field.name in converters else value
            )
    return record(**values)
