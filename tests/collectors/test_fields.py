"""collectors.fields: an item kept as JSON (jsonable) and the column helpers."""

from __future__ import annotations

import json
from collections import OrderedDict
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum

from collectors.fields import jsonable, text, utc


class Kind(StrEnum):
    A = "a"


def test_jsonable_keeps_plain_values_and_converts_the_rest() -> None:
    aware = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))
    naive = datetime(2026, 1, 2, 3, 4, 5)
    item = {
        "s": "x",
        "i": 3,
        "f": 1.5,
        "b": True,
        "n": None,
        "when": aware,
        "naive": naive,
        "blob": b"caf\xc3\xa9\xff",
        "pair": ("a", 1),
        "nested": [{"at": naive, "list": [[1, "two", None]]}, "plain"],
        "ordered": OrderedDict([(1, "one"), ("k", (naive,))]),
        "kind": Kind.A,
        7: "int key",
    }
    assert jsonable(item) == {
        "s": "x",
        "i": 3,
        "f": 1.5,
        "b": True,
        "n": None,
        "when": "2026-01-02T01:04:05+00:00",
        "naive": "2026-01-02T03:04:05+00:00",
        "blob": "café\ufffd",
        "pair": ["a", 1],
        "nested": [{"at": "2026-01-02T03:04:05+00:00", "list": [[1, "two", None]]}, "plain"],
        "ordered": {"1": "one", "k": ["2026-01-02T03:04:05+00:00"]},
        "kind": "a",
        "7": "int key",
    }
    converted = jsonable(item)
    assert type(converted["ordered"]) is dict
    assert converted["kind"] is Kind.A  # a str already: kept as it is
    json.dumps(converted)  # storable as it is


def test_jsonable_copies_containers() -> None:
    inner = {"a": [1]}
    item = {"inner": inner}
    converted = jsonable(item)
    converted["inner"]["a"].append(2)
    assert inner == {"a": [1]}


def test_text_and_utc() -> None:
    assert text("") is None and text(None) is None and text(5) == "5"
    assert utc(None) is None
    assert utc(datetime(2026, 1, 1)) == datetime(2026, 1, 1, tzinfo=UTC)
