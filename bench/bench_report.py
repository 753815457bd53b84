"""Benchmark: the HTML report of 20,000 findings stays under 10 MB and opens in under 3 s.

    .venv/bin/python bench/bench_report.py [--findings 20000] [--keep report.html]

Builds a throwaway SQLite store, renders the report from it, then opens the file in headless
Chromium over the DevTools protocol and times the load event and one filter change.
Exits 1 when a limit is exceeded, 2 when Chromium is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from auditor.report.render import ReportFormat, render  # noqa: E402
from auditor.store.database import Store  # noqa: E402
from tests.report.chromium_cdp import chromium_binary, open_page  # noqa: E402
from tests.report.report_factories import make_store, seed_estate  # noqa: E402

MAX_BYTES = 10 * 1024 * 1024
MAX_OPEN_SECONDS = 3.0


def seed(store_dir: Path, count: int) -> tuple[list[str], Store]:
    store = make_store(store_dir)
    with store.session() as session:
        scan_ids = [scan.id for scan in seed_estate(session, count=count)]
    return scan_ids, store


async def open_in_chromium(path: Path) -> tuple[float, float, list[str]]:
    binary = chromium_binary()
    if binary is None:
        print("chromium is not installed (apt-get install chromium)", file=sys.stderr)
        raise SystemExit(2)
    async with open_page(binary) as page:
        await page.send(
            "Emulation.setDeviceMetricsOverride",
            width=1366,
            height=768,
            deviceScaleFactor=1,
            mobile=False,
        )
        opened = await page.goto(path.as_uri())
        started = time.perf_counter()
        await page.evaluate(
            "(() => { const s = document.querySelector('#filters [name=status]');"
            " s.value = 'FAIL'; s.dispatchEvent(new Event('change', {bubbles: true})); })()"
        )
        filtered = time.perf_counter() - started
        return opened, filtered, page.errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=20_000)
    parser.add_argument("--keep", type=Path, help="Also copy the report here.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scan_ids, store = seed(Path(tmp), args.findings)
        started = time.perf_counter()
        with store.session() as session:
            html = render(session, scan_ids, ReportFormat.HTML)
        rendered = time.perf_counter() - started
        report = Path(tmp) / "report.html"
        report.write_text(html, encoding="utf-8")
        if args.keep:
            args.keep.write_text(html, encoding="utf-8")
        size = report.stat().st_size
        opened, filtered, errors = asyncio.run(open_in_chromium(report))
    print(f"findings:          {args.findings}")
    print(f"render time:       {rendered:.2f} s")
    megabytes = size / 1024 / 1024
    print(f"file size:         {megabytes:.2f} MB (limit {MAX_BYTES / 1024 / 1024:.0f} MB)")
    print(f"open in Chromium:  {opened:.2f} s (limit {MAX_OPEN_SECONDS:.0f} s)")
    print(f"status filter:     {filtered:.2f} s")
    print(f"console errors:    {len(errors)}")
    print(f"load average:      {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    ok = size < MAX_BYTES and opened < MAX_OPEN_SECONDS and not errors
    print("OK" if ok else "LIMIT EXCEEDED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
