"""Named locks across processes sharing one database: one scan per account, one scheduler.

A lock's name is an account ID, or a word such as ``scheduler``. PostgreSQL: session-level
advisory locks on one dedicated connection, released by the server if the process dies. Other
databases (SQLite): a row per held lock with an expiry that the holder keeps pushing forward,
so a killed process holds a lock for one TTL at most.
"""

from __future__ import annotations

import threading
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    delete,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from auditor.processes import this_process
from auditor.store.lock_rows import lock_table

# High bits of every advisory-lock key, so ours do not collide with other applications';
# account IDs (12 digits) fit in the low 40 bits, other names are hashed into a second space.
_ADVISORY_NAMESPACE = 0x4155 << 40
_ADVISORY_NAMED = 0x4156 << 40
DEFAULT_TTL = timedelta(minutes=15)


def default_owner() -> str:
    return this_process()


class Locks(ABC):
    """Non-blocking named locks (account IDs and the like) owned by this process."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self._held: set[str] = set()
        self._mutex = threading.Lock()

    @property
    def held(self) -> frozenset[str]:
        return frozenset(self._held)

    def acquire(self, names: Iterable[str]) -> list[str]:
        """Lock every free name among ``names``; return those now held, in order."""
        acquired = []
        with self._mutex:
            for name in names:
                if name not in self._held and self._try_lock(name):
                    self._held.add(name)
                    acquired.append(name)
        return acquired

    def release(self, names: Iterable[str]) -> None:
        with self._mutex:
            for name in names:
                if name in self._held:
                    self._unlock(name)
                    self._held.discard(name)

    def refresh(self) -> None:  # noqa: B027  (a no-op where the database ties locks to the connection)
        """Keep held locks alive."""

    def close(self) -> None:
        self.release(list(self._held))

    @abstractmethod
    def _try_lock(self, name: str) -> bool: ...

    @abstractmethod
    def _unlock(self, name: str) -> None: ...


class AdvisoryLocks(Locks):
    """PostgreSQL session-level advisory locks."""

    def __init__(self, engine: Engine, owner: str) -> None:
        super().__init__(owner)
        self._engine = engine
        self._connection: Connection | None = None

    def _session(self) -> Connection:
        if self._connection is None or self._connection.closed:
            self._connection = self._engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            )
        return self._connection

    @staticmethod
    def _key(name: str) -> int:
        if name.isdigit() and len(name) == 12:
            return _ADVISORY_NAMESPACE | int(name)
        return _ADVISORY_NAMED | zlib.crc32(name.encode())

    def _try_lock(self, name: str) -> bool:
        statement = text("SELECT pg_try_advisory_lock(:key)")
        return bool(self._session().execute(statement, {"key": self._key(name)}).scalar())

    def _unlock(self, name: str) -> None:
        statement = text("SELECT pg_advisory_unlock(:key)")
        self._session().execute(statement, {"key": self._key(name)})

    def close(self) -> None:
        super().close()
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class RowLocks(Locks):
    """A lock row per account with an expiry, for databases without advisory locks."""

    def __init__(self, engine: Engine, owner: str, ttl: timedelta = DEFAULT_TTL) -> None:
        super().__init__(owner)
        self._engine = engine
        self._ttl = ttl

    def _try_lock(self, name: str) -> bool:
        now = datetime.now(UTC)
        row = lock_table.c
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    delete(lock_table).where(and_(row.name == name, row.expires_at < now))
                )
                connection.execute(
                    insert(lock_table).values(
                        name=name, owner=self.owner, expires_at=now + self._ttl
                    )
                )
        except IntegrityError:
            return False
        return True

    def _unlock(self, name: str) -> None:
        row = lock_table.c
        with self._engine.begin() as connection:
            connection.execute(
                delete(lock_table).where(and_(row.name == name, row.owner == self.owner))
            )

    def refresh(self) -> None:
        with self._mutex:
            held = list(self._held)
        if not held:
            return
        row = lock_table.c
        with self._engine.begin() as connection:
            connection.execute(
                update(lock_table)
                .where(and_(row.name.in_(held), row.owner == self.owner))
                .values(expires_at=datetime.now(UTC) + self._ttl)
            )

    def holders(self) -> dict[str, str]:
        """Lock name → owner of every unexpired lock row (for diagnostics and tests)."""
        row = lock_table.c
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(row.name, row.owner).where(row.expires_at >= datetime.now(UTC))
            )
            return {str(name): str(owner) for name, owner in rows}


def open_locks(engine: Engine, owner: str | None = None) -> Locks:
    """Account locks for this database, owned by ``owner`` (host:pid by default)."""
    who = owner or default_owner()
    if engine.dialect.name == "postgresql":
        return AdvisoryLocks(engine, who)
    return RowLocks(engine, who)
