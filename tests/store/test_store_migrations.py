"""Migrations on SQLite and PostgreSQL: upgrade → alembic check → downgrade → upgrade."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from auditor.store.base import Base
from auditor.store.database import alembic_config, open_store


def test_upgrade_check_downgrade(database_url: str) -> None:
    store = open_store(database_url)
    config = alembic_config(store.engine)
    command.check(config)  # models and migrations agree
    tables = set(inspect(store.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables

    command.downgrade(config, "base")
    assert set(inspect(store.engine).get_table_names()) <= {"alembic_version"}

    store.upgrade()  # and back up again, as a user's `auditor db upgrade` would
    assert set(Base.metadata.tables) <= set(inspect(store.engine).get_table_names())
    store.dispose()


def test_sqlite_is_in_wal_mode_with_a_busy_timeout(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 60_000
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    store.dispose()
