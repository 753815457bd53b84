"""Root causes on the terminal: `auditor report -f table` (a subprocess) and the scan summary."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.scanning import finish
from auditor.store.database import open_store
from tests.report.report_factories import seed_outage


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
    lines = finish(open_store(url), scan_ids, {}).cause_lines
    assert lines[0] == "2 root causes break 10 tasks; 1 new, 1 fixed"
    assert lines[1].startswith("[FAIL high, new] NAT gateway nat-0payments is deleted → ")


def test_a_scan_reads_its_findings_and_diff_once_for_every_output_and_the_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from auditor.report import model
    from auditor.report.formats import ReportFormat

    url, scan_ids = outage_store(tmp_path)
    reads_of_the_scan: list[list[str]] = []
    diffs: list[object] = []
    findings_of, diff_each = model.findings_of, model.diff_each_with_previous

    def counted_findings(session: Any, ids: Any) -> Any:
        if list(ids) == scan_ids:
            reads_of_the_scan.append(list(ids))
        return findings_of(session, ids)

    def counted_diff(*args: Any, **kwargs: Any) -> Any:
        diffs.append(args)
        return diff_each(*args, **kwargs)

    monkeypatch.setattr(model, "findings_of", counted_findings)
    monkeypatch.setattr(model, "diff_each_with_previous", counted_diff)
    targets = {fmt: str(tmp_path / f"out{fmt.suffix}") for fmt in ReportFormat}
    done = finish(open_store(url), scan_ids, targets)

    assert (len(reads_of_the_scan), len(diffs)) == (1, 1)
    assert sorted(done.written) == sorted(targets.values())
    document = json.loads(Path(targets[ReportFormat.JSON]).read_text())
    assert len(document["findings"]) == len(done.rows) > 0
    assert document["root_causes"] and done.cause_lines[0].startswith("2 root causes")
