"""The registry's declarations and the IAM policy generated from them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from auditor.aws import enabled_regions
from auditor.cli.iam_cmd import iam_policy_command
from auditor.demo import network_firewall
from collectors.declaration import Scope
from collectors.registry import BY_NAME, COLLECTORS, iam_policy
from collectors.run import collect_account
from tests.checks.reachability.nfw_documents import describe_domain_group, describe_policy
from tests.collectors.collectors_estate import (
    ACCOUNT_ID,
    REGION,
    Boto3Factory,
    SeededMotoEstate,
    open_moto_account,
    seed_firewall,
)

# botocore service name -> IAM action prefix
IAM_PREFIX = {
    "ec2": "ec2",
    "ecs": "ecs",
    "elbv2": "elasticloadbalancing",
    "iam": "iam",
    "sts": "sts",
    "cloudtrail": "cloudtrail",
    "efs": "elasticfilesystem",
    "network-firewall": "network-firewall",
}

# Collector names are public (outcomes, docs, check metadata): added, never renamed or removed.
PUBLISHED_NAMES = {
    "ecs.clusters",
    "ecs.services",
    "ecs.tasks",
    "ecs.task_definitions",
    "ecs.account_settings",
    "ec2.vpcs",
    "ec2.dhcp_options",
    "ec2.subnets",
    "ec2.route_tables",
    "ec2.internet_gateways",
    "ec2.egress_only_internet_gateways",
    "ec2.nat_gateways",
    "ec2.vpc_endpoints",
    "ec2.network_interfaces",
    "ec2.security_groups",
    "ec2.flow_logs",
    "ec2.prefix_lists",
    "efs.file_systems",
    "efs.mount_targets",
    "efs.access_points",
    "elbv2.target_groups",
    "iam.service_linked_role",
    "cloudtrail.dhcp_associations",
    "ec2.network_acls",
    "network_firewall.firewalls",
    "network_firewall.firewall_policies",
    "network_firewall.rule_groups",
}


def test_no_published_collector_name_disappears() -> None:
    assert set(BY_NAME) >= PUBLISHED_NAMES
    assert len(COLLECTORS) == len(BY_NAME)


def test_inputs_are_declared_before_their_users_and_in_the_same_scope() -> None:
    seen: set[str] = set()
    for collector in COLLECTORS:
        for need in collector.needs:
            assert need in seen, f"{collector.name} needs {need}, declared later or unknown"
            assert BY_NAME[need].scope is collector.scope
        seen.add(collector.name)


def test_only_expected_flags() -> None:
    assert {c.name for c in COLLECTORS if c.optional} == {"cloudtrail.dhcp_associations"}
    assert {c.name for c in COLLECTORS if c.scope is Scope.GLOBAL} == {"iam.service_linked_role"}


def test_policy_shape_and_read_only_actions() -> None:
    policy = iam_policy()
    assert policy["Version"] == "2012-10-17"
    assert len(policy["Statement"]) == 1
    statement = policy["Statement"][0]
    actions = statement["Action"]
    assert actions == sorted(set(actions))
    assert (statement["Effect"], statement["Resource"]) == ("Allow", "*")
    # Search* is read-only too (ec2:SearchTransitGatewayRoutes reads one route table).
    assert all(
        action.split(":")[1].startswith(("Describe", "List", "Get", "Lookup", "Search"))
        for action in actions
    )
    assert {
        "sts:GetCallerIdentity",
        "ec2:DescribeRegions",
        "iam:GetRole",
        "cloudtrail:LookupEvents",
    } <= set(actions)


def test_iam_policy_command_prints_the_policy(capsys: pytest.CaptureFixture[str]) -> None:
    iam_policy_command()
    assert json.loads(capsys.readouterr().out) == iam_policy()


@pytest.mark.asyncio
async def test_every_operation_a_collection_sends_is_in_the_policy(
    estate: SeededMotoEstate, boto3_client: Boto3Factory, moto: Any
) -> None:
    # A routed Network Firewall, its policy and a rule group (moto lacks the last two: the
    # demo's AWS-shaped documents are served from this process's moto).
    seed_firewall(boto3_client)
    group = describe_domain_group("allow", [".amazonaws.com"])
    network_firewall.record(
        ACCOUNT_ID,
        REGION,
        describe_policy(stateful_groups=[(group["RuleGroupResponse"]["RuleGroupArn"], None)]),
    )
    network_firewall.record(ACCOUNT_ID, REGION, group)
    network_firewall.install(moto.port)
    try:
        await _collect_and_compare()
    finally:
        network_firewall.uninstall(moto.port)


async def _collect_and_compare() -> None:
    account = await open_moto_account()
    regions = await enabled_regions(account)
    assert REGION in regions
    await collect_account(account, [REGION], concurrency=8)
    sent = {f"{IAM_PREFIX[service]}:{operation}" for (_, service, operation) in account.calls}
    # Nothing sent is missing from the policy, and (the seeded estate reaching every call)
    # nothing in the policy goes unused.
    assert sent == set(iam_policy()["Statement"][0]["Action"])
    declared = {action for c in COLLECTORS for action in c.actions}
    assert declared | {"sts:GetCallerIdentity", "ec2:DescribeRegions"} == set(
        iam_policy()["Statement"][0]["Action"]
    )


def test_docs_show_the_generated_policy() -> None:
    from pathlib import Path

    document = (Path(__file__).parents[2] / "docs" / "iam-policy.md").read_text()
    block = document.split("```json\n", 1)[1].split("```", 1)[0]
    assert json.loads(block) == iam_policy()
