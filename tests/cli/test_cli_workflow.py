"""Working with scans from the CLI: flags, listing, deleting, the summary and the table."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_cli_scan import ACCOUNT, auditor_env, run_auditor, seed_small_estate
from tests.conftest import MotoServer

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@pytest.fixture
def scanned(moto: MotoServer, boto3_client: Any, tmp_path: Path) -> dict[str, Any]:
    """One scan of the small estate (a FAIL of image-pull-path among others)."""
    seed_small_estate(boto3_client)
    env = auditor_env(moto, f"sqlite:///{tmp_path / 'a.db'}")
    env.update(FORCE_COLOR="1", COLUMNS="80")  # a terminal: the progress display draws
    result = run_auditor("scan", "-a", ACCOUNT, "-r", "us-east-1", env=env, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    env.pop("FORCE_COLOR")
    return {"env": env, "stderr": result.stderr}


@pytest.mark.slow
def test_summary_progress_listing_prefix_table_and_delete(
    scanned: dict[str, Any], tmp_path: Path
) -> None:
    env, stderr = scanned["env"], scanned["stderr"]
    plain = ANSI.sub("", stderr)
    # 13: the live figure is the account's running total, never a sum of running totals.
    total = int(re.findall(r"API calls: (\d+)", plain)[-1])
    live = [int(n) for n in re.findall(r"(\d+) API calls", plain)]
    assert live and max(live) <= total, (live, total)
    assert "of 1 regions" in plain
    progress_lines = [line for line in plain.splitlines() if "API calls" in line]
    assert all(len(line.rstrip()) <= 80 for line in progress_lines), progress_lines

    # 11/12: the summary names what to act on, with whole IDs and the next command.
    [scan_id] = re.findall(r"--scan (\S+) ", plain)  # the next step names it
    assert UUID.fullmatch(scan_id)
    assert any(scan_id in line for line in plain.splitlines())  # the table prints it whole
    assert "Act on first" in plain and "image-pull-path" in plain
    assert "auditor report" in plain

    listing = run_auditor("scans", env=env, cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert scan_id in listing.stdout and ACCOUNT in listing.stdout
    assert "complete" in listing.stdout

    table = run_auditor(
        "report",
        "--scan",
        scan_id[:8],
        "-f",
        "table",
        "--status",
        "fail",
        "--severity",
        "high",
        env=env,
        cwd=tmp_path,
    )
    assert table.returncode == 0, table.stderr
    assert "image-pull-path" in table.stdout
    assert "PASS" not in table.stdout and "UNKNOWN" not in table.stdout

    narrowed = run_auditor(
        "report",
        "--scan",
        scan_id[:8],
        "--check",
        "image-pull-path",
        "-o",
        "-",
        env=env,
        cwd=tmp_path,
    )
    assert narrowed.returncode == 0, narrowed.stderr
    checks = {f["check_id"] for f in json.loads(narrowed.stdout)["findings"]}
    assert checks == {"image-pull-path"}

    deleted = run_auditor("db", "delete", "--scan", scan_id[:8], env=env, cwd=tmp_path)
    assert deleted.returncode == 0, deleted.stderr
    assert scan_id in deleted.stdout
    after = run_auditor("scans", env=env, cwd=tmp_path)
    assert scan_id not in after.stdout


@pytest.mark.slow
def test_scan_flags_check_quiet_no_color_mutelist_profile(
    moto: MotoServer, boto3_client: Any, tmp_path: Path
) -> None:
    seed_small_estate(boto3_client)
    env = auditor_env(moto, f"sqlite:///{tmp_path / 'a.db'}")
    base = ("scan", "-a", ACCOUNT, "-r", "us-east-1")

    only = run_auditor(*base, "--check", "image-pull-path", "-o", "-", "-q", env=env, cwd=tmp_path)
    assert only.returncode == 1, only.stderr
    assert only.stderr == ""  # -q: nothing but errors
    assert {f["check_id"] for f in json.loads(only.stdout)["findings"]} == {"image-pull-path"}

    mutes = tmp_path / "mutes.toml"
    mutes.write_text('[[rules]]\ncheck = "*"\nreason = "accepted for the test"\n')
    muted = run_auditor(
        *base,
        "--mutelist",
        str(mutes),
        "--no-color",
        "-o",
        "-",
        env=dict(env, FORCE_COLOR="1"),
        cwd=tmp_path,
    )
    assert muted.returncode == 0, muted.stderr  # every FAIL muted
    assert not re.search(r"\x1b\[[0-9;]*m", muted.stderr)  # no colour or bold
    statuses = {f["status"] for f in json.loads(muted.stdout)["findings"]}
    assert "FAIL" not in statuses and "MUTED" in statuses

    excluded = run_auditor(
        *base, "--exclude-check", "image-pull-path", "-o", "-", "-q", env=env, cwd=tmp_path
    )
    assert "image-pull-path" not in {f["check_id"] for f in json.loads(excluded.stdout)["findings"]}

    unknown = run_auditor(*base, "--check", "no-such-check", env=env, cwd=tmp_path)
    assert unknown.returncode == 2 and "unknown check" in unknown.stderr

    profile = run_auditor(*base, "--profile", "no-such-profile", env=env, cwd=tmp_path)
    assert profile.returncode == 2, profile.stderr
    assert "profile 'no-such-profile'" in profile.stderr

    config = tmp_path / "other.toml"
    config.write_text('regions = ["mars-1"]\n')
    configured = run_auditor("scan", "-a", ACCOUNT, "--config", str(config), env=env, cwd=tmp_path)
    assert configured.returncode == 2 and "mars-1" in configured.stderr
