"""Checks on task definitions."""
