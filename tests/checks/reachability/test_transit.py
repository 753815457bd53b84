"""Central egress through a transit gateway, out and back, on hand-built estates."""

from __future__ import annotations

from typing import Any

from checks.base import Status
from checks.support import EC2_TRANSIT_GATEWAY_ROUTE_TABLES
from tests.checks.checks_factories import (
    DOCKER_HUB,
    InventoryEstate,
    acl_entry,
    all_hops,
    image_pull,
    normalised_route,
    route,
    tgw_route,
)

OTHER_ACCOUNT = "210987654321"


def hub(
    estate: InventoryEstate,
    *,
    spoke_routes: list[dict[str, Any]] | None = None,
    egress_routes: list[dict[str, Any]] | None = None,
    return_route: bool = True,
    spoke_subnets: tuple[str, ...] = ("subnet-tgw",),
) -> None:
    """spoke vpc-1 (task in subnet-1) -> tgw-1 -> egress vpc-egress -> nat-1 -> igw-1."""
    estate.vpc()
    estate.subnet()
    estate.subnet(subnet_id="subnet-tgw", cidr="10.0.255.0/28")
    estate.route_table(subnets=["subnet-1", "subnet-tgw"], routes=[route("0.0.0.0/0", "tgw-1")])
    estate.security_group()
    estate.vpc(vpc_id="vpc-egress", cidr="10.100.0.0/16")
    estate.subnet(subnet_id="subnet-egress-tgw", vpc_id="vpc-egress", cidr="10.100.0.0/28")
    estate.subnet(subnet_id="subnet-egress-pub", vpc_id="vpc-egress", cidr="10.100.1.0/24")
    estate.igw(vpc_id="vpc-egress")
    estate.nat(vpc_id="vpc-egress", subnet_id="subnet-egress-pub")
    estate.route_table(
        route_table_id="rtb-egress-tgw",
        vpc_id="vpc-egress",
        vpc_cidr="10.100.0.0/16",
        subnets=["subnet-egress-tgw"],
        routes=[route("0.0.0.0/0", "nat-1")],
    )
    public_routes = [route("0.0.0.0/0", "igw-1")]
    if return_route:
        public_routes.append(route("10.0.0.0/8", "tgw-1"))
    estate.route_table(
        route_table_id="rtb-egress-pub",
        vpc_id="vpc-egress",
        vpc_cidr="10.100.0.0/16",
        subnets=["subnet-egress-pub"],
        routes=public_routes,
    )
    estate.tgw()
    estate.tgw_attachment(
        attachment_id="tgw-attach-spoke",
        vpc_id="vpc-1",
        subnets=spoke_subnets,
        route_table_id="tgw-rtb-spoke",
    )
    estate.tgw_attachment(
        attachment_id="tgw-attach-egress",
        vpc_id="vpc-egress",
        subnets=["subnet-egress-tgw"],
        route_table_id="tgw-rtb-egress",
        appliance_mode="enable",
    )
    estate.tgw_route_table(
        route_table_id="tgw-rtb-spoke",
        routes=spoke_routes
        if spoke_routes is not None
        else [tgw_route("0.0.0.0/0", "tgw-attach-egress", resource_id="vpc-egress")],
    )
    estate.tgw_route_table(
        route_table_id="tgw-rtb-egress",
        routes=egress_routes
        if egress_routes is not None
        else [
            tgw_route(
                "10.0.0.0/16", "tgw-attach-spoke", route_type="propagated", resource_id="vpc-1"
            )
        ],
    )
    estate.task(definition=estate.task_definition(image=DOCKER_HUB))


def test_working_hub_passes_with_every_hop_in_evidence(estate: InventoryEstate) -> None:
    hub(estate)
    result = image_pull(estate)
    assert result.status is Status.PASS, result.message
    assert "via transit gateway tgw-1 to NAT gateway nat-1 in vpc-egress" in result.message
    steps = [(h["step"], h["id"]) for h in all_hops(result)]
    for expected in [
        ("route", "rtb-1"),
        ("transit-gateway", "tgw-1"),
        ("transit-gateway-attachment", "tgw-attach-spoke"),
        ("transit-gateway-route", "tgw-rtb-spoke"),
        ("transit-gateway-attachment", "tgw-attach-egress"),
        ("route", "rtb-egress-tgw"),
        ("nat-gateway", "nat-1"),
        ("nat-subnet-route", "rtb-egress-pub"),
        ("internet-gateway", "igw-1"),
        ("return-route", "rtb-egress-pub"),
        ("return-route", "tgw-rtb-egress"),
        ("network-acl", "acl-default-vpc-1"),
        ("network-acl", "acl-default-vpc-egress"),
    ]:
        assert expected in steps, expected
    details = " ".join(h["detail"] for h in all_hops(result))
    assert "appliance mode on" in details
    assert "attachment tgw-attach-spoke has subnet subnet-tgw in us-east-1a" in details


def test_hub_without_a_default_route_fails(estate: InventoryEstate) -> None:
    hub(estate, spoke_routes=[tgw_route("10.100.0.0/16", "tgw-attach-egress")])
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert "transit gateway route table tgw-rtb-spoke has no route for 0.0.0.0/0" in (
        result.message
    )
    assert result.root_cause is not None
    assert result.root_cause.kind == "transit-gateway-route"


def test_blackhole_default_route_fails(estate: InventoryEstate) -> None:
    hub(estate, spoke_routes=[tgw_route("0.0.0.0/0", None, state="blackhole")])
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert "routes for 0.0.0.0/0 to a blackhole" in result.message


def test_blackholed_public_half_is_unknown_and_private_blackholes_are_fine(
    estate: InventoryEstate,
) -> None:
    hub(
        estate,
        spoke_routes=[
            tgw_route("0.0.0.0/0", "tgw-attach-egress"),
            tgw_route("0.0.0.0/1", None, state="blackhole"),
        ],
    )
    result = image_pull(estate)
    assert result.status is Status.UNKNOWN
    assert "more specific routes send part of the public address space elsewhere" in (
        result.message
    )
    # The usual design: spoke-to-spoke traffic blackholed, the internet to the egress VPC.
    spokes_isolated = InventoryEstate()
    hub(
        spokes_isolated,
        spoke_routes=[
            tgw_route("0.0.0.0/0", "tgw-attach-egress"),
            tgw_route("10.0.0.0/8", None, state="blackhole"),
        ],
    )
    assert image_pull(spokes_isolated).status is Status.PASS


def test_asymmetric_hub_without_a_return_route_in_the_tgw_fails(estate: InventoryEstate) -> None:
    hub(estate, egress_routes=[])
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert "asymmetric routing" in result.message
    assert "tgw-rtb-egress" in result.message


def test_nat_subnet_without_a_return_route_fails(estate: InventoryEstate) -> None:
    hub(estate, return_route=False)
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert "it must go to tgw-1, or replies never reach the task (no return route)" in (
        result.message
    )


def test_no_attachment_subnet_in_the_task_az_fails(estate: InventoryEstate) -> None:
    hub(estate)
    other_az = next(s for s in estate.records["subnets"] if s.subnet_id == "subnet-tgw")
    other_az.availability_zone = "us-east-1b"
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert "has no subnet in us-east-1a" in result.message


def test_tgw_of_an_account_not_scanned_is_unknown_naming_it(estate: InventoryEstate) -> None:
    hub(estate)
    estate.records["transit_gateways"] = []
    for attachment in estate.records["transit_gateway_attachments"]:
        attachment.transit_gateway_owner_id = OTHER_ACCOUNT
    result = image_pull(estate)
    assert result.status is Status.UNKNOWN
    assert f"belongs to account {OTHER_ACCOUNT}, which was not scanned" in result.message
    assert result.evidence["unknown_reason"] == "account-not-scanned"


def test_vpn_attachment_egress_is_unknown_beyond_aws(estate: InventoryEstate) -> None:
    hub(
        estate,
        spoke_routes=[
            tgw_route("0.0.0.0/0", "tgw-attach-vpn", resource_type="vpn", resource_id="vpn-1")
        ],
    )
    result = image_pull(estate)
    assert result.status is Status.UNKNOWN
    assert "egress leaves AWS through transit gateway attachment tgw-attach-vpn" in (result.message)
    assert result.evidence["unknown_reason"] == "beyond-aws"


def test_route_tables_not_collected_are_unknown(estate: InventoryEstate) -> None:
    hub(estate)
    estate.records["transit_gateway_route_tables"] = []
    estate.fail(EC2_TRANSIT_GATEWAY_ROUTE_TABLES)
    result = image_pull(estate)
    assert result.status is Status.UNKNOWN
    assert "tgw-rtb-spoke is not in the inventory (not collected" in result.message
    assert "unknown_reason" not in result.evidence


def test_truncated_routes_are_unknown(estate: InventoryEstate) -> None:
    hub(estate)
    table = next(
        t
        for t in estate.records["transit_gateway_route_tables"]
        if t.transit_gateway_route_table_id == "tgw-rtb-spoke"
    )
    table.routes_complete = False
    assert image_pull(estate).status is Status.UNKNOWN


def test_attachment_subnet_nacl_is_judged(estate: InventoryEstate) -> None:
    hub(estate)
    estate.network_acl(
        acl_id="acl-tgw",
        subnets=["subnet-tgw"],
        entries=[
            acl_entry(100, "allow", egress=True),
            acl_entry(100, "allow", egress=False, cidr="10.100.0.0/16"),
        ],
    )
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert (
        "network ACL acl-tgw of spoke attachment subnet subnet-tgw: inbound TCP 443 from "
        "subnet subnet-1 (10.0.1.0/24) denied by the closing * rule" in result.message
    )


def test_egress_attachment_subnet_straight_to_igw_fails(estate: InventoryEstate) -> None:
    hub(estate)
    table = next(t for t in estate.records["route_tables"] if t.route_table_id == "rtb-egress-tgw")
    table.routes[-1] = normalised_route("0.0.0.0/0", "igw-1")
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert "a NAT gateway is needed" in result.message


def test_unavailable_spoke_attachment_fails(estate: InventoryEstate) -> None:
    hub(estate)
    spoke = next(
        a
        for a in estate.records["transit_gateway_attachments"]
        if a.transit_gateway_attachment_id == "tgw-attach-spoke"
    )
    spoke.state = "pendingAcceptance"
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert "spoke attachment tgw-attach-spoke of vpc-1 is pendingAcceptance" in result.message
