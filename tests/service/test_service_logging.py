"""Logs of `auditor serve`: JSON lines when stdout is not a terminal, text on a terminal."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from auditor.logging_setup import configure_logging


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_json_lines_when_not_a_terminal() -> None:
    stream = io.StringIO()
    configure_logging(stream=stream)
    log = logging.getLogger("auditor.test")
    log.info("scan of %s %s", "123456789012", "complete", extra={"scan_id": "abc"})
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("job failed")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert {k: first[k] for k in ("level", "logger", "message", "scan_id")} == {
        "level": "info",
        "logger": "auditor.test",
        "message": "scan of 123456789012 complete",
        "scan_id": "abc",
    }
    assert first["time"].endswith("+00:00")
    assert (second["level"], second["message"]) == ("error", "job failed")
    assert "ValueError: boom" in second["exception"]


def test_text_on_a_terminal() -> None:
    stream = Terminal()
    configure_logging(stream=stream)
    logging.getLogger("auditor.test").warning("account %s skipped", "123456789012")
    line = stream.getvalue().strip()
    assert line.endswith("WARNING auditor.test: account 123456789012 skipped")
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


def test_apscheduler_chatter_is_quiet() -> None:
    stream = io.StringIO()
    configure_logging(stream=stream)
    logging.getLogger("apscheduler.executors.default").info("Running job ...")
    assert stream.getvalue() == ""
