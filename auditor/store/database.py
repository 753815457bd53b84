"""Opening the store: URL resolution, SQLite pragmas, migrations, sessions."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from auditor import __version__, json_codec

if TYPE_CHECKING:
    from alembic.config import Config

# Long enough for a scheduled and a manual scan to take turns writing a scan.
SQLITE_BUSY_TIMEOUT_MS = 60_000
# Any constant works; it only has to be the same for every auditor process.
MIGRATION_LOCK_KEY = 0x61756469


class StoreError(Exception):
    """The store cannot be opened or migrated; the message is one line for the user."""


def default_database_path() -> Path:
    return Path(platformdirs.user_data_dir("auditor", appauthor=False)) / "auditor.db"


def resolve_url(url: str | None) -> tuple[str, Path | None]:
    """The SQLAlchemy URL to use, and the SQLite file when it is the default one."""
    if url:
        return url, None
    path = default_database_path()
    return f"sqlite:///{path}", path


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def parse_database_url(url: str) -> URL:
    """The URL, checked for a backend and driver auditor supports; raises StoreError."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"invalid database URL: {exc}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed
    if backend == "postgresql":
        driver = parsed.drivername.partition("+")[2]
        if driver in ("", "psycopg"):  # plain postgresql:// would mean psycopg2 to SQLAlchemy
            return parsed.set(drivername="postgresql+psycopg")
        raise StoreError(
            f"unsupported PostgreSQL driver in postgresql+{driver}://: "
            "write postgresql+psycopg:// (psycopg 3, the driver auditor ships)"
        )
    raise StoreError(f"unsupported database {backend!r}: use sqlite:/// or postgresql+psycopg://")


def make_engine(url: str) -> Engine:
    parsed = parse_database_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            json_serializer=json_codec.dumps,
            json_deserializer=json_codec.loads,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        parsed,
        pool_pre_ping=True,
        json_serializer=json_codec.dumps,
        json_deserializer=json_codec.loads,
    )


_REVISION = re.compile(r'^revision(?:: str)? = "([0-9a-f]+)"$', re.MULTILINE)
_DOWN_REVISION = re.compile(r'^down_revision(?:: [^=]+)? = "([0-9a-f]+)"$', re.MULTILINE)


@cache
def migration_heads() -> frozenset[str]:
    """The head revisions of migrations/versions, read from the scripts' text.

    Only for telling that a database needs no migration without importing Alembic (a tenth
    of a second at every start). A merge migration (a tuple of down revisions) leaves several
    apparent heads, and then Alembic decides as always.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for script in resources.files("migrations").joinpath("versions").iterdir():
        if script.name.endswith(".py"):
            source = script.read_text(encoding="utf-8")
            revisions.update(_REVISION.findall(source))
            parents.update(_DOWN_REVISION.findall(source))
    return frozenset(revisions - parents)


def _at_head(connection: Connection) -> bool:
    heads = migration_heads()
    if len(heads) != 1:
        return False
    try:
        stamped = set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except DatabaseError:  # no alembic_version table yet: a new database
        connection.rollback()
        return False
    connection.rollback()
    return stamped == heads


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("migrations")))
    config.set_main_option("file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s")
    config.attributes["engine"] = engine
    return config


@dataclass
class Store:
    engine: Engine
    url: str

    def __post_init__(self) -> None:
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (safe to call from several processes)."""
        try:
            with self.engine.connect() as connection:
                if _at_head(connection):
                    return
                if self._create_new(connection):
                    return
        except OperationalError as exc:
            raise StoreError(f"cannot open the database: {_first_line(exc)}") from None
        self._migrate()

    def _create_new(self, connection: Connection) -> bool:
        """A database with no tables at all gets the head schema from the models and is
        stamped at the head, as Alembic's cookbook builds a database from scratch: running
        every migration on an empty SQLite file imported Alembic (with Mako and Pygments)
        and replayed each step, 0.3 to 1 s of a first scan on a loaded machine. The models
        and the migrations agree (``alembic check`` in the migration tests; a test compares
        the two schemas). Anything else, or losing a race with another process creating
        it, goes through the migrations. True when this call created the schema."""
        from sqlalchemy import inspect

        heads = migration_heads()
        if len(heads) != 1 or inspect(connection).get_table_names():
            connection.rollback()
            return False
        connection.rollback()
        import auditor.store.models  # noqa: F401  (registers every table on the metadata)
        from auditor.store.base import Base

        try:
            with connection.begin():
                if self.is_postgresql:  # held until the transaction ends
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                    )
                Base.metadata.create_all(connection, checkfirst=False)
                connection.execute(
                    text(
                        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                        "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
                    )
                )
                connection.execute(
                    text("INSERT INTO alembic_version (version_num) VALUES (:head)"),
                    {"head": next(iter(heads))},
                )
        except DatabaseError:  # another process created tables meanwhile
            return False
        return True

    def _migrate(self) -> None:
        from alembic import command
        from alembic.util.exc import CommandError

        try:
            with self.engine.connect() as connection:
                if self.is_postgresql:
                    connection.execute(
                        text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
                    )
                try:
                    config = alembic_config(self.engine)
                    config.attributes["connection"] = connection
                    command.upgrade(config, "head")
                    connection.commit()
                finally:
                    if self.is_postgresql:
                        connection.execute(
                            text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
                        )
                        connection.commit()
        except OperationalError as exc:
            raise StoreError(f"cannot open the database: {_first_line(exc)}") from None
        except CommandError as exc:
            if "Can't locate revision" not in str(exc):
                raise
            raise StoreError(
                "the database was created by a newer version of auditor (its schema revision "
                f"is unknown to auditor {__version__}): upgrade auditor to use it"
            ) from None

    def dispose(self) -> None:
        self.engine.dispose()


def _first_line(exc: BaseException) -> str:
    message = str(getattr(exc, "orig", None) or exc)
    return message.strip().splitlines()[0] if message.strip() else type(exc).__name__


def open_store(url: str | None, *, upgrade: bool = True) -> Store:
    """Open (and by default migrate) the store; a new default SQLite file is announced."""
    resolved, default_path = resolve_url(url)
    announce = default_path is not None and not default_path.exists()
    store = Store(make_engine(resolved), resolved)
    logging.getLogger("auditor.store").info(
        "store: %s", store.engine.url.render_as_string(hide_password=True)
    )
    if upgrade:
        store.upgrade()
    if announce:
        print(f"auditor: created the database {default_path}", file=sys.stderr)
    return store
