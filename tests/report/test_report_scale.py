"""20,000 findings: the HTML report stays under 10 MB (bench/bench_report.py also times it)."""

from __future__ import annotations

import re

import pytest

from auditor.report.render import ReportFormat, render
from auditor.store.database import Store
from tests.report.report_factories import seed_estate

MAX_BYTES = 10 * 1024 * 1024


@pytest.mark.slow
def test_report_html_of_20000_findings_stays_under_10_mb(store: Store) -> None:
    with store.session() as session:
        scans = seed_estate(session, count=20_000)
        html = render(session, [s.id for s in scans], ReportFormat.HTML)

    assert len(html.encode()) < MAX_BYTES
    # Every finding is in the report: one row each, or a count in a list of passing resources.
    shown = sum(int(n) for n in re.findall(r'data-n="(\d+)"', html))
    assert shown == 20_000
