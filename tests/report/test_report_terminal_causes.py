"""Root causes on the terminal: `auditor report -f table` (a subprocess) and the scan summary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from report_factories import seed_outage

from auditor.cli.scanning import cause_lines
from auditor.store.database import open_store


def outage_store(tmp_path: Path) -> tuple[str, list[str]]:
    url = f"sqlite:///{tmp_path / 'auditor.db'}"
    store = open_store(url)
    with store.session() as session:
        _, now = seed_outage(session)
        scan_ids = [now.id]
    return url, scan_ids


def test_report_table_lists_root_causes_before_findings(tmp_path: Path) -> None:
    url, _ = outage_store(tmp_path)
    env = {**os.environ, "AUDITOR_DATABASE_URL": url, "COLUMNS": "200", "NO_COLOR": "1"}
    auditor = Path(sys.executable).with_name("auditor")
    result = subprocess.run(
        [str(auditor), "report", "-f", "table"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Root causes (1 new, 1 still open, 1 fixed)" in out
    assert (
        "NAT gateway nat-0payments is deleted → image pull, log delivery and secrets fail for 4 "
        "services (10 tasks) in cluster payments"
    ) in out
    assert out.index("Root causes") < out.index("Findings (")

    narrowed = subprocess.run(
        [str(auditor), "report", "-f", "table", "--check", "vpc-flow-logs"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    # A hidden check's cause is neither listed nor taken for fixed.
    assert "Root causes (0 new, 1 still open, 0 fixed)" in narrowed.stdout, narrowed.stdout
    assert "nat-0payments" not in narrowed.stdout


def test_scan_summary_says_how_many_causes_break_how_many_tasks(tmp_path: Path) -> None:
    url, scan_ids = outage_store(tmp_path)
    lines = cause_lines(open_store(url), scan_ids)
    assert lines[0] == "2 root causes break 10 tasks; 1 new, 1 fixed"
    assert lines[1].startswith("[FAIL high, new] NAT gateway nat-0payments is deleted → ")
