"""Runs (#10 item 3): one `auditor scan` of many accounts is a run, and the CLI works with it
as one: the summary names it, `scans` lists it, `report --run` renders it with each account
against its own previous scan, and `notify slack|email --run` sends one message for it."""

from __future__ import annotations

import json
import re
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from tests.cli.receivers import notify_env, slack_receiver, smtp_receiver
from tests.cli.test_cli_scan import ACCOUNT, auditor_env, run_auditor, seed_small_estate
from tests.conftest import MotoServer

OTHER = "111111111111"  # reached by assuming a role (moto accepts any)
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def _scan_run(env: dict[str, str], cwd: Path) -> str:
    """Scan both accounts as one run; the run ID the summary names."""
    result = run_auditor(
        "scan", "-a", ACCOUNT, "-a", OTHER, "-r", "us-east-1", "--fail-on", "none",
        env=env, cwd=cwd,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    plain = " ".join(result.stderr.split())
    [run_id] = re.findall(rf"Run: ({UUID}) \(2 accounts\)", plain)
    assert f"auditor report --run {run_id} " in plain  # the next step names the run
    return run_id


def _another_private_task(boto3_client: Any) -> None:
    """A second task in the NAT-less private subnet: a new FAIL in ACCOUNT only."""
    ec2, ecs = boto3_client("ec2"), boto3_client("ecs")
    [subnet] = ec2.describe_subnets(Filters=[{"Name": "cidr-block", "Values": ["10.0.2.0/24"]}])[
        "Subnets"
    ]
    [group] = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["web"]}])[
        "SecurityGroups"
    ]
    ecs.run_task(
        cluster="shop",
        taskDefinition="web",
        launchType="FARGATE",
        platformVersion="1.4.0",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": [subnet["SubnetId"]],
                "securityGroups": [group["GroupId"]],
                "assignPublicIp": "ENABLED",
            }
        },
    )


def _body(message: Message) -> str:
    parts = [p.get_payload(decode=True) for p in message.walk() if not p.is_multipart()]
    return "\n".join(p.decode() for p in parts if isinstance(p, bytes))


@pytest.mark.slow
def test_a_run_is_listed_reported_and_notified_as_one(
    moto: MotoServer, boto3_client: Any, tmp_path: Path
) -> None:
    seed_small_estate(boto3_client)
    env = auditor_env(moto, f"sqlite:///{tmp_path / 'a.db'}")
    first = _scan_run(env, tmp_path)
    _another_private_task(boto3_client)
    second = _scan_run(env, tmp_path)
    assert first != second

    listing = run_auditor("scans", env=env, cwd=tmp_path)
    assert listing.returncode == 0, listing.stderr
    rows = [line.split() for line in listing.stdout.splitlines() if re.match(UUID, line)]
    assert sorted((row[1], row[2]) for row in rows) == sorted(
        (run, account) for run in (first, second) for account in (ACCOUNT, OTHER)
    )
    first_scans = {row[2]: row[0] for row in rows if row[1] == first}

    # `scans --run` lists one run's scans: by prefix, by 'latest', narrowed by --account.
    of_first = run_auditor("scans", "--run", first[:8], env=env, cwd=tmp_path)
    assert of_first.returncode == 0, of_first.stderr
    listed = [line.split() for line in of_first.stdout.splitlines() if re.match(UUID, line)]
    assert sorted((row[0], row[1], row[2]) for row in listed) == sorted(
        (scan_id, first, account) for account, scan_id in first_scans.items()
    )
    latest = run_auditor("scans", "--run", "latest", "-a", OTHER, env=env, cwd=tmp_path)
    assert latest.returncode == 0, latest.stderr
    listed = [line.split() for line in latest.stdout.splitlines() if re.match(UUID, line)]
    assert [(row[1], row[2]) for row in listed] == [(second, OTHER)]
    for bad, says in (
        ("not-a-run!", "malformed run ID 'not-a-run!'"),
        ("feedface", "no run with id 'feedface' in the store"),
        ("ab", "give at least 4 characters"),
    ):
        refused = run_auditor("scans", "--run", bad, env=env, cwd=tmp_path)
        assert refused.returncode == 2, refused.stderr
        assert says in refused.stderr and "Traceback" not in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr

    # One document for the run: each account against its own previous scan (the first run's).
    report = run_auditor("report", "--run", "latest", "-o", "-", env=env, cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    document = json.loads(report.stdout)
    accounts = {a["account_id"]: a for a in document["run"]["accounts"]}
    assert document["run"]["id"] == second and set(accounts) == {ACCOUNT, OTHER}
    assert {a: accounts[a]["baseline_scan_id"] for a in accounts} == first_scans
    assert accounts[ACCOUNT]["new_failures"] >= 1 and accounts[OTHER]["new_failures"] == 0
    assert {s["run_id"] for s in document["scans"]} == {second}
    order = [f["account_id"] for f in document["findings"]]
    assert order == sorted(order)  # grouped by account

    html = tmp_path / "run.html"
    rendered = run_auditor(
        "report", "--run", second[:8], "-f", "html", "-o", str(html), env=env, cwd=tmp_path
    )
    assert rendered.returncode == 0, rendered.stderr
    page = html.read_text()
    assert f"run {second}" in page and 'id="accounts"' in page
    for account in (ACCOUNT, OTHER):
        assert f'id="account-{account}"' in page
        assert first_scans[account] in page  # "compared with" its own baseline

    both = run_auditor(
        "report", "--run", "latest", "--scan", "latest", "-o", "-", env=env, cwd=tmp_path
    )
    assert both.returncode == 2 and "not both" in both.stderr
    unknown = run_auditor("report", "--run", "feedface", "-o", "-", env=env, cwd=tmp_path)
    assert unknown.returncode == 2 and "no run with id 'feedface'" in unknown.stderr

    with slack_receiver() as slack, smtp_receiver() as smtp:
        notified = dict(env, **notify_env(slack, smtp))
        posted = run_auditor("notify", "slack", "--run", "latest", env=notified, cwd=tmp_path)
        assert posted.returncode == 0, posted.stderr
        again = run_auditor("notify", "slack", "--run", second, env=notified, cwd=tmp_path)
        assert again.returncode == 0 and "already posted" in again.stderr
        mailed = run_auditor("notify", "email", "--run", "latest", env=notified, cwd=tmp_path)
        assert mailed.returncode == 0, mailed.stderr
        messages, emails = list(slack.messages), list(smtp.messages)

    [message] = messages  # one message for the run, posted once
    text = json.dumps(message)
    assert second in text and f"*Account `{ACCOUNT}`*" in text
    assert "Nothing changed in 1 account" in text and OTHER in text
    assert "--run" in text  # where the run's full report is

    [envelope] = emails
    mail = message_from_bytes(envelope.content)
    assert f"run {second[:8]}" in str(mail["Subject"])
    body = _body(mail)
    assert f"Run {second}" in body
    for account in (ACCOUNT, OTHER):
        assert f'data-account="{account}"' in body and f"- {account} (" in body
    attachment = next(p for p in mail.walk() if p.get_filename())
    report_page = attachment.get_payload(decode=True)
    assert isinstance(report_page, bytes) and b'id="accounts"' in report_page
