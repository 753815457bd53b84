"""Imports every table module so the metadata is complete (Alembic and tests use this)."""

from auditor.store import notifications, resources, scans

__all__ = ["notifications", "resources", "scans"]
