"""The HTML report in headless Chromium: no console errors, inert hostile input, working filters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.report.render import ReportFormat, render
from auditor.store.database import Store
from tests.report.chromium_cdp import open_page
from tests.report.report_factories import seed_week

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
# Findings the filters leave visible (a row is one finding, a list of passing resources many).
VISIBLE_ROWS = (
    "[...document.querySelectorAll('[data-n]:not([hidden])')]"
    ".reduce((sum, e) => sum + Number(e.dataset.n), 0)"
)
VISIBLE_CARDS = "document.querySelectorAll('#resources article:not([hidden])').length"


def write_report(store: Store, path: Path, *, hostile: bool) -> Path:
    with store.session() as session:
        scans = seed_week(session, hostile=hostile)
        path.write_text(render(session, [s.id for s in scans], ReportFormat.HTML, now=NOW))
    return path


def choose(field: str, value: str) -> str:
    return (
        f"(() => {{ const s = document.querySelector('#filters [name={field}]');"
        f" s.value = {value!r}; s.dispatchEvent(new Event('change', {{bubbles: true}})); }})()"
    )


@pytest.mark.chromium
@pytest.mark.asyncio
async def test_report_filters_work_and_nothing_hostile_runs(
    chromium: str, store: Store, tmp_path: Path, artifacts: Path
) -> None:
    report = write_report(store, tmp_path / "report.html", hostile=True)

    async with open_page(chromium) as page:
        await page.goto(report.as_uri())
        assert await page.evaluate("document.getElementById('filters').hidden") is False
        total = await page.evaluate(VISIBLE_ROWS)
        assert total == 13
        assert await page.evaluate("document.getElementById('filter-count').textContent") == (
            "13 of 13 findings shown"
        )

        await page.evaluate(choose("status", "FAIL"))
        assert await page.evaluate(VISIBLE_ROWS) == 5
        statuses = (
            "[...document.querySelectorAll('[data-f]:not([hidden])')]"
            ".map(e => e.dataset.f.split('|')[3])"
        )
        assert set(await page.evaluate(statuses)) == {"FAIL"}

        await page.evaluate(choose("account", "222222222222"))
        assert await page.evaluate(VISIBLE_ROWS) == 2
        assert await page.evaluate(VISIBLE_CARDS) == 2
        await page.evaluate(choose("check", "vpc-flow-logs"))
        assert await page.evaluate(VISIBLE_ROWS) == 1
        sections = (
            "[...document.querySelectorAll('#checks section.check:not([hidden])')].map(s => s.id)"
        )
        assert await page.evaluate(sections) == ["check-vpc-flow-logs"]

        await page.evaluate("document.querySelector('#filters button[type=reset]').click()")
        await page.evaluate("new Promise(r => setTimeout(r, 50))")
        assert await page.evaluate(VISIBLE_ROWS) == total
        await page.evaluate(choose("severity", "medium"))
        assert await page.evaluate(VISIBLE_ROWS) == 6
        await page.evaluate(choose("severity", ""))
        await page.evaluate(choose("region", "eu-west-1"))
        assert await page.evaluate(VISIBLE_ROWS) == 1

        assert await page.evaluate("typeof window.__pwned") == "undefined"
        assert await page.evaluate("document.querySelectorAll('img').length") == 0
        assert await page.evaluate("document.scripts.length") == 1
        png = await page.screenshot(width=1280, height=900)
        (artifacts / "report-hostile.png").write_bytes(png)
        assert page.errors == []


@pytest.mark.chromium
@pytest.mark.asyncio
async def test_report_reads_on_a_phone_and_in_print(
    chromium: str, store: Store, tmp_path: Path, artifacts: Path
) -> None:
    report = write_report(store, tmp_path / "report.html", hostile=False)

    async with open_page(chromium) as page:
        await page.send(
            "Emulation.setDeviceMetricsOverride",
            width=390,
            height=844,
            deviceScaleFactor=1,
            mobile=True,
        )
        await page.goto(report.as_uri())
        # Nothing but the tables' own scroll boxes is wider than the phone's screen.
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        png = await page.screenshot(width=390, height=844, mobile=True)
        (artifacts / "report-phone.png").write_bytes(png)
        await page.send("Emulation.setEmulatedMedia", media="print")
        assert (
            await page.evaluate("getComputedStyle(document.getElementById('filters')).display")
            == "none"
        )
        assert page.errors == []
