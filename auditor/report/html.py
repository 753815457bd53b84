"""The self-contained HTML report (inline CSS and JS, no network, prints and reads on a phone)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from markupsafe import Markup

from auditor.findings import Severity, Status
from auditor.report.causes import RootCause, cause_key, kind_name
from auditor.report.diagram import SymbolSheet, locate, nodes_of, svg
from auditor.report.headline import headline
from auditor.report.model import ReportData, filter_key, suppression_of
from auditor.report.templating import anchor, environment, plural
from auditor.store.scans import Finding

# How many new, fixed or newly unknown findings the summary lists before "and N more".
SUMMARY_LIMIT = 25
# Root causes drawn in full per list (new, still open, fixed), and workloads per cause.
CAUSE_LIMIT = 100
WORKLOAD_LIMIT = 50


def diagram_finding(cause: RootCause) -> Finding | None:
    """The cause's first finding whose evidence holds the decisive hop (the one drawn)."""
    if cause.is_check_group:
        return None
    return next(
        (f for f in cause.findings if locate(f.evidence, cause.kind, cause.resource_id)), None
    )


def cause_diagram(cause: RootCause) -> Markup:
    """The path of :func:`diagram_finding`, from its own task or service."""
    finding = diagram_finding(cause)
    if finding is not None:
        located = locate(finding.evidence, cause.kind, cause.resource_id)
        if located is not None:
            label = finding.resource_name or finding.resource_id
            return svg(nodes_of(located, label))
    return Markup("")


def finding_diagrammer(sheet: SymbolSheet) -> Callable[[Finding], Markup]:
    def finding_diagram(finding: Finding) -> Markup:
        if not (finding.root_cause_kind and finding.root_cause_id):
            return Markup("")
        located = locate(finding.evidence, finding.root_cause_kind, finding.root_cause_id)
        if located is None:
            return Markup("")
        source = "service" if finding.resource_type == "ecs-service" else "task"
        drawn = sheet.use(nodes_of(located, f"this {source}"))
        if drawn is None:  # the sheet is full: the cause's card has the same broken hop drawn
            key = cause_key(finding)
            return Markup(  # noqa: S704  (the anchor is hex)
                f'<p class="sub">Path diagram: see <a href="#{anchor("cause", *key)}">its '
                "root cause</a> (same broken hop).</p>"
            )
        return drawn

    return finding_diagram


def render_html(
    data: ReportData, *, generated_at: datetime, nav: Sequence[tuple[str, str]] = ()
) -> str:
    """The report; ``nav`` adds links above it (the pages `auditor serve` serves)."""
    accounts = ", ".join(data.accounts) or "no account"
    if data.run_id is not None:
        accounts = f"run {data.run_id} ({plural(len(data.accounts), 'account')})"
    sheet = SymbolSheet()
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
            cause_limit=CAUSE_LIMIT,
            workload_limit=WORKLOAD_LIMIT,
            headline=headline(data.changes),
            cause_diagram=cause_diagram,
            diagram_finding=diagram_finding,
            finding_diagram=finding_diagrammer(sheet),
            kind_name=kind_name,
            symbols=sheet,
            nav=list(nav),
        )
    )
