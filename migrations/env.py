"""Alembic environment: runs against the engine or connection the store hands over."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection

import auditor.store.models  # noqa: F401  (registers every table on the metadata)
from auditor.store.base import Base

target_metadata = Base.metadata


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    # Tables we do not declare (the scheduler's job store) are not ours to migrate.
    return not (type_ == "table" and reflected and compare_to is None)


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    with context.config.attributes["engine"].connect() as new_connection:
        run(new_connection)
        new_connection.commit()
