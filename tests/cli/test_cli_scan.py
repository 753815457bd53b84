"""`auditor scan` end to end, as a user runs it: a subprocess against a moto server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import MotoServer

ACCOUNT = "123456789012"
SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "findings.schema.json"


def seed_small_estate(client: Any) -> dict[str, str]:
    """One VPC with a public subnet, a NAT-less private subnet, and two running tasks."""
    ec2 = client("ec2")
    ecs = client("ecs")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")["Subnet"]["SubnetId"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=table, SubnetId=public)
    group = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ecs.create_cluster(clusterName="shop")
    ecs.register_task_definition(
        family="web",
        networkMode="awsvpc",
        requiresCompatibilities=["FARGATE"],
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "web", "image": "nginx:1.27", "memory": 512}],
    )
    tasks = {}
    for name, subnet in (("public", public), ("private", private)):
        task = ecs.run_task(
            cluster="shop",
            taskDefinition="web",
            launchType="FARGATE",
            platformVersion="1.4.0",
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": [subnet],
                    "securityGroups": [group],
                    "assignPublicIp": "ENABLED",
                }
            },
        )["tasks"][0]
        tasks[name] = task["taskArn"]
        eni = next(
            d["value"]
            for a in task["attachments"]
            if a["type"] == "ElasticNetworkInterface"
            for d in a["details"]
            if d["name"] == "networkInterfaceId"
        )
        if name == "public":  # moto gives task ENIs no public IP: model it with an EIP
            allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
            ec2.associate_address(AllocationId=allocation, NetworkInterfaceId=eni)
    return tasks


def run_auditor(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from auditor.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def auditor_env(moto: MotoServer, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(AWS_ENDPOINT_URL=moto.url, AUDITOR_DATABASE_URL=database_url)
    env.pop("AUDITOR_CONFIG", None)
    return env


@pytest.mark.slow
def test_scan_writes_the_findings_document(
    moto: MotoServer, boto3_client: Any, database_url: str, tmp_path: Path
) -> None:
    tasks = seed_small_estate(boto3_client)
    out = tmp_path / "f.json"
    result = run_auditor(
        "scan",
        "--account",
        ACCOUNT,
        "--region",
        "us-east-1",
        "--format",
        "json",
        "-o",
        str(out),
        env=auditor_env(moto, database_url),
        cwd=tmp_path,
    )
    # moto does not implement CloudTrail LookupEvents: an optional collector, so a warning only.
    assert result.returncode in (0, 1), result.stderr
    document = json.loads(out.read_text())
    jsonschema.validate(document, json.loads(SCHEMA.read_text()))
    assert document["schema_version"] == 1
    scan = document["scan"]
    assert scan["account_id"] == ACCOUNT
    assert scan["regions"] == ["us-east-1"]
    assert scan["status"] == "complete"
    assert scan["api_calls"] > 0
    assert {e["collector"] for e in scan["collection_errors"]} == {"cloudtrail.dhcp_associations"}
    assert {e["severity"] for e in scan["collection_errors"]} == {"warning"}
    pulls = {
        f["resource_id"]: f["status"]
        for f in document["findings"]
        if f["check_id"] == "image-pull-path" and f["resource_type"] == "ecs-task"
    }
    assert pulls == {tasks["public"]: "PASS", tasks["private"]: "FAIL"}
    assert result.returncode == 1  # a high-severity FAIL with the default --fail-on high
    assert "API calls" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--account", "12345"], "invalid AWS account ID '12345'"),
        (["--account", ACCOUNT, "--region", "us-nowhere-1"], "us-nowhere-1"),
        (["--account", ACCOUNT, "--format", "pdf"], "pdf"),
        (["--frobnicate"], "No such option: --frobnicate"),
        (["--demo", "-f", "json", "-f", "html", "-o", "-"], "takes a single --format"),
        (["--account", ACCOUNT, "--fail-on", "bogus"], "bogus"),
        (["--account", ACCOUNT, "--shard", "3/2"], "i must be between 1 and n (2)"),
        (["--account", ACCOUNT, "--shard", "half"], "invalid --shard 'half'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    moto: MotoServer, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run_auditor(
        "scan", *args, env=auditor_env(moto, f"sqlite:///{tmp_path / 'a.db'}"), cwd=tmp_path
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("AUDITOR_SUPPRESSIONS_FILE", "/nonexistent/mutes.toml", "suppression file not found"),
        ("AUDITOR_REGIONS", '["mars-1"]', "mars-1"),
    ],
)
def test_bad_settings_fail_before_collecting(
    moto: MotoServer, tmp_path: Path, variable: str, value: str, message: str
) -> None:
    env = auditor_env(moto, f"sqlite:///{tmp_path / 'a.db'}")
    env[variable] = value
    result = run_auditor("scan", "--account", ACCOUNT, env=env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_no_credentials_is_one_line_and_exit_2(moto: MotoServer, tmp_path: Path) -> None:
    env = auditor_env(moto, f"sqlite:///{tmp_path / 'a.db'}")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        env.pop(name)
    result = run_auditor(
        "scan", "--account", ACCOUNT, "--region", "us-east-1", env=env, cwd=tmp_path
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "credentials" in result.stderr.lower()


def test_version(tmp_path: Path) -> None:
    result = run_auditor("--version", env=dict(os.environ), cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("auditor ")


@pytest.mark.slow
def test_a_denied_call_makes_the_scan_partial_and_its_checks_unknown(tmp_path: Path) -> None:
    from tests.enforcing import enforcing_moto_server, restricted_user

    with enforcing_moto_server() as url:
        keys = restricted_user(url, ["ec2:DescribeNetworkInterfaces"])
        import boto3

        def client(service: str, region: str = "us-east-1") -> Any:
            return boto3.client(
                service,
                region_name=region,
                endpoint_url=url,
                aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
            )

        tasks = seed_small_estate(client)
        env = dict(os.environ, AWS_ENDPOINT_URL=url, **keys)
        env["AUDITOR_DATABASE_URL"] = f"sqlite:///{tmp_path / 'a.db'}"
        out = tmp_path / "f.json"
        result = run_auditor(
            "scan",
            "--account",
            ACCOUNT,
            "--region",
            "us-east-1",
            "-f",
            "json",
            "-o",
            str(out),
            env=env,
            cwd=tmp_path,
        )
    assert result.returncode == 3, result.stderr
    document = json.loads(out.read_text())
    assert document["scan"]["status"] == "partial"
    errors = {(e["collector"], e["status"]) for e in document["scan"]["collection_errors"]}
    assert ("ec2.network_interfaces", "denied") in errors
    pulls = {
        f["resource_id"]: f["status"]
        for f in document["findings"]
        if f["check_id"] == "image-pull-path" and f["resource_type"] == "ecs-task"
    }
    # Without the ENIs nobody can tell whether a task has a public IP: UNKNOWN, never PASS.
    assert pulls == {tasks["public"]: "UNKNOWN", tasks["private"]: "FAIL"} or pulls == {
        tasks["public"]: "UNKNOWN",
        tasks["private"]: "UNKNOWN",
    }


def test_shards_split_accounts_stably_and_completely() -> None:
    from auditor.cli.scan_flags import Shard

    accounts = [f"{n:012d}" for n in range(100000000000, 100000000000 + 97 * 7919, 7919)]
    shards = [Shard.parse(f"{i}/4").accounts(accounts) for i in range(1, 5)]
    assert sorted(a for shard in shards for a in shard) == sorted(accounts)  # each exactly once
    assert all(15 <= len(shard) <= 35 for shard in shards)
    # By account ID alone: the same account lands in the same shard whatever else is listed.
    assert Shard.parse("2/4").accounts(list(reversed(accounts))) == shards[1][::-1]
    assert Shard.parse("1/1").accounts(accounts) == accounts


@pytest.mark.slow
def test_scan_with_a_shard_scans_only_its_accounts(
    moto: MotoServer, boto3_client: Any, tmp_path: Path
) -> None:
    seed_small_estate(boto3_client)
    others = ["111111111111", "222222222222"]  # 123456789012 % 2 == 0, 111111111111 % 2 == 1
    database = f"sqlite:///{tmp_path / 'a.db'}"
    out = tmp_path / "f.json"
    args = ["--account", ACCOUNT, *[x for a in others for x in ("--account", a)]]
    result = run_auditor(
        "scan",
        *args,
        "--region",
        "us-east-1",
        "--shard",
        "1/2",
        "-o",
        str(out),
        env=auditor_env(moto, database),
        cwd=tmp_path,
    )
    assert result.returncode in (0, 1), result.stderr
    assert "shard 1/2: 2 account(s)" in result.stderr
    scanned = {f["account_id"] for f in json.loads(out.read_text())["findings"]}
    assert ACCOUNT in scanned and "111111111111" not in scanned
    from auditor.store.database import open_store
    from auditor.store.reads import latest_scans

    store = open_store(database)
    with store.session() as session:
        assert {s.account_id for s in latest_scans(session)} == {ACCOUNT, "222222222222"}
        assert len({s.run_id for s in latest_scans(session)}) == 1
    store.dispose()
