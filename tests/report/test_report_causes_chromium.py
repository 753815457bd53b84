"""Root causes in Chromium: diagrams drawn without JavaScript, filters hide whole causes."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.report.render import ReportFormat, render
from auditor.store.database import Store
from tests.report.chromium_cdp import open_page
from tests.report.report_factories import seed_outage

DRAWN = (
    "[...document.querySelectorAll('#causes svg.pathd')]"
    ".filter(s => s.getBoundingClientRect().height > 100).length"
)
VISIBLE_CAUSES = (
    "[...document.querySelectorAll('#causes article.cause:not([hidden]) .what')]"
    ".map(e => e.textContent)"
)
VISIBLE_LINES = "document.querySelectorAll('.cause-index li[data-group]:not([hidden])').length"


def choose(field: str, value: str) -> str:
    return (
        f"(() => {{ const s = document.querySelector('#filters [name={field}]');"
        f" s.value = {value!r}; s.dispatchEvent(new Event('change', {{bubbles: true}})); }})()"
    )


def outage_report(store: Store, path: Path) -> Path:
    with store.session() as session:
        _, now = seed_outage(session)
        path.write_text(render(session, [now.id], ReportFormat.HTML), encoding="utf-8")
    return path


@pytest.mark.chromium
@pytest.mark.asyncio
async def test_root_cause_diagrams_need_no_javascript(
    chromium: str, store: Store, tmp_path: Path
) -> None:
    report = outage_report(store, tmp_path / "report.html")
    async with open_page(chromium) as page:
        await page.send("Emulation.setScriptExecutionDisabled", value=True)
        await page.goto(report.as_uri())
        await page.send("Emulation.setScriptExecutionDisabled", value=False)
        # The script never ran: the filter form is still hidden, the diagram is drawn.
        assert await page.evaluate("document.getElementById('filters').hidden") is True
        assert await page.evaluate(DRAWN) == 1
        label = await page.evaluate(
            "document.querySelector('#causes svg.pathd').getAttribute('aria-label')"
        )
        assert label.startswith("Broken at NAT gateway: NAT gateway nat-0payments is deleted")
        # Each single finding has the same drawing (through a shared symbol).
        assert await page.evaluate("document.querySelectorAll('#resources svg.pathd').length") == 42
        assert page.errors == []


@pytest.mark.chromium
@pytest.mark.asyncio
async def test_filters_hide_root_causes_that_match_nothing(
    chromium: str, store: Store, tmp_path: Path, artifacts: Path
) -> None:
    report = outage_report(store, tmp_path / "report.html")
    async with open_page(chromium) as page:
        await page.goto(report.as_uri())
        first = await page.evaluate("document.querySelector('.cause-index li').textContent")
        assert "NAT gateway nat-0payments is deleted" in first
        assert await page.evaluate(VISIBLE_LINES) == 2
        png = await page.screenshot(width=1280, height=860)
        (artifacts / "report-root-causes.png").write_bytes(png)

        await page.evaluate(choose("check", "vpc-flow-logs"))
        assert await page.evaluate(VISIBLE_CAUSES) == [
            "Check “Flow logs cover the VPCs that host Fargate tasks”"
        ]
        assert await page.evaluate(VISIBLE_LINES) == 1

        await page.evaluate(choose("check", "secrets-path"))
        visible = await page.evaluate(VISIBLE_CAUSES)
        assert visible == ["NAT gateway nat-0payments is deleted"]
        assert page.errors == []
