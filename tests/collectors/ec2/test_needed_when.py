"""Collectors run only when routes can lead to what they collect (transit gateway details,
peering connections, VPN gateways), and a skip never stands in for data a path reads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from auditor.engine import scan_accounts
from auditor.store import reads
from auditor.store.database import open_store
from auditor.store.scans import OutcomeStatus
from checks import all_checks
from checks.support import EC2_ROUTE_TABLES
from collectors.calls import Api
from collectors.declaration import Context
from collectors.ec2.route_tables import COLLECTOR as ROUTE_TABLES
from collectors.ec2.route_tables import transform_route_table
from collectors.ec2.transit_gateways import (
    TRANSIT_GATEWAYS,
    WHEN_OWNED,
    WHEN_ROUTED_OR_OWNED,
    transform_transit_gateway,
)
from collectors.registry import COLLECTORS
from collectors.run import _Run, collect_account
from tests.collectors.collectors_estate import (
    ACCOUNT_ID,
    REGION,
    Boto3Factory,
    SeededMotoEstate,
    make_settings,
    open_moto_account,
    seed_estate,
)
from tests.enforcing import enforcing_moto_server, restricted_user

CONDITIONAL = {
    "ec2.transit_gateway_attachments",
    "ec2.transit_gateway_route_tables",
    "ec2.vpc_peering_connections",
    "ec2.vpn_gateways",
    # Network Firewall: only a route to an endpoint leads to a firewall.
    "network_firewall.firewalls",
    "network_firewall.firewall_policies",
    "network_firewall.rule_groups",
}
SKIPPED_OPERATIONS = {
    "DescribeTransitGatewayAttachments",
    "DescribeTransitGatewayVpcAttachments",
    "DescribeTransitGatewayRouteTables",
    "SearchTransitGatewayRoutes",
    "DescribeVpcPeeringConnections",
    "DescribeVpnGateways",
}
OTHER_ACCOUNT = "210987654321"


def without_transit_peering_or_vgw(make: Boto3Factory, estate: SeededMotoEstate) -> None:
    """The seeded estate with its VGW and peering routes and its transit gateway removed."""
    ec2 = make("ec2")
    for destination in ("192.168.0.0/16", "172.31.0.0/16"):
        ec2.delete_route(RouteTableId=estate.route_table_id, DestinationCidrBlock=destination)
    for tgw in ec2.describe_transit_gateways()["TransitGateways"]:
        ec2.delete_transit_gateway(TransitGatewayId=tgw["TransitGatewayId"])


def test_only_the_route_led_collectors_are_conditional() -> None:
    assert {c.name for c in COLLECTORS if c.needed_when} == CONDITIONAL
    # The condition's inputs run first, in the same scope.
    by_name = {c.name: i for i, c in enumerate(COLLECTORS)}
    for collector in COLLECTORS:
        for name in collector.inputs:
            assert by_name[name] < by_name[collector.name]


@pytest.mark.asyncio
async def test_no_route_to_them_makes_none_of_their_calls(
    estate: SeededMotoEstate, boto3_client: Boto3Factory
) -> None:
    without_transit_peering_or_vgw(boto3_client, estate)
    account = await open_moto_account()
    collected = await collect_account(account, [REGION], concurrency=4)

    skipped = {
        o.collector: o.error for o in collected.outcomes if o.status == OutcomeStatus.NOT_NEEDED
    }
    assert skipped == {
        "ec2.transit_gateway_attachments": "not needed: collected only when a route targets a "
        "transit gateway (tgw-) or the account owns one, and nothing here does",
        "ec2.transit_gateway_route_tables": "not needed: collected only when the account owns "
        "a transit gateway (only its owner sees its route tables), and nothing here does",
        "ec2.vpc_peering_connections": "not needed: collected only when a route targets a VPC "
        "peering connection (pcx-), and nothing here does",
        "ec2.vpn_gateways": "not needed: collected only when a route targets a virtual "
        "private gateway (vgw-), and nothing here does",
        "network_firewall.firewalls": "not needed: collected only when a route to a CIDR "
        "targets a VPC endpoint (vpce-), as firewall endpoints are, and nothing here does",
        "network_firewall.firewall_policies": "not needed: its input "
        "network_firewall.firewalls was not needed",
        "network_firewall.rule_groups": "not needed: its input "
        "network_firewall.firewall_policies was not needed",
    }
    sent = {operation for (_, _, operation) in collected.api_calls}
    assert not sent & SKIPPED_OPERATIONS
    # Listing the transit gateways is one call, made everywhere: ownership decides the rest.
    assert collected.api_calls[(REGION, "ec2", "DescribeTransitGateways")] == 1


@pytest.mark.asyncio
async def test_an_owned_transit_gateway_is_collected_without_a_route_to_it(
    estate: SeededMotoEstate, boto3_client: Boto3Factory
) -> None:
    """A network account owning a TGW: workload accounts' routes lead to it, not its own."""
    ec2 = boto3_client("ec2")
    for destination in ("192.168.0.0/16", "172.31.0.0/16"):
        ec2.delete_route(RouteTableId=estate.route_table_id, DestinationCidrBlock=destination)
    account = await open_moto_account()
    collected = await collect_account(account, [REGION], concurrency=4)
    status = {o.collector: o.status for o in collected.outcomes}
    assert status["ec2.transit_gateway_attachments"] == OutcomeStatus.OK
    assert status["ec2.transit_gateway_route_tables"] == OutcomeStatus.OK
    assert collected.api_calls[(REGION, "ec2", "SearchTransitGatewayRoutes")] == 1
    assert status["ec2.vpn_gateways"] == OutcomeStatus.NOT_NEEDED


def condition_context(routes: list[dict[str, Any]], tgw_owner: str) -> Context:
    # DescribeRouteTables and DescribeTransitGateways items as the EC2 API reference shows.
    table = {"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Routes": routes, "Associations": []}
    tgw = {"TransitGatewayId": "tgw-0262a0e521EXAMPLE", "OwnerId": tgw_owner, "State": "available"}
    return Context(
        ACCOUNT_ID,
        REGION,
        Api(None, None),  # type: ignore[arg-type]  # never called: conditions read records
        {
            ROUTE_TABLES.name: [transform_route_table(table, ACCOUNT_ID, REGION)],
            TRANSIT_GATEWAYS.name: [transform_transit_gateway(tgw, ACCOUNT_ID, REGION)],
        },
    )


def test_a_workload_account_routing_to_a_shared_tgw_collects_its_attachments() -> None:
    to_tgw = {"DestinationCidrBlock": "0.0.0.0/0", "TransitGatewayId": "tgw-0262a0e521EXAMPLE"}
    local = {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"}
    shared_and_routed = condition_context([local, to_tgw], tgw_owner=OTHER_ACCOUNT)
    assert WHEN_ROUTED_OR_OWNED.test(shared_and_routed)
    # Its route tables are the owner's: only the owner's scan reads them.
    assert not WHEN_OWNED.test(shared_and_routed)
    assert not WHEN_ROUTED_OR_OWNED.test(condition_context([local], tgw_owner=OTHER_ACCOUNT))
    owned = condition_context([local], tgw_owner=ACCOUNT_ID)
    assert WHEN_ROUTED_OR_OWNED.test(owned) and WHEN_OWNED.test(owned)


def verdicts(url: str) -> list[tuple[str, str, str, str]]:
    store = open_store(url)
    try:
        with store.session() as session:
            (scan,) = reads.latest_scans(session)
            return sorted(
                (f.check_id, f.resource_id, f.status, f.message)
                for f in reads.findings_of(session, [scan.id])
            )
    finally:
        store.dispose()


@pytest.mark.asyncio
async def test_skipping_changes_no_verdict(
    estate: SeededMotoEstate,
    boto3_client: Boto3Factory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    without_transit_peering_or_vgw(boto3_client, estate)
    settings = make_settings()
    urls = {name: f"sqlite:///{tmp_path / name}.db" for name in ("skipping", "everything")}
    await scan_accounts(settings, [ACCOUNT_ID], [REGION], store=open_store(urls["skipping"]))

    async def always_needed(*_: object) -> None:
        return None

    monkeypatch.setattr(_Run, "not_needed", always_needed)
    await scan_accounts(settings, [ACCOUNT_ID], [REGION], store=open_store(urls["everything"]))
    skipping, everything = verdicts(urls["skipping"]), verdicts(urls["everything"])
    assert skipping == everything
    assert {status for _, _, status, _ in skipping} >= {"PASS", "FAIL"}


@pytest.fixture
def enforcing_moto() -> Iterator[str]:
    with enforcing_moto_server() as url:
        yield url


@pytest.mark.asyncio
async def test_denied_route_tables_collect_the_rest_and_no_path_passes(
    enforcing_moto: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    keys = restricted_user(enforcing_moto, ["ec2:DescribeRouteTables"])
    for name, value in keys.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", enforcing_moto)

    seeder = _unrestricted_keys(enforcing_moto, keys)

    def make(service: str, region: str = REGION) -> Any:
        return boto3.client(service, region_name=region, endpoint_url=enforcing_moto, **seeder)

    estate = seed_estate(make)
    without_transit_peering_or_vgw(make, estate)
    url = f"sqlite:///{tmp_path / 'denied'}.db"
    (summary,) = await scan_accounts(make_settings(), [ACCOUNT_ID], [REGION], store=open_store(url))

    store = open_store(url)
    with store.session() as session:
        outcomes = {o.collector: o.status for o in reads.outcomes_of(session, summary.scan_id)}
        findings = reads.findings_of(session, [summary.scan_id])
    store.dispose()
    assert outcomes[EC2_ROUTE_TABLES] == OutcomeStatus.DENIED
    # Nothing can be ruled out without the routes: what routes lead to was collected. TGW
    # route tables depend on owning a TGW alone, and the account owns none.
    assert {name: outcomes[name] for name in CONDITIONAL} == {
        "ec2.transit_gateway_attachments": OutcomeStatus.OK,
        "ec2.vpc_peering_connections": OutcomeStatus.OK,
        "ec2.vpn_gateways": OutcomeStatus.OK,
        "ec2.transit_gateway_route_tables": OutcomeStatus.NOT_NEEDED,
        # Every firewall is listed, and their policies described (none exists).
        "network_firewall.firewalls": OutcomeStatus.OK,
        "network_firewall.firewall_policies": OutcomeStatus.OK,
        "network_firewall.rule_groups": OutcomeStatus.NOT_NEEDED,
    }
    routed = {c.meta.id for c in all_checks() if EC2_ROUTE_TABLES in c.meta.needs}
    assert routed
    on_routes = [f for f in findings if f.check_id in routed]
    assert on_routes
    assert {f.status for f in on_routes} == {"UNKNOWN"}


def _unrestricted_keys(url: str, keys: dict[str, str]) -> dict[str, str]:
    """A second user, allowed everything, to seed the estate (seeding lists route tables)."""
    iam = boto3.client(
        "iam",
        region_name=REGION,
        endpoint_url=url,
        aws_access_key_id=keys["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=keys["AWS_SECRET_ACCESS_KEY"],
    )
    iam.create_user(UserName="seeder")
    iam.put_user_policy(
        UserName="seeder",
        PolicyName="all",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
        '"Action":"*","Resource":"*"}]}',
    )
    key = iam.create_access_key(UserName="seeder")["AccessKey"]
    return {
        "aws_access_key_id": key["AccessKeyId"],
        "aws_secret_access_key": key["SecretAccessKey"],
    }
