"""Unbroken 10,000-character names keep the report within the viewport (1280 and 390 px)."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.report.render import ReportFormat, render
from auditor.store.database import Store
from tests.report.chromium_cdp import open_page
from tests.report.report_factories import finding_row, seed_outage

LONG = "N" * 10_000
# Elements sticking out of the viewport, outside the tables' own scrolling boxes (and
# inside a drawing, whose own box is checked: it clips its text, the tooltip has it whole).
OVERFLOWING = (
    "[...document.querySelectorAll('body *')].filter(e => {"
    " const r = e.getBoundingClientRect();"
    " return r.width > 0 && r.right > window.innerWidth + 1 && !e.closest('.wrap')"
    " && !e.ownerSVGElement; })"
    ".map(e => e.tagName + '.' + e.className).slice(0, 5)"
)


def long_name_report(store: Store, path: Path) -> Path:
    with store.session() as session:
        _, now = seed_outage(session, long_names=True)
        hop = {"step": "route", "id": f"rtb-{LONG}", "ok": False, "detail": LONG}
        leg = {"purpose": LONG, "destination": LONG, "reachable": False}
        leg["paths"] = [{"path": LONG, "ok": False, "hops": [hop]}]
        finding = finding_row(
            session,
            scan=now,
            resource_id=f"arn:aws:ecs:us-east-1:111111111111:task/{LONG}",
            resource_name=LONG,
            message=f"Task {LONG} cannot reach {LONG}",
            evidence={"sources": [{"source": LONG, "subnet_id": LONG, "legs": [leg]}], LONG: LONG},
        )
        finding.root_cause_kind, finding.root_cause_id = "route", f"rtb-{LONG}"
        finding.root_cause_detail = LONG
        session.flush()
        path.write_text(render(session, [now.id], ReportFormat.HTML), encoding="utf-8")
    return path


@pytest.mark.chromium
@pytest.mark.asyncio
@pytest.mark.parametrize(("width", "height"), [(1280, 860), (390, 844)])
async def test_ten_thousand_character_names_stay_within_the_viewport(
    chromium: str, store: Store, tmp_path: Path, artifacts: Path, width: int, height: int
) -> None:
    report = long_name_report(store, tmp_path / "report.html")
    async with open_page(chromium) as page:
        await page.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 600,
        )
        await page.goto(report.as_uri())
        await page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        # content-visibility:auto skips layout off screen: make every section lay out.
        await page.evaluate(
            "document.querySelectorAll('.cause, .resource, section.check')"
            ".forEach(e => e.style.contentVisibility = 'visible')"
        )
        assert await page.evaluate("document.documentElement.scrollWidth") <= width
        assert await page.evaluate(OVERFLOWING) == []
        drawn = await page.evaluate(
            "[...document.querySelectorAll('svg.pathd')].map(s => s.getBoundingClientRect().right)"
        )
        assert drawn and max(drawn) <= width
        await page.evaluate("document.getElementById('causes').scrollIntoView()")
        png = await page.screenshot(width=width, height=height, mobile=width < 600)
        (artifacts / f"report-long-names-{width}.png").write_bytes(png)
        assert page.errors == []
