#!/usr/bin/env python3
"""Regenerate docs/screenshots from the demo, in headless Chromium.

    .venv/bin/python scripts/demo_screenshots.py [--database-url URL]

Runs `auditor scan --demo` into a throwaway SQLite store (or renders an existing store given
with --database-url), renders the HTML report of the latest scans and the history page that
`auditor serve` shows, and screenshots both (tests/report/report_screenshots.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.report.history_page import render_history  # noqa: E402
from auditor.web import NAV, latest_html  # noqa: E402
from tests.report.report_screenshots import take  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="Render this store instead of running the demo.")
    parser.add_argument("--target", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'demo.db'}"
        if not args.database_url:
            env = {**os.environ, "AUDITOR_DATABASE_URL": url, "NO_COLOR": "1"}
            auditor = Path(sys.executable).with_name("auditor")
            # Exit 1 means the demo's FAILs were found, as they should be.
            scan = subprocess.run([str(auditor), "scan", "--demo"], env=env, check=False)
            if scan.returncode not in (0, 1):
                raise SystemExit(f"auditor scan --demo exited {scan.returncode}")
        from auditor.store.database import open_store

        store = open_store(url)
        _, report = latest_html(store)
        with store.session() as session:
            history = render_history(session, generated_at=datetime.now(UTC), nav=list(NAV))
        store.dispose()
        report_path, history_path = Path(tmp) / "report.html", Path(tmp) / "history.html"
        report_path.write_text(report, encoding="utf-8")
        history_path.write_text(history, encoding="utf-8")
        args.target.mkdir(parents=True, exist_ok=True)
        shots = asyncio.run(take(report_path.as_uri(), args.target, history_path.as_uri()))
    for path in shots:
        print(path)


if __name__ == "__main__":
    main()
