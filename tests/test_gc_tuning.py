"""A scan runs with fewer cyclic garbage collections; counted, never timed."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from auditor.gc_tuning import SCAN_THRESHOLDS, fewer_collections


def young_collections_while_keeping(objects: int) -> int:
    """How many youngest-generation collections allocating ``objects`` lists triggers."""
    started: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 0:
            started.append(1)

    kept = []
    gc.callbacks.append(count)
    try:
        for number in range(objects):
            kept.append([number])
    finally:
        gc.callbacks.remove(count)
    return len(started)


@pytest.fixture
def default_thresholds() -> Iterator[None]:
    previous = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*previous)


@pytest.mark.usefixtures("default_thresholds")
def test_the_block_collects_far_less_often_and_restores_the_thresholds() -> None:
    assert young_collections_while_keeping(200_000) >= 200  # every 700 allocations
    with fewer_collections():
        assert gc.get_threshold() == SCAN_THRESHOLDS
        assert young_collections_while_keeping(200_000) <= 5
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.usefixtures("default_thresholds")
def test_the_thresholds_come_back_after_an_error() -> None:
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("boom")
    assert gc.get_threshold() == (700, 10, 10)


_PROBE = """
import gc, json, sys
import auditor.cli.scanning
def run_scan(settings, **_):
    print(json.dumps(gc.get_threshold()))
    raise SystemExit(0)
auditor.cli.scanning.run_scan = run_scan
sys.argv = ["auditor", "scan", "--region", "us-east-1", "-q"]
from auditor.cli import main
main()
"""


def test_auditor_scan_runs_with_the_scan_thresholds() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=False
    )
    assert json.loads(completed.stdout.splitlines()[-1]) == list(SCAN_THRESHOLDS)
