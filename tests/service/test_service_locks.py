"""One scan per account across processes: PostgreSQL advisory locks, lock rows elsewhere."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine

from auditor.store.database import open_store
from auditor.store.locks import AdvisoryLocks, RowLocks, open_locks

A, B, C = "111111111111", "222222222222", "333333333333"


def migrated(url: str) -> Engine:
    """An engine on a database migrated to head, as every auditor process sees it."""
    return open_store(url).engine


def test_sqlite_uses_lock_rows(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'locks.db'}")
    assert isinstance(open_locks(engine, "p1"), RowLocks)


def test_lock_rows_are_exclusive_until_released(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'locks.db'}"
    first = RowLocks(migrated(url), "host:1")
    second = RowLocks(migrated(url), "host:2")
    assert first.acquire([A, B]) == [A, B]
    assert second.acquire([A, B, C]) == [C]
    assert first.holders() == {A: "host:1", B: "host:1", C: "host:2"}
    first.release([A])
    assert second.acquire([A, B]) == [A]
    assert (first.held, second.held) == ({B}, {A, C})
    second.close()
    first.close()
    assert first.holders() == {}


def test_lock_row_of_a_dead_holder_expires(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'locks.db'}"
    crashed = RowLocks(migrated(url), "host:1", ttl=timedelta(milliseconds=300))
    survivor = RowLocks(migrated(url), "host:2")
    assert crashed.acquire([A]) == [A]
    assert survivor.acquire([A]) == []
    time.sleep(0.4)
    assert survivor.acquire([A]) == [A]
    # The old holder's release must not free the new holder's lock.
    crashed.release([A])
    assert survivor.holders() == {A: "host:2"}


def test_refresh_keeps_a_long_scan_locked(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'locks.db'}"
    holder = RowLocks(migrated(url), "host:1", ttl=timedelta(milliseconds=400))
    other = RowLocks(migrated(url), "host:2")
    assert holder.acquire([A]) == [A]
    for _ in range(3):
        time.sleep(0.2)
        holder.refresh()
    assert other.acquire([A]) == []


@pytest.mark.postgres
def test_advisory_locks_are_exclusive_and_die_with_the_connection(postgres_url: str) -> None:
    first = open_locks(create_engine(postgres_url), "p1")
    second = open_locks(create_engine(postgres_url), "p2")
    assert isinstance(first, AdvisoryLocks)
    assert first.acquire([A, B]) == [A, B]
    assert second.acquire([B, C]) == [C]
    first.release([B])
    assert second.acquire([B]) == [B]
    # A process that dies loses its connection, and PostgreSQL frees its locks: once its
    # backend has seen the connection close, which happens shortly after, not at once.
    first._session().invalidate()
    deadline = time.monotonic() + 10
    while (got := second.acquire([A])) != [A] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert got == [A]
    second.close()
