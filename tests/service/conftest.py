"""Fixtures for the service tests: a migrated store and a recording engine stand-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.store.database import Store, open_store
from tests.service.service_support import Recorder


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'auditor.db'}")
    yield opened
    opened.dispose()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()
