"""Reading an AWS item's fields into a record's columns: the helpers every transform shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def text(value: Any) -> str | None:
    """An optional string field: AWS (and moto) sometimes send "" for "not set"."""
    if value is None or value == "":
        return None
    return str(value)


# Values stored as they are; checked by exact type first because most of an item is these.
_PLAIN: frozenset[type] = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """The item as AWS returned it, with datetimes as ISO 8601 strings so it stores as JSON.

    Every record keeps its item this way (thousands of tasks and ENIs per scan): plain
    dicts, lists and scalars take the exact-type paths, anything else the general one."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        return {
            key if type(key) is str else str(key): inner
            if type(inner) in _PLAIN
            else jsonable(inner)
            for key, inner in value.items()
        }
    if kind is list:
        return [inner if type(inner) in _PLAIN else jsonable(inner) for inner in value]
    return _jsonable_other(value)


def _jsonable_other(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): jsonable(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(inner) for inner in value]
    if isinstance(value, datetime):
        return (utc(value) or value).isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
