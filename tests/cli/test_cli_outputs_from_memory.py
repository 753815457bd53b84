"""`auditor scan` writes its outputs from the findings it just stored, not read back: the
same bytes, in every format, as the outputs of a read from the store."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cli.scanning import Finished, findings_in_memory, finish
from auditor.demo import apply_changes
from auditor.demo.estate import SECOND_ACCOUNT
from auditor.engine import ScanSummary, scan_accounts
from auditor.report.filters import FindingFilter
from auditor.report.formats import ReportFormat
from auditor.store import reads
from auditor.store.database import Store
from auditor.store.scans import Finding
from tests.demo.demo_scanning import demo_scanning

ACCOUNT = "123456789012"
REGIONS = ["us-east-1", "eu-west-1"]
COLUMNS = [column.key for column in Finding.__table__.columns if column.key != "id"]


def _as_read(store: Store, outcomes: list[ScanSummary]) -> list[tuple[object, ...]]:
    with store.session() as session:
        found = reads.findings_of(session, [o.scan_id for o in outcomes])
        return [tuple(getattr(f, c) for c in COLUMNS) for f in found]


def _written(
    store: Store, outcomes: list[ScanSummary], folder: Path, only: FindingFilter | None = None
) -> tuple[dict[str, bytes], Finished]:
    stored = findings_in_memory(store, outcomes) if folder.name == "memory" else None
    targets = {fmt: str(folder / f"scan{fmt.suffix}") for fmt in ReportFormat}
    done = finish(store, [o.scan_id for o in outcomes], targets, only, stored)
    return {Path(path).name: Path(path).read_bytes() for path in done.written}, done


@pytest.mark.asyncio
async def test_outputs_from_memory_equal_the_outputs_of_a_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with demo_scanning(tmp_path, monkeypatch) as demo:
        store, settings = demo.store, demo.settings
        first = await scan_accounts(settings, [ACCOUNT], REGIONS, store=store)
        apply_changes(demo.url, demo.estate)  # the second scan has a baseline: first_seen, diff
        second = await scan_accounts(settings, [ACCOUNT], REGIONS, store=store)

    for outcomes in (first, second):
        in_memory = findings_in_memory(store, outcomes)
        assert in_memory is not None
        statuses = {f.status for f in in_memory}
        assert {"PASS", "FAIL"} <= statuses
        # Every column, in the order findings_of reads them, evidence decoded alike.
        ordered = reads.in_read_order(in_memory)
        assert [tuple(getattr(f, c) for c in COLUMNS) for f in ordered] == _as_read(store, outcomes)
    assert any(f.first_seen is not None for f in findings_in_memory(store, second) or [])

    for only in (None, FindingFilter.of(checks=["image-pull-path"], exclude_checks=[])):
        name = "all" if only is None else "narrowed"
        read, read_done = _written(store, second, tmp_path / name / "read", only)
        memory, memory_done = _written(store, second, tmp_path / name / "memory", only)
        assert sorted(read) == sorted(f"scan{fmt.suffix}" for fmt in ReportFormat)
        for output, content in read.items():
            assert memory[output] == content, output
        # The summary's table and exit code see the same findings, in the same order.
        assert memory_done.rows == read_done.rows
        assert memory_done.cause_lines == read_done.cause_lines
        assert len(read_done.rows) > 0


@pytest.mark.asyncio
async def test_a_run_of_several_accounts_reads_its_findings_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with demo_scanning(tmp_path, monkeypatch) as demo:
        store = demo.store
        outcomes = await scan_accounts(
            demo.settings, [ACCOUNT, SECOND_ACCOUNT], ["us-east-1"], store=store
        )
    # Many accounts' findings are not all held at once: the outputs read them.
    assert all(o.stored_findings is None for o in outcomes)
    assert findings_in_memory(store, outcomes) is None
