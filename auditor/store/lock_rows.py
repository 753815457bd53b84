"""The lock rows `serve` uses on databases without advisory locks (SQLite)."""

from __future__ import annotations

from sqlalchemy import Column, String, Table

from auditor.store.base import Base, UtcDateTime

# One row per held lock (an account ID, or "scheduler" for the leader); an expired row is free.
lock_table = Table(
    "auditor_locks",
    Base.metadata,
    Column("name", String(64), primary_key=True),
    Column("owner", String(255), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
)
