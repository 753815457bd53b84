"""An organization of three accounts scanned in one run, one of them denied: exit 3.

A moto server of its own, in a subprocess, enforces IAM: the caller is an IAM user of the
management account whose policy denies sts:AssumeRole into one member account.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from sqlalchemy import create_engine, select

from auditor.store.scans import Scan
from tests.service.service_support import free_port, wait_for

pytestmark = pytest.mark.slow

MANAGEMENT = "123456789012"
# Requests moto serves before it starts enforcing IAM; the seeding below uses fewer.
FREE_REQUESTS = 40
ADMIN = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}


@dataclass
class Organization:
    endpoint: str
    members: list[str]
    denied: str
    access_key: str
    secret_key: str


def _client(endpoint: str, service: str, **credentials: str) -> Any:
    return boto3.client(
        service,
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id=credentials.get("key", "testing"),
        aws_secret_access_key=credentials.get("secret", "testing"),
        aws_session_token=credentials.get("token"),
    )


def _seed(endpoint: str) -> Organization:
    organizations = _client(endpoint, "organizations")
    organizations.create_organization(FeatureSet="ALL")
    members = [
        organizations.create_account(AccountName=f"member-{n}", Email=f"member-{n}@example.com")[
            "CreateAccountStatus"
        ]["AccountId"]
        for n in range(2)
    ]
    sts = _client(endpoint, "sts")
    for member in members:
        credentials = sts.assume_role(
            RoleArn=f"arn:aws:iam::{member}:role/seed", RoleSessionName="seed"
        )["Credentials"]
        iam = _client(
            endpoint,
            "iam",
            key=credentials["AccessKeyId"],
            secret=credentials["SecretAccessKey"],
            token=credentials["SessionToken"],
        )
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        iam.create_role(RoleName="auditor-readonly", AssumeRolePolicyDocument=json.dumps(trust))
        iam.put_role_policy(
            RoleName="auditor-readonly", PolicyName="admin", PolicyDocument=json.dumps(ADMIN)
        )
    denied = members[1]
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            *ADMIN["Statement"],
            {
                "Effect": "Deny",
                "Action": "sts:AssumeRole",
                "Resource": f"arn:aws:iam::{denied}:role/*",
            },
        ],
    }
    iam = _client(endpoint, "iam")
    iam.create_user(UserName="auditor")
    iam.put_user_policy(UserName="auditor", PolicyName="audit", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="auditor")["AccessKey"]

    # Use up the remaining free requests so that every request from now on is checked.
    def enforcing() -> bool:
        try:
            _client(endpoint, "sts").get_caller_identity()
        except ClientError:
            return True
        return False

    wait_for(enforcing, timeout=30, what="moto to enforce IAM")
    return Organization(endpoint, members, denied, key["AccessKeyId"], key["SecretAccessKey"])


@pytest.fixture
def organization(tmp_path: Path) -> Iterator[Organization]:
    port = free_port()
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": str(FREE_REQUESTS)}
    log = (tmp_path / "moto.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(endpoint), timeout=60, what="the moto server")
        yield _seed(endpoint)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _answers(endpoint: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):
            return True
    except OSError:
        return False


def test_one_denied_member_fails_alone_and_the_run_exits_3(
    organization: Organization, tmp_path: Path
) -> None:
    database = tmp_path / "auditor.db"
    config = tmp_path / "auditor.toml"
    config.write_text(
        f'database_url = "sqlite:///{database}"\n'
        'regions = ["us-east-1"]\n'
        "max_attempts = 2\n"
        "[accounts]\norganization = true\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDITOR_")}
    env.update(
        AUDITOR_CONFIG=str(config),
        AWS_ENDPOINT_URL=organization.endpoint,
        AWS_ACCESS_KEY_ID=organization.access_key,
        AWS_SECRET_ACCESS_KEY=organization.secret_key,
    )
    auditor = Path(sys.executable).parent / "auditor"
    run = subprocess.run(
        [str(auditor), "scan", "--no-progress", "--fail-on", "none"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 3, run.stdout + run.stderr
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        scans = {
            account: (status, error)
            for account, status, error in connection.execute(
                select(Scan.account_id, Scan.status, Scan.error)
            )
        }
    engine.dispose()
    complete = {MANAGEMENT, *organization.members} - {organization.denied}
    assert {account: status for account, (status, _) in scans.items()} == {
        **dict.fromkeys(complete, "complete"),
        organization.denied: "failed",
    }
    error = scans[organization.denied][1] or ""
    assert "AssumeRole" in error
    assert "AccessDenied" in error
    assert organization.denied in run.stdout + run.stderr
