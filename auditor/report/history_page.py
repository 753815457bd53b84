"""The served history page: per account, root causes over time and a chart of open FAILs.

Each scan is a snapshot, so a cause's history is read from the scans themselves: it appeared
in the first scan that had it and was fixed by the first complete scan after the last one
that had it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from auditor.catalogue import check_title
from auditor.findings import Severity
from auditor.history import severity_rank
from auditor.report.causes import CHECK_KIND, kind_name
from auditor.report.templating import environment
from auditor.report.text import clean
from auditor.store import reads
from auditor.store.scans import Scan, ScanStatus

SCANS_SHOWN = 30
COLOURS = {
    "critical": "#7a1410",
    "high": "#b3261e",
    "medium": "#c77700",
    "low": "#5b6475",
    "info": "#9aa3b2",
}


@dataclass(kw_only=True)
class CauseHistory:
    region: str
    kind: str
    resource_id: str
    what: str
    severity: str
    appeared: Scan
    last_seen: Scan
    fixed_by: Scan | None
    scans_open: int

    @property
    def open_now(self) -> bool:
        return self.fixed_by is None


@dataclass(kw_only=True)
class AccountHistory:
    account_id: str
    scans: list[Scan]
    fails: dict[str, dict[str, int]]
    causes: list[CauseHistory]

    @property
    def chart(self) -> Markup:
        return fail_chart(self.scans, self.fails)


def _what(kind: str, resource_id: str, detail: str | None) -> str:
    if kind == CHECK_KIND:
        return f"Check “{check_title(resource_id)}”"
    return detail or f"{kind_name(kind)} {resource_id}"


def account_history(session: Session, account_id: str, limit: int = SCANS_SHOWN) -> AccountHistory:
    scans = reads.finished_scans(session, account_id, limit)
    ids = [scan.id for scan in scans]
    order = {scan.id: index for index, scan in enumerate(scans)}
    seen: dict[tuple[str, str, str], dict[str, object]] = {}
    for row in reads.open_finding_causes(session, ids):
        if row.root_cause_kind and row.root_cause_id:
            key = (row.region, row.root_cause_kind, row.root_cause_id)
        else:
            key = (row.region, CHECK_KIND, row.check_id)
        entry = seen.setdefault(key, {"scans": set(), "severity": row.severity, "detail": None})
        entry["scans"].add(order[row.scan_id])  # type: ignore[attr-defined]
        if severity_rank(row.severity) < severity_rank(str(entry["severity"])):
            entry["severity"] = row.severity
        entry["detail"] = entry["detail"] or row.root_cause_detail
    causes = []
    for (region, kind, resource_id), entry in seen.items():
        indexes: set[int] = entry["scans"]  # type: ignore[assignment]
        last = max(indexes)
        fixed_by = next(
            (
                s
                for s in scans[last + 1 :]
                if s.status == ScanStatus.COMPLETE and region in s.regions
            ),
            None,
        )
        causes.append(
            CauseHistory(
                region=region,
                kind=kind,
                resource_id=resource_id,
                what=_what(kind, resource_id, entry["detail"]),  # type: ignore[arg-type]
                severity=str(entry["severity"]),
                appeared=scans[min(indexes)],
                last_seen=scans[last],
                fixed_by=fixed_by,
                scans_open=len(indexes),
            )
        )
    causes.sort(
        key=lambda c: (
            not c.open_now,
            severity_rank(c.severity),
            -c.appeared.started_at.timestamp(),
        )
    )
    return AccountHistory(
        account_id=account_id, scans=scans, fails=reads.fail_counts(session, ids), causes=causes
    )


def fail_chart(scans: list[Scan], fails: dict[str, dict[str, int]]) -> Markup:
    """Stacked bars: open FAILs by severity, one bar per scan (oldest left)."""
    width, height, left, bottom, top = 640, 180, 34, 28, 10
    plot = height - bottom - top
    totals = [sum(fails.get(scan.id, {}).values()) for scan in scans]
    peak = max([*totals, 1])
    step = (width - left - 8) / max(len(scans), 1)
    bar = max(min(step * 0.7, 40), 2)
    parts = [
        f'<line x1="{left}" y1="{top + plot}" x2="{width - 4}" y2="{top + plot}" '
        'stroke="#5b6475"/>',
        f'<text x="{left - 4}" y="{top + 8}" font-size="10" text-anchor="end" fill="#5b6475">'
        f"{peak}</text>",
        f'<text x="{left - 4}" y="{top + plot}" font-size="10" text-anchor="end" '
        'fill="#5b6475">0</text>',
    ]
    label_every = max(1, len(scans) // 6)
    one_day = bool(scans) and (scans[-1].started_at - scans[0].started_at).days < 1
    label = "%H:%M" if one_day else "%m-%d"
    for index, scan in enumerate(scans):
        x = left + index * step + (step - bar) / 2
        y = float(top + plot)
        counts = fails.get(scan.id, {})
        for severity in reversed(list(Severity)):
            count = counts.get(severity.value, 0)
            if not count:
                continue
            h = plot * count / peak
            y -= h
            tip = f"{scan.started_at:%Y-%m-%d %H:%M} UTC: {count} {severity.value} FAIL"
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[severity.value]}"><title>{escape(tip)}</title></rect>'
            )
        if index % label_every == 0 or index == len(scans) - 1:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - 10}" font-size="10" '
                f'text-anchor="middle" fill="#5b6475">{scan.started_at.strftime(label)}</text>'
            )
    summary = ", ".join(
        f"{scan.started_at:%Y-%m-%d %H:%M}: {total}"
        for scan, total in zip(scans, totals, strict=True)
    )
    return Markup(  # noqa: S704  (numbers, dates and escaped text only)
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(clean("Open FAILs per scan: " + summary, 2000))}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


def render_history(session: Session, *, generated_at: datetime, nav: list[tuple[str, str]]) -> str:
    histories = [account_history(session, account) for account in reads.accounts(session)]
    return (
        environment()
        .get_template("history.html.j2")
        .render(
            title="auditor history",
            histories=histories,
            generated_at=generated_at,
            nav=nav,
            colours=COLOURS,
            kind_name=kind_name,
        )
    )
