"""Screenshots of an HTML report (and the served history page) for docs/screenshots.

Not a test: scripts/demo_screenshots.py runs the demo and calls this. By hand:

.venv/bin/python -m tests.report.report_screenshots report.html docs/screenshots [history.html]
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.report.chromium_cdp import chromium_binary, open_page

DESKTOP = (1280, 860)
FRAMES = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
PHONE = (390, 844)


async def take(report_uri: str, target: Path, history_uri: str | None = None) -> list[Path]:
    binary = chromium_binary()
    if binary is None:
        raise SystemExit("chromium is not installed (apt-get install chromium)")
    shots: list[tuple[str, str | None, str | None]] = [
        ("report-root-causes.png", None, None),
        ("report-path-diagram.png", "first-cause", None),
        ("report-summary.png", "summary", None),
        ("report-checks.png", "checks", None),
        ("report-filtered.png", "filters", "FAIL"),
        ("report-resources.png", "resources", None),
        ("report-unknown-errors.png", "unknown", None),
    ]
    written = []
    async with open_page(binary) as page:
        width, height = DESKTOP
        await page.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        await page.goto(report_uri)
        for name, section, status in shots:
            if status:
                await page.evaluate(
                    "(() => { const s = document.querySelector('#filters [name=status]');"
                    f" s.value = {status!r};"
                    " s.dispatchEvent(new Event('change', {bubbles: true})); })()"
                )
            script = (
                "document.querySelector('#causes article.cause').scrollIntoView();"
                " window.scrollBy(0, -document.getElementById('filters').offsetHeight - 8)"
                if section == "first-cause"
                else f"document.getElementById({section!r}).scrollIntoView()"
                if section
                else "window.scrollTo(0, 0)"
            )
            await page.evaluate(script)
            # Sections render lazily (content-visibility): let two frames pass first.
            await page.evaluate(FRAMES)
            png = await page.screenshot(width=width, height=height)
            written.append(target / name)
            written[-1].write_bytes(png)
            if status:
                await page.evaluate("document.querySelector('#filters').reset()")
                await page.evaluate("new Promise(r => setTimeout(r, 50))")
        await page.evaluate("window.scrollTo(0, 0)")
        png = await page.screenshot(width=PHONE[0], height=PHONE[1], mobile=True)
        written.append(target / "report-phone.png")
        written[-1].write_bytes(png)
        if history_uri:
            await page.send(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=height,
                deviceScaleFactor=1,
                mobile=False,
            )
            await page.goto(history_uri)
            await page.evaluate(FRAMES)
            written.append(target / "history.png")
            written[-1].write_bytes(await page.screenshot(width=width, height=height))
        if page.errors:
            raise SystemExit(f"console errors: {page.errors}")
    return written


def main() -> None:
    report, target = Path(sys.argv[1]), Path(sys.argv[2])
    history = Path(sys.argv[3]).resolve().as_uri() if len(sys.argv) > 3 else None
    target.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(take(report.resolve().as_uri(), target, history)):
        print(path)


if __name__ == "__main__":
    main()
