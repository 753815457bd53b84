"""Imports every table module so the metadata is complete (Alembic and tests use this)."""

from auditor.store import lock_rows, notifications, resources, scans

__all__ = ["lock_rows", "notifications", "resources", "scans"]
