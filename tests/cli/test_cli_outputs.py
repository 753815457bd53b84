"""`auditor scan` outputs, exit codes and signals, run as a user runs it (a subprocess)."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.cli.test_cli_scan import ACCOUNT, auditor_env, run_auditor
from tests.conftest import MotoServer

OTHER_ACCOUNT = "111111111111"


def scan(*args: str, moto: MotoServer, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = auditor_env(moto, f"sqlite:///{tmp_path / 'a.db'}")
    return run_auditor(
        "scan", "--account", ACCOUNT, "--region", "us-east-1", *args, env=env, cwd=tmp_path
    )


def scan_rows(database: Path) -> list[tuple[str, str, str | None]]:
    if not database.exists():
        return []
    with sqlite3.connect(database) as connection:
        try:
            return connection.execute("SELECT account_id, status, error FROM scans").fetchall()
        except sqlite3.OperationalError:  # no schema yet
            return []


def test_scan_output_names_its_format_by_suffix_like_report(
    moto: MotoServer, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    by_suffix = scan("-o", str(out / "scan.html"), moto=moto, tmp_path=tmp_path)
    assert by_suffix.returncode in (0, 1), by_suffix.stderr
    assert (out / "scan.html").read_text().startswith("<!DOCTYPE html>")

    no_suffix = scan("-o", str(out / "findings"), moto=moto, tmp_path=tmp_path)
    assert no_suffix.returncode in (0, 1), no_suffix.stderr
    assert json.loads((out / "findings").read_text())["schema_version"] == 1

    several = scan(
        "-f", "html", "-f", "json", "-o", str(out / "both.html"), moto=moto, tmp_path=tmp_path
    )
    assert several.returncode in (0, 1), several.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "both.html",
        "both.json",
        "findings",
        "scan.html",
    ]
    assert json.loads((out / "both.json").read_text())["scan"]["account_id"] == ACCOUNT
    assert f"Wrote {out / 'both.json'}" in " ".join(several.stderr.split())

    # `report -o` follows the same rule.
    env = auditor_env(moto, f"sqlite:///{tmp_path / 'a.db'}")
    report = run_auditor("report", "-o", str(out / "r.csv"), env=env, cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert (out / "r.csv").read_text().startswith("check_id") or "," in (out / "r.csv").read_text()


@pytest.mark.parametrize("target", ["a-file/scan.json", "a-dir"])
def test_an_unwritable_output_fails_before_scanning(
    moto: MotoServer, tmp_path: Path, target: str
) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    (tmp_path / "a-dir").mkdir()
    result = scan("-f", "json", "-o", str(tmp_path / target), moto=moto, tmp_path=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "cannot write" in result.stderr
    assert "internal error" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert scan_rows(tmp_path / "a.db") == []  # nothing was scanned


@pytest.mark.slow
def test_an_unreachable_account_is_a_failed_scan_exit_3(tmp_path: Path) -> None:
    from tests.enforcing import enforcing_moto_server, restricted_user

    with enforcing_moto_server() as url:
        keys = restricted_user(url, ["sts:AssumeRole"])
        env = dict(os.environ, AWS_ENDPOINT_URL=url, **keys)
        env["AUDITOR_DATABASE_URL"] = f"sqlite:///{tmp_path / 'a.db'}"
        alone = run_auditor("scan", "-a", OTHER_ACCOUNT, "-r", "us-east-1", env=env, cwd=tmp_path)
        assert alone.returncode == 3, alone.stderr
        assert "AssumeRole" in alone.stderr
        with_others = run_auditor(
            "scan", "-a", OTHER_ACCOUNT, "-a", ACCOUNT, "-r", "us-east-1", env=env, cwd=tmp_path
        )
        assert with_others.returncode == 3, with_others.stderr
        rejected = run_auditor(
            "scan",
            "-a",
            ACCOUNT,
            "-r",
            "us-east-1",
            env=dict(env, AWS_ACCESS_KEY_ID="AKIANOTAREALKEY00000"),
            cwd=tmp_path,
        )
        assert rejected.returncode == 3, rejected.stderr
        assert "rejected" in rejected.stderr
    statuses = [(account, status) for account, status, _ in scan_rows(tmp_path / "a.db")]
    assert statuses.count((OTHER_ACCOUNT, "failed")) == 2
    assert (ACCOUNT, "failed") in statuses


@contextmanager
def silent_endpoint() -> Iterator[str]:
    """An HTTP endpoint that accepts connections and never answers: a scan hangs in STS."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        server.close()


def test_sigterm_marks_the_scan_failed_and_exits_143(tmp_path: Path) -> None:
    database = tmp_path / "a.db"
    with silent_endpoint() as url:
        env = dict(os.environ, AWS_ENDPOINT_URL=url, AUDITOR_DATABASE_URL=f"sqlite:///{database}")
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from auditor.cli import main; main()",
                "scan",
                "-a",
                ACCOUNT,
                "-r",
                "us-east-1",
                "--no-progress",
            ],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not any(status == "running" for _, status, _ in scan_rows(database)):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the scan never started"
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    assert process.returncode == 143, stderr
    assert "Traceback" not in stderr
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert "SIGTERM" in stderr
    [(account, status, error)] = scan_rows(database)
    assert (account, status) == (ACCOUNT, "failed")
    assert error is not None and "interrupted" in error
