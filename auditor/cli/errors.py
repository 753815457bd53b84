"""Errors the CLI turns into one line on stderr and an exit code."""

from __future__ import annotations


class UsageError(Exception):
    """Bad flags, config or input: one line on stderr, exit 2."""


EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INCOMPLETE = 3
