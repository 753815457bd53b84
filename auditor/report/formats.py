"""The report formats and their file suffixes (no renderer imported: the CLI reads this early)."""

from __future__ import annotations

import enum
from pathlib import Path


class ReportFormat(enum.StrEnum):
    HTML = "html"
    JSON = "json"
    CSV = "csv"
    OCSF = "ocsf"

    @property
    def suffix(self) -> str:
        return ".ocsf.json" if self is ReportFormat.OCSF else f".{self.value}"


def format_of(path: Path) -> ReportFormat | None:
    """The format a file name's suffix names (``.ocsf.json`` before ``.json``), if any."""
    name = path.name.lower()
    for fmt in sorted(ReportFormat, key=lambda f: -len(f.suffix)):
        if name.endswith(fmt.suffix):
            return fmt
    return None
