"""The self-contained HTML report (inline CSS and JS, no network, prints and reads on a phone)."""

from __future__ import annotations

from datetime import datetime

from auditor.report.headline import headline
from auditor.report.model import ReportData, filter_key, suppression_of
from auditor.report.templating import environment
from checks.base import Severity, Status

# How many new, fixed or newly unknown findings the summary lists before "and N more".
SUMMARY_LIMIT = 25


def render_html(data: ReportData, *, generated_at: datetime) -> str:
    accounts = ", ".join(data.accounts) or "no account"
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            title=f"auditor report — {accounts}",
            data=data,
            generated_at=generated_at,
            statuses=[status.value for status in Status],
            severities=[severity.value for severity in Severity],
            suppression_of=suppression_of,
            filter_key=filter_key,
            limit=SUMMARY_LIMIT,
            headline=headline(data.changes),
        )
    )
