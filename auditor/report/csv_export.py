"""One CSV row per finding, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from auditor.report.json_document import iso
from auditor.store.scans import Finding

COLUMNS = (
    "scan_id",
    "account_id",
    "region",
    "check_id",
    "status",
    "severity",
    "resource_type",
    "resource_id",
    "resource_name",
    "message",
    "first_seen",
    "evidence",
)
# A cell starting with one of these is a formula to Excel and LibreOffice.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str | None) -> str:
    text = value or ""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def render_csv(findings: Iterable[Finding]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for f in findings:
        writer.writerow(
            _cell(value)
            for value in (
                f.scan_id,
                f.account_id,
                f.region,
                f.check_id,
                f.status,
                f.severity,
                f.resource_type,
                f.resource_id,
                f.resource_name,
                f.message,
                iso(f.first_seen),
                json.dumps(f.evidence, sort_keys=True, ensure_ascii=False),
            )
        )
    return buffer.getvalue()
