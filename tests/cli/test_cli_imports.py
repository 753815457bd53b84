"""The import budget of `auditor --version` and `--help`: counted in modules, never timed.

Start-up time is measured by bench/bench_scan.py; this guards what makes it, the modules the
process loads before it can answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.cli import LAZY_COMMANDS, load_command
from tests.loopback import loopback_sts

# Packages only the commands that use them may load.
HEAVY = ("aiobotocore", "botocore", "sqlalchemy", "alembic", "jinja2", "moto", "checks")
HEAVY += ("collectors", "pydantic", "aiohttp", "apscheduler", "psycopg", "yaml")

_PROBE = """
import contextlib, io, json, sys
sys.argv = ["auditor", *json.loads(sys.argv[1])]
from auditor.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main()
print(json.dumps(sorted(sys.modules)))
"""


def modules_loaded_by(*args: str) -> list[str]:
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded: list[str] = json.loads(completed.stdout.splitlines()[-1])
    return loaded


@pytest.mark.parametrize(
    ("args", "budget"),
    [
        (("--version",), 170),  # Python itself + Typer: 148 today
        (("--help",), 340),  # + rich, which renders the help page: 323 today
    ],
)
def test_version_and_help_load_no_heavy_package(args: tuple[str, ...], budget: int) -> None:
    loaded = modules_loaded_by(*args)
    heavy = sorted({m for m in loaded if m.split(".")[0] in HEAVY})
    assert heavy == [], f"`auditor {' '.join(args)}` imports {heavy}"
    assert len(loaded) <= budget, f"`auditor {' '.join(args)}` loads {len(loaded)} modules"


def test_help_lists_every_command_without_importing_it() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", "from auditor.cli import main; main()", "--help"],
        capture_output=True,
        text=True,
        check=False,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == 0, completed.stderr
    for name, (_, _, help_line) in LAZY_COMMANDS.items():
        assert f"{name} " in completed.stdout
        assert help_line in completed.stdout


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_the_help_line_is_the_commands_own(name: str) -> None:
    """The line --help shows without importing a command is its docstring's first line."""
    command = load_command(name)
    assert command.name == name
    own = " ".join((command.help or "").split("\n\n")[0].split())
    assert own == LAZY_COMMANDS[name][2]


_FIRST_CALL_PROBE = """
import json, sys
import auditor.caller_prefetch as prefetch
real = prefetch.prefetch_caller
seen = {}
def prefetch_caller(settings, then=None):
    sent = real(settings)  # returns once the request has left (nothing to send after it)
    seen["sent"] = sent.is_set()
    seen["modules"] = sorted(sys.modules)
    raise SystemExit(0)
prefetch.prefetch_caller = prefetch_caller
sys.argv = ["auditor", "scan", "--account", "123456789012", "--region", "us-east-1"]
from auditor.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(seen))
"""

# What the store, the collectors, the checks and the renderers need, and what the scan's own
# (async) clients need: none of it before the first AWS call of a one-account scan
# (`auditor scan --account ...`) leaves.
NOT_BEFORE_THE_FIRST_CALL = ("sqlalchemy", "alembic", "jinja2", "checks", "collectors", "rich")
NOT_BEFORE_THE_FIRST_CALL += ("aiobotocore", "aiohttp")


@pytest.fixture
def withholding_endpoint() -> Iterator[tuple[str, threading.Event]]:
    """A loopback endpoint that takes a request and never answers it while the test runs."""
    arrived, release = threading.Event(), threading.Event()

    def never_answer(_: bytes) -> None:
        arrived.set()
        release.wait(60)

    with loopback_sts(never_answer) as endpoint:
        try:
            yield endpoint, arrived
        finally:
            release.set()


def test_a_scan_sends_its_first_call_before_loading_aiobotocore_the_store_or_checks(
    withholding_endpoint: tuple[str, threading.Event], tmp_path: Path
) -> None:
    url, arrived = withholding_endpoint
    env = {**os.environ, "AWS_ENDPOINT_URL": url}
    completed = subprocess.run(
        [sys.executable, "-c", _FIRST_CALL_PROBE],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tmp_path,
    )
    seen = json.loads(completed.stdout.splitlines()[-1])
    assert seen, f"the scan never asked who it is: {completed.stderr[-2000:]}"
    assert seen["sent"], "prefetch_caller returned before its request left"
    assert arrived.is_set(), "the request never reached the endpoint"
    loaded = seen["modules"]
    early = sorted({m for m in loaded if m.split(".")[0] in NOT_BEFORE_THE_FIRST_CALL})
    assert early == [], f"loaded before the first AWS call: {early}"
    assert "auditor.store.resources" not in loaded
    assert "auditor.aws" not in loaded
    assert len(loaded) <= 560, f"{len(loaded)} modules before the first AWS call (516 today)"
