"""auditor.json_codec: what the store's JSON columns and the findings document are written with."""

from __future__ import annotations

import enum
import io
import json

from auditor import json_codec
from auditor.report.json_document import dump_document


class Colour(enum.StrEnum):
    RED = "red"


def test_text_is_what_the_standard_library_decodes_to_the_same_value() -> None:
    value = {"a": [1, 2.5, None, True], "b": {"c": "d"}, 3: "int key", "e": ("t", Colour.RED)}
    assert json.loads(json_codec.dumps(value)) == {
        "a": [1, 2.5, None, True],
        "b": {"c": "d"},
        "3": "int key",
        "e": ["t", "red"],
    }


def test_non_ascii_text_is_escaped_as_the_standard_library_escapes_it() -> None:
    hostile = {"name": "invoice\u202egnp.exe", "city": "Zürich", "日本": "東京"}
    text = json_codec.dumps(hostile)
    assert text.isascii()
    assert "\\u202e" in text
    assert text == json.dumps(hostile, separators=(",", ":"))
    assert json_codec.loads(text) == hostile


def test_round_trip_gives_what_a_json_column_gives_back() -> None:
    assert json_codec.round_trip({"k": ("a", Colour.RED), 1: None}) == {
        "k": ["a", "red"],
        "1": None,
    }


def test_the_document_stays_ascii_with_one_item_per_line() -> None:
    stream = io.StringIO()
    dump_document({"scan": {"id": "x"}, "findings": iter([{"t": "\u202e"}, {"t": "ok"}])}, stream)
    text = stream.getvalue()
    assert text.isascii()
    assert json.loads(text) == {"scan": {"id": "x"}, "findings": [{"t": "\u202e"}, {"t": "ok"}]}
    assert text.splitlines()[2:5] == ['  "findings": [', '    {"t":"\\u202e"},', '    {"t":"ok"}']
