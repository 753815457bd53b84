"""Every report format, rendered from the store (never by scanning again)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from auditor.history import ScanSelectionError
from auditor.report.csv_export import render_csv
from auditor.report.filters import FindingFilter
from auditor.report.formats import ReportFormat
from auditor.report.html import render_html as render_html_data
from auditor.report.json_document import write_document
from auditor.report.model import ReportData, load_report
from auditor.report.ocsf import render_ocsf
from auditor.store.reads import get_scan
from auditor.store.scans import Scan

__all__ = ["ReportFormat", "render", "render_html", "render_loaded"]


def _scans(session: Session, scan_ids: Sequence[str]) -> list[Scan]:
    scans = []
    for scan_id in scan_ids:
        scan = get_scan(session, scan_id)
        if scan is None:
            raise ScanSelectionError(f"no scan with id {scan_id!r} in the store")
        scans.append(scan)
    return scans


def render(
    session: Session,
    scan_ids: Sequence[str],
    fmt: ReportFormat,
    *,
    now: datetime | None = None,
    only: FindingFilter | None = None,
    run_id: str | None = None,
) -> str:
    """``only`` narrows the findings shown (``--check``, ``--severity``, ``--status``);
    ``run_id`` says the scans are that run's (``--run``): the report is the run's."""
    data = load_report(session, _scans(session, scan_ids), only=only, run_id=run_id)
    return render_loaded(session, data, fmt, now=now)


def render_loaded(
    session: Session, data: ReportData, fmt: ReportFormat, *, now: datetime | None = None
) -> str:
    """One format of report data already loaded: several formats share one load."""
    if fmt is ReportFormat.JSON:
        buffer = io.StringIO()
        write_document(session, data, buffer)
        return buffer.getvalue()
    if fmt is ReportFormat.CSV:
        return render_csv(data.findings)
    if fmt is ReportFormat.OCSF:
        return render_ocsf(data.findings, data.scans)
    return render_html_data(data, generated_at=now or datetime.now(UTC))


def render_html(session: Session, scan_ids: Sequence[str]) -> str:
    """The HTML report of these scans (what `auditor scan --format html` writes)."""
    return render(session, scan_ids, ReportFormat.HTML)
