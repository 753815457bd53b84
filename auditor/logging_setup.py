"""Logging for long-running commands: JSON lines when stdout is not a terminal, text otherwise."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

# Attributes every LogRecord has; anything else was passed with ``extra=`` and is logged too.
_STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "taskName",
}


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, extra fields, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(
    level: int = logging.INFO, *, stream: TextIO | None = None, json_lines: bool | None = None
) -> None:
    """Send every log record to ``stream`` (stdout), as JSON lines unless it is a terminal."""
    target = stream or sys.stdout
    as_json = json_lines if json_lines is not None else not target.isatty()
    handler = logging.StreamHandler(target)
    handler.setFormatter(
        JsonLinesFormatter()
        if as_json
        else logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    # APScheduler logs every job start and end at INFO, botocore every credential lookup
    # ("Found credentials in environment variables"); ours already says what matters.
    for chatty in ("apscheduler", "botocore", "aiobotocore", "urllib3"):
        logging.getLogger(chatty).setLevel(max(level, logging.WARNING))
