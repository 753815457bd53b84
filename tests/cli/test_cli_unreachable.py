"""#11 item 6 through the CLI: an endpoint that refuses connections is one line, a failed scan.

That it gives up after CONNECTION_ATTEMPTS attempts however many throttling may use is counted
in tests/collectors/test_retries.py (never timed).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

from auditor.store import reads
from auditor.store.database import open_store
from tests.cli.test_cli_scan import ACCOUNT, run_auditor


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_endpoint_is_one_line_after_the_connection_attempts(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    env = dict(os.environ)
    env.update(AWS_ENDPOINT_URL=f"http://127.0.0.1:{_closed_port()}", AUDITOR_DATABASE_URL=url)
    env.pop("AUDITOR_CONFIG", None)
    result = run_auditor(
        "scan",
        "--account",
        ACCOUNT,
        "--region",
        "us-east-1",
        "--no-progress",
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "Could not connect" in line]
    assert len(errors) == 1, result.stderr
    store = open_store(url)
    with store.session() as session:
        (scan,) = reads.latest_scans(session)
        assert scan.status == "failed"
        assert "Could not connect" in (scan.error or "")
    store.dispose()
