"""Imports every table module so the metadata is complete (Alembic and tests use this)."""

from auditor.store import resources, scans

__all__ = ["resources", "scans"]
