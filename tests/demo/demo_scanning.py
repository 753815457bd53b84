"""The set-up of a test that scans the demo estate through the engine: an empty SQLite store,
the demo's settings, and the estate seeded into a moto server of its own."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.config import Settings
from auditor.demo import DemoEstate, DemoMoto, seed_estate
from auditor.demo.estate import ROLE_NAME
from auditor.store.database import Store, open_store


@dataclass(frozen=True)
class DemoScanning:
    store: Store
    settings: Settings
    url: str  # the moto server's, which AWS_ENDPOINT_URL names
    estate: DemoEstate


@contextmanager
def demo_scanning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[DemoScanning]:
    """The store, settings and seeded estate; the moto server stops on exit."""
    store = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    settings = Settings(max_attempts=2, concurrency=8, role_name=ROLE_NAME)
    with DemoMoto() as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
        yield DemoScanning(store, settings, server.url, seed_estate(server.url))
