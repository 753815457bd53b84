"""Helpers shared by the service tests: settings, and recording scan and notify stand-ins."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from auditor.config import AccountsSettings, SchedulesSettings, Settings
from auditor.store.database import Store

ACCOUNT_A, ACCOUNT_B = "123456789012", "210987654321"
RUN = "0f8fad5b-d9cb-469f-a165-70867728950e"  # the run every Recorder.scan returns


def service_settings(store: Store, **schedules: Any) -> Settings:
    return Settings(
        database_url=store.url,
        accounts=AccountsSettings(ids=[ACCOUNT_A, ACCOUNT_B]),
        regions=["us-east-1"],
        schedules=SchedulesSettings(**schedules),
    )


@dataclass
class FakeScanSummary:
    scan_id: str
    account_id: str
    status: str
    error: str | None = None
    api_calls: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    run_id: str | None = None
    unscanned_owners: dict[str, str] = field(default_factory=dict)


@dataclass
class Recorder:
    """Stands in for the engine and the notifiers, recording every call in order."""

    calls: list[tuple[Any, ...]] = field(default_factory=list)

    async def scan(
        self,
        settings: Settings,
        account_ids: Sequence[str],
        regions: Sequence[str] | None = None,
        *,
        store: Store,
        trigger: str = "cli",
        max_parallel_accounts: int = 4,
    ) -> list[Any]:
        self.calls.append(("scan", tuple(account_ids), trigger))
        return [FakeScanSummary(f"scan-{a}", a, "complete", run_id=RUN) for a in account_ids]

    def notify(self, channel: str, function: str) -> Any:
        def deliver(store: Store, settings: Settings, *args: Any) -> None:
            self.calls.append((channel, function, *args))

        return deliver


class SlowProxy:
    """An HTTP forwarder on loopback that delays every request, so scans take a while.

    Clearing ``gate`` holds every request until it is set again.
    """

    def __init__(self, target: str, delay: float) -> None:
        parsed = urllib.parse.urlsplit(target)
        host, port, pause = parsed.hostname or "127.0.0.1", parsed.port or 80, delay
        self.gate = gate = threading.Event()
        gate.set()

        class Forward(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

            def _forward(self) -> None:
                gate.wait(timeout=120)
                time.sleep(pause)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                upstream = http.client.HTTPConnection(host, port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                upstream.request(self.command, self.path, body=body, headers=headers)
                response = upstream.getresponse()
                payload = response.read()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in {"transfer-encoding", "connection", "content-length"}:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                upstream.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward  # noqa: N815  (http.server names)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Forward)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# `auditor serve` as its own process, whether or not the root CLI mounts it yet.
SERVE = "import typer; from auditor.cli.serve_cmd import serve_command; typer.run(serve_command)"


class ServeProcess:
    """`auditor serve --run-now` in a subprocess, with /healthz on a free loopback port."""

    def __init__(
        self,
        config: Path,
        endpoint: str,
        log: Path,
        *args: str,
        keep_auditor_env: bool = False,
    ) -> None:
        self.port = free_port()
        self.log = log
        env = (
            dict(os.environ)
            if keep_auditor_env
            else {k: v for k, v in os.environ.items() if not k.startswith("AUDITOR_")}
        )
        if endpoint:
            env["AWS_ENDPOINT_URL"] = endpoint
        command = [
            sys.executable,
            "-c",
            SERVE,
            "--config",
            str(config),
            "--health-host",
            "127.0.0.1",
            "--health-port",
            str(self.port),
            *(args if "--demo" in args else ("--run-now", *args)),
        ]
        self._output = log.open("wb")
        self.process = subprocess.Popen(
            command, env=env, stdout=self._output, stderr=subprocess.STDOUT
        )

    def healthz(self) -> tuple[int, dict[str, Any]] | None:
        url = f"http://127.0.0.1:{self.port}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())
        except OSError:
            return None

    def stop(self, signum: int = signal.SIGTERM) -> tuple[int, float]:
        """Send ``signum``; return the exit code and the seconds it took to exit."""
        started = time.monotonic()
        self.process.send_signal(signum)
        code = self.process.wait(timeout=60)
        self._output.close()
        return code, time.monotonic() - started

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self._output.close()

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def wait_for(condition: Callable[[], Any], timeout: float = 60, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def write_config(path: Path, database_url: str, accounts: Sequence[str]) -> Path:
    """A config whose cron never fires during a test: only --run-now scans."""
    ids = ", ".join(f'"{account}"' for account in accounts)
    path.write_text(
        f'database_url = "{database_url}"\n'
        'regions = ["us-east-1"]\n'
        "max_attempts = 2\n"
        f"[accounts]\nids = [{ids}]\n"
        '[schedules]\nscan = "0 0 1 1 *"\nweekly_email = ""\nprune = ""\n',
        encoding="utf-8",
    )
    return path
