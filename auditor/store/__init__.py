"""Persistence: every scan is a snapshot of typed tables in SQLite or PostgreSQL."""
