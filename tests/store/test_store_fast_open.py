"""Opening an up-to-date store does not load Alembic; the head it compares with is Alembic's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect, text

from auditor.store.database import alembic_config, migration_heads, open_store


def test_the_heads_read_from_the_scripts_are_alembics(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    scripts = ScriptDirectory.from_config(alembic_config(store.engine))
    assert migration_heads() == frozenset(scripts.get_heads())
    store.dispose()


def test_an_up_to_date_store_opens_without_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.db'}"
    open_store(url).dispose()  # creates and migrates it
    probe = (
        "import sys; from auditor.store.database import open_store; "
        f"open_store({url!r}).dispose(); print('alembic' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "False"


def _schema(engine: Engine) -> dict[str, Any]:
    """Every table's columns (by name), keys, indexes and constraints, as reflected."""
    found = inspect(engine)
    return {
        table: {
            "columns": sorted(
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in found.get_columns(table)
            ),
            "primary key": found.get_pk_constraint(table),
            "foreign keys": sorted(map(repr, found.get_foreign_keys(table))),
            "indexes": sorted(map(repr, found.get_indexes(table))),
            "unique": sorted(map(repr, found.get_unique_constraints(table))),
            "checks": sorted(map(repr, found.get_check_constraints(table))),
        }
        for table in sorted(found.get_table_names())
    }


def test_a_new_database_gets_the_migrated_schema_without_alembic(
    database_url: str, tmp_path: Path
) -> None:
    """An empty database is built from the models and stamped at the head; its schema is
    the one the migrations build, and Alembic agrees it is up to date."""
    probe = (
        "import sys; from auditor.store.database import open_store; "
        f"open_store({database_url!r}).dispose(); print('alembic' in sys.modules)"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "False"
    created = open_store(database_url)
    config = alembic_config(created.engine)
    command.check(config)  # models and the stamped head agree
    with created.engine.connect() as connection:
        stamped = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        assert set(stamped) == migration_heads()
    new_schema = _schema(created.engine)

    command.downgrade(config, "base")  # the same database, now built by every migration
    command.upgrade(config, "head")
    assert _schema(created.engine) == new_schema
    created.dispose()


def test_a_database_with_tables_is_migrated_not_recreated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE unrelated (id INTEGER PRIMARY KEY)"))
    engine.dispose()
    store = open_store(url)  # not empty: the migrations run, and leave the table alone
    assert "unrelated" in inspect(store.engine).get_table_names()
    with store.engine.connect() as connection:
        stamped = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        assert set(stamped) == migration_heads()
    store.dispose()
