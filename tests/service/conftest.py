"""Fixtures for the service tests: a migrated store and a recording engine stand-in."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from service_support import Recorder

from auditor.store.database import Store, open_store

# The report tests' factories and Chromium driver serve the report-page tests too.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "report"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'auditor.db'}")
    yield opened
    opened.dispose()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()
