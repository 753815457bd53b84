"""Log records of one-shot commands: one line each on stderr, never a traceback.

`serve` replaces this with structured logging (auditor.logging_setup); AUDITOR_DEBUG=1 keeps
tracebacks for debugging.
"""

from __future__ import annotations

import logging
import os
import sys


class OneLineFormatter(logging.Formatter):
    """``auditor: warning: message``, with the exception's first line instead of a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        line = f"auditor: {record.levelname.lower()}: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            first = (str(error).strip().splitlines() or [type(error).__name__])[0]
            line += f" ({type(error).__name__}: {first})"
        return " ".join(line.split())


def log_warnings_in_one_line(level: int = logging.WARNING) -> None:
    """Warnings and errors of every logger as one line each on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    if not os.environ.get("AUDITOR_DEBUG"):
        handler.setFormatter(OneLineFormatter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
