"""Test-wide fixtures: fake AWS credentials, a network guard, one moto server per session."""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import tempfile
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Fake credentials for the whole run: nothing here may ever sign a request with real ones.
for _name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_CONFIG_FILE"):
    os.environ.pop(_name, None)
os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
os.environ.pop("AUDITOR_DATABASE_URL", None)

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else address
    inet = self.family in (socket.AF_INET, socket.AF_INET6)
    loopback = isinstance(host, str) and (host.startswith("127.") or host in ("::1", "localhost"))
    if inet and not loopback:
        raise RuntimeError(f"test tried to reach {host!r}: only loopback is allowed")
    return _real_connect(self, address)


socket.socket.connect = _loopback_only  # type: ignore[method-assign]


class MotoServer:
    """A moto server on loopback, shared by the session and reset between tests."""

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self._server.stop()

    def _post(self, path: str, body: dict[str, Any] | None = None) -> None:
        data = json.dumps(body or {}).encode()
        request = urllib.request.Request(self.url + path, data=data, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def reset(self) -> None:
        self._post("/moto-api/reset")
        # Keep ECS tasks where the seeding put them: by default every DescribeTasks moves a
        # task one state towards STOPPED.
        self._post(
            "/moto-api/state-manager/set-transition",
            {
                "model_name": "ecs::task",
                "transition": {"progression": "manual", "times": 1_000_000_000},
            },
        )


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    server = MotoServer()
    previous = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = server.url
    try:
        yield server
    finally:
        if previous is None:
            os.environ.pop("AWS_ENDPOINT_URL", None)
        else:
            os.environ["AWS_ENDPOINT_URL"] = previous
        server.stop()


@pytest.fixture
def moto(moto_server: MotoServer) -> MotoServer:
    """A clean moto server for one test."""
    moto_server.reset()
    return moto_server


@pytest.fixture
def boto3_client(moto: MotoServer) -> Any:
    """Factory for plain boto3 clients aimed at the moto server (for seeding)."""
    import boto3

    def make(service: str, region: str = "us-east-1", **kwargs: Any) -> Any:
        return boto3.client(service, region_name=region, endpoint_url=moto.url, **kwargs)

    return make


# ---------------------------------------------------------------------------- PostgreSQL

PG_BIN = Path("/usr/lib/postgresql/15/bin")


class PostgresCluster:
    """A throwaway PostgreSQL 15 cluster on loopback, owned by the ``postgres`` OS user."""

    def __init__(self, base: Path) -> None:
        self.data = base / "data"
        self.sockets = base / "sockets"
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        for folder in (base, self.sockets):
            folder.mkdir(parents=True, exist_ok=True)
        self._as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self._as_user:
            shutil.chown(base, "postgres")
            shutil.chown(self.sockets, "postgres")
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
        )
        self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-w",
            "-l",
            str(base / "log"),
            "-o",
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )
        self._counter = 0

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as_user, *args], check=True, capture_output=True, timeout=120)

    def new_database(self) -> str:
        import psycopg

        self._counter += 1
        name = f"auditor_test_{self._counter}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")


@pytest.fixture(scope="session")
def postgres_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresCluster]:
    """Skips locally when PostgreSQL cannot start; in CI (CI=true) that is a failure."""
    base = Path(tempfile.mkdtemp(prefix="auditor-pg-"))
    try:
        cluster = PostgresCluster(base)
    except (OSError, subprocess.SubprocessError) as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL 15 could not start in CI: {exc}")
        pytest.skip(f"PostgreSQL 15 not available here: {exc}")
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """A URL to a fresh, empty PostgreSQL database."""
    return postgres_cluster.new_database()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Runs a test once on a SQLite file and once on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'auditor.db'}"
    return str(request.getfixturevalue("postgres_url"))
