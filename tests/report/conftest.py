"""Fixtures for report tests: the store, and headless Chromium where the machine has it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditor.store.database import Store
from tests.report.chromium_cdp import chromium_binary
from tests.report.report_factories import make_store

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return make_store(tmp_path)


@pytest.fixture
def chromium() -> str:
    """Path of the Chromium binary: skipped locally when missing, a failure on CI."""
    found = chromium_binary()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no chromium binary: .ci/run must install Debian's chromium")
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    return found


@pytest.fixture
def artifacts() -> Path:
    """Where tests leave files for people to look at (screenshots)."""
    path = Path(os.environ.get("AUDITOR_TEST_ARTIFACTS", REPO / "test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path
