from pathlib import Path

from auditor.store.schemadoc import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"


def test_schema_doc_is_current() -> None:
    assert DOC.read_text() == render(), "run: python -m auditor.store.schemadoc > docs/schema.md"
