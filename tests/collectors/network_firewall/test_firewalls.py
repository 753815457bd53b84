"""Network Firewall collectors: transforms on documented responses, and collections on moto
(firewalls are moto's own; their endpoints, policies and rule groups are recorded AWS-shaped
documents that auditor.demo.network_firewall serves from the moto server of this process)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from auditor.demo import network_firewall
from auditor.store.resources import (
    NetworkFirewallFirewall,
    NetworkFirewallPolicy,
    NetworkFirewallRuleGroup,
)
from auditor.store.scans import OutcomeStatus
from collectors.network_firewall.firewalls import (
    transform_firewall,
    transform_policy,
    transform_rule_group,
)
from collectors.run import collect_account
from tests.checks.reachability.nfw_documents import (
    POLICY_ARN,
    describe_domain_group,
    describe_firewall,
    describe_policy,
    describe_stateless_group,
    describe_suricata_group,
    group_arn,
    stateless_rule,
)
from tests.collectors.collectors_estate import (
    ACCOUNT_ID,
    REGION,
    Boto3Factory,
    open_moto_account,
    seed_firewall,
)

NAMES = (
    "network_firewall.firewalls",
    "network_firewall.firewall_policies",
    "network_firewall.rule_groups",
)


def test_firewall_transform_reads_endpoints_per_zone() -> None:
    firewall = transform_firewall(describe_firewall(), ACCOUNT_ID, REGION)
    assert (firewall.firewall_name, firewall.vpc_id, firewall.firewall_policy_arn) == (
        "egress",
        "vpc-1",
        POLICY_ARN,
    )
    assert (firewall.status, firewall.sync_state, firewall.subnet_ids) == (
        "READY",
        "IN_SYNC",
        ["subnet-fw"],
    )
    assert firewall.endpoints == [
        {
            "availability_zone": "us-east-1a",
            "subnet_id": "subnet-fw",
            "endpoint_id": "vpce-fw",
            "status": "READY",
        }
    ]


def test_policy_transform_keeps_defaults_order_and_references() -> None:
    policy = transform_policy(
        describe_policy(
            stateless_default="aws:drop",
            fragment_default="aws:pass",
            stateless_groups=[(group_arn("s", "stateless"), 5)],
            stateful_groups=[(group_arn("allow"), 10)],
            rule_order="STRICT_ORDER",
            stateful_defaults=["aws:drop_established"],
            home_net=["10.0.0.0/8"],
        ),
        ACCOUNT_ID,
        REGION,
    )
    assert policy.stateless_default_actions == ["aws:drop"]
    assert policy.stateless_fragment_default_actions == ["aws:pass"]
    assert policy.stateless_rule_groups == [{"arn": group_arn("s", "stateless"), "priority": 5}]
    assert policy.stateful_rule_groups == [
        {"arn": group_arn("allow"), "priority": 10, "override": None}
    ]
    assert (policy.rule_order, policy.stateful_default_actions, policy.home_net) == (
        "STRICT_ORDER",
        ["aws:drop_established"],
        ["10.0.0.0/8"],
    )


def test_rule_group_transforms() -> None:
    domains = transform_rule_group(
        describe_domain_group("allow", [".docker.io"]), ACCOUNT_ID, REGION
    )
    assert domains.domain_list == {
        "targets": [".docker.io"],
        "target_types": ["TLS_SNI", "HTTP_HOST"],
        "generated_rules_type": "ALLOWLIST",
    }
    assert not domains.has_rules_string
    suricata = transform_rule_group(describe_suricata_group("s"), ACCOUNT_ID, REGION)
    assert suricata.has_rules_string and suricata.domain_list is None
    stateless = transform_rule_group(
        describe_stateless_group(
            "fwd",
            [
                stateless_rule(
                    1, "aws:forward_to_sfe", destination_ports=[(443, 443)], protocols=[6]
                )
            ],
        ),
        ACCOUNT_ID,
        REGION,
    )
    assert stateless.stateless_rules == [
        {
            "priority": 1,
            "actions": ["aws:forward_to_sfe"],
            "sources": [],
            "destinations": [],
            "source_ports": [],
            "destination_ports": [[443, 443]],
            "protocols": [6],
            "tcp_flags": False,
        }
    ]


def test_required_fields_fail_loudly() -> None:
    with pytest.raises(KeyError):
        transform_firewall({"Firewall": {"FirewallName": "x"}}, ACCOUNT_ID, REGION)
    with pytest.raises(KeyError):
        transform_policy({"FirewallPolicy": {}}, ACCOUNT_ID, REGION)
    with pytest.raises(KeyError):
        transform_rule_group({"RuleGroup": {}}, ACCOUNT_ID, REGION)


@pytest.fixture
def served(moto: Any) -> Iterator[None]:
    network_firewall.install(moto.port)
    yield
    network_firewall.uninstall(moto.port)


@pytest.mark.asyncio
@pytest.mark.usefixtures("served")
async def test_collects_the_routed_firewall_its_policy_and_rule_groups(
    boto3_client: Boto3Factory,
) -> None:
    seeded = seed_firewall(boto3_client)
    allow = describe_domain_group("allow", [".amazonaws.com"])
    stateless = describe_stateless_group("fwd", [stateless_rule(1, "aws:forward_to_sfe")])
    network_firewall.record(
        ACCOUNT_ID,
        REGION,
        describe_policy(
            stateless_groups=[(stateless["RuleGroupResponse"]["RuleGroupArn"], 1)],
            stateful_groups=[(allow["RuleGroupResponse"]["RuleGroupArn"], None)],
        ),
    )
    network_firewall.record(ACCOUNT_ID, REGION, allow)
    network_firewall.record(ACCOUNT_ID, REGION, stateless)

    account = await open_moto_account()
    collected = await collect_account(account, [REGION], concurrency=4)

    assert {o.collector: o.status for o in collected.outcomes if o.collector in NAMES} == (
        dict.fromkeys(NAMES, OutcomeStatus.OK)
    )
    [firewall] = [r for r in collected.records if isinstance(r, NetworkFirewallFirewall)]
    assert (firewall.firewall_arn, firewall.vpc_id) == (seeded["firewall"], seeded["vpc"])
    assert [e["endpoint_id"] for e in firewall.endpoints] == [seeded["endpoint"]]
    [policy] = [r for r in collected.records if isinstance(r, NetworkFirewallPolicy)]
    assert policy.firewall_policy_arn == POLICY_ARN
    groups = {
        r.rule_group_name for r in collected.records if isinstance(r, NetworkFirewallRuleGroup)
    }
    assert groups == {"allow", "fwd"}
    calls = collected.api_calls
    assert calls[(REGION, "network-firewall", "ListFirewalls")] == 1
    assert calls[(REGION, "network-firewall", "DescribeFirewall")] == 1
    assert calls[(REGION, "network-firewall", "DescribeFirewallPolicy")] == 1
    assert calls[(REGION, "network-firewall", "DescribeRuleGroup")] == 2


@pytest.mark.asyncio
async def test_without_routes_to_endpoints_no_firewall_call_is_made(
    boto3_client: Boto3Factory,
) -> None:
    boto3_client("ec2").create_vpc(CidrBlock="10.9.0.0/16")
    account = await open_moto_account()
    collected = await collect_account(account, [REGION], concurrency=4)
    outcomes = {o.collector: o for o in collected.outcomes if o.collector in NAMES}
    assert {name: o.status for name, o in outcomes.items()} == (
        dict.fromkeys(NAMES, OutcomeStatus.NOT_NEEDED)
    )
    assert "a route to a CIDR targets a VPC endpoint" in str(
        outcomes["network_firewall.firewalls"].error
    )
    assert not [k for k in collected.api_calls if k[1] == "network-firewall"]


@pytest.mark.asyncio
async def test_a_routed_endpoint_that_is_no_firewall_costs_one_list_call(
    boto3_client: Boto3Factory,
) -> None:
    """A route to a Gateway Load Balancer endpoint (no firewall): one ListFirewalls, and the
    policy and rule group collectors are not needed."""
    seed_firewall(boto3_client, with_firewall=False)
    account = await open_moto_account()
    collected = await collect_account(account, [REGION], concurrency=4)
    outcomes = {o.collector: o.status for o in collected.outcomes if o.collector in NAMES}
    assert outcomes == {
        "network_firewall.firewalls": OutcomeStatus.OK,
        "network_firewall.firewall_policies": OutcomeStatus.NOT_NEEDED,
        "network_firewall.rule_groups": OutcomeStatus.NOT_NEEDED,
    }
    assert [k for k in collected.api_calls if k[1] == "network-firewall"] == [
        (REGION, "network-firewall", "ListFirewalls")
    ]


@pytest.mark.asyncio
async def test_policy_moto_cannot_describe_is_a_recorded_failure(
    boto3_client: Boto3Factory,
) -> None:
    """Without the served documents moto fails DescribeFirewallPolicy: the failure is an
    outcome of that collector (and rule groups are skipped), never an empty policy list."""
    seed_firewall(boto3_client)
    account = await open_moto_account()
    collected = await collect_account(account, [REGION], concurrency=4)
    outcomes = {o.collector: o for o in collected.outcomes if o.collector in NAMES}
    assert outcomes["network_firewall.firewalls"].status == OutcomeStatus.OK
    assert outcomes["network_firewall.firewall_policies"].status != OutcomeStatus.OK
    assert outcomes["network_firewall.rule_groups"].error == (
        "skipped: needs network_firewall.firewall_policies"
    )
