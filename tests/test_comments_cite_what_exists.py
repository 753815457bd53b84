"""Comments and docs cite AWS pages or the repository's own files, never notes kept elsewhere.

The fact sheets and catalogue the first version was written from (FACTS.md, CHECKS.md, ...)
are not part of the repository, so a reference to them points nowhere for a reader.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("auditor", "collectors", "checks", "migrations", "templates", "docs", "tests", "bench")
OUTSIDE_NOTES = re.compile(
    r"FACTS(-ENTERPRISE)?(\.md)?\s*§|\b(FACTS|CHECKS|MOTO|CONTAINER|STYLE)\.md"
)


def test_no_reference_to_notes_outside_the_repository() -> None:
    this = Path(__file__).resolve()
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in SCANNED
        for path in sorted((ROOT / folder).rglob("*"))
        if path.is_file()
        and path.suffix in {".py", ".md", ".j2", ".toml", ".yaml", ".json"}
        and path.resolve() != this
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE_NOTES.search(line)
    ]
    assert found == []
