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


def jsonable(value: Any) -> Any:
    """The item as AWS returned it, with datetimes as ISO 8601 strings so it stores as JSON."""
    if isinstance(value, dict):
        return {str(key): jsonable(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(inner) for inner in value]
    if isinstance(value, datetime):
        return (utc(value) or value).isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value
