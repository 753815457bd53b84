"""Internet paths: IPv6-only subnets (egress-only gateway, NAT64 and DNS64) and default routes
split in halves."""

from __future__ import annotations

from typing import Any

import pytest

from checks.base import Result, Status
from checks.paths import image_pull_path, log_delivery_path
from collectors.ec2.route_tables import normalise_route
from tests.checks.checks_factories import (
    ACCOUNT,
    ECR_IMAGE,
    REGION,
    InventoryEstate,
    all_hops,
    only,
    route,
)

DUAL_STACK_IMAGE = f"{ACCOUNT}.dkr-ecr.{REGION}.on.aws/web:1"


V6_ALL = {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}


def ipv6_only(estate: InventoryEstate, *, routes: list[dict[str, Any]], dns64: bool | None) -> None:
    estate.vpc(ipv6_cidrs=["2600:1f18::/56"])
    estate.subnet(cidr=None, ipv6_cidrs=["2600:1f18::/64"], ipv6_native=True, dns64=dns64)
    estate.subnet(subnet_id="subnet-pub", cidr="10.0.0.0/24")
    estate.igw()
    estate.eigw()
    estate.nat()
    estate.route_table(
        route_table_id="rtb-pub", subnets=["subnet-pub"], routes=[route("0.0.0.0/0", "igw-1")]
    )
    estate.route_table(subnets=["subnet-1"], routes=routes)
    estate.security_group(egress=[V6_ALL])


def test_ipv6_only_eigw_alone_fails_for_standard_ecr_image_and_logs(
    estate: InventoryEstate,
) -> None:
    ipv6_only(estate, routes=[route("::/0", "eigw-1")], dns64=True)
    estate.task(
        definition=estate.task_definition(image=ECR_IMAGE, awslogs=True), ipv6=["2600:1f18::10"]
    )
    inventory = estate.inventory()
    pull = only(image_pull_path.evaluate(inventory))
    logs = only(log_delivery_path.evaluate(inventory))
    assert pull.status is Status.FAIL
    assert logs.status is Status.FAIL
    assert "direct IPv6 egress does not reach it" in pull.message
    assert "64:ff9b::/96 goes to eigw-1, not a NAT gateway" in logs.message


def test_ipv6_only_dual_stack_ecr_uri_over_eigw_is_unknown(estate: InventoryEstate) -> None:
    # Registry auth may still need IPv4 api.ecr (AWS's pages disagree): never PASS.
    ipv6_only(estate, routes=[route("::/0", "eigw-1")], dns64=True)
    estate.task(definition=estate.task_definition(image=DUAL_STACK_IMAGE), ipv6=["2600:1f18::10"])
    result = only(image_pull_path.evaluate(estate.inventory()))
    assert result.status is Status.UNKNOWN
    assert "IPv4-only api.ecr endpoint" in result.message


@pytest.mark.parametrize(
    ("dns64", "expected"),
    [(True, Status.PASS), (False, Status.FAIL), (None, Status.UNKNOWN)],
)
def test_ipv6_only_nat64_path_needs_dns64(
    estate: InventoryEstate, dns64: bool | None, expected: Status
) -> None:
    ipv6_only(
        estate,
        routes=[route("64:ff9b::/96", "nat-1"), route("::/0", "eigw-1")],
        dns64=dns64,
    )
    estate.task(
        definition=estate.task_definition(image=ECR_IMAGE, awslogs=True), ipv6=["2600:1f18::10"]
    )
    inventory = estate.inventory()
    assert only(image_pull_path.evaluate(inventory)).status is expected
    logs = only(log_delivery_path.evaluate(inventory))
    assert logs.status is expected
    dns64_hops = [h for h in all_hops(logs) if h["step"] == "dns64"]
    assert [h["ok"] for h in dns64_hops] == [dns64]


def _split(estate: InventoryEstate, routes: list[dict[str, Any]]) -> Result:
    estate.nat_vpc()
    estate.nat(nat_id="nat-2")
    table = next(t for t in estate.records["route_tables"] if t.route_table_id == "rtb-1")
    kept = [r for r in table.routes if r["destination"] != "0.0.0.0/0"]
    table.routes[:] = kept + [normalise_route(r) for r in routes]
    estate.task(definition=estate.task_definition(image="nginx:1"))
    return only(image_pull_path.evaluate(estate.inventory()))


def test_default_route_split_in_halves_to_one_nat_passes(estate: InventoryEstate) -> None:
    result = _split(estate, [route("0.0.0.0/1", "nat-1"), route("128.0.0.0/1", "nat-1")])
    assert result.status is Status.PASS
    detail = next(h["detail"] for h in all_hops(result) if h["step"] == "route")
    assert "0.0.0.0/1 -> nat-1" in detail and "128.0.0.0/1 -> nat-1" in detail


def test_split_default_route_with_a_blackhole_half_fails(estate: InventoryEstate) -> None:
    result = _split(
        estate,
        [route("0.0.0.0/1", "nat-1"), route("128.0.0.0/1", "nat-1", state="blackhole")],
    )
    assert result.status is Status.FAIL


def test_split_default_route_missing_a_half_fails(estate: InventoryEstate) -> None:
    result = _split(estate, [route("0.0.0.0/1", "nat-1")])
    assert result.status is Status.FAIL
    assert "rtb-1 has no route for 0.0.0.0/0" in result.message


def test_split_default_route_to_two_working_nats_passes(estate: InventoryEstate) -> None:
    result = _split(estate, [route("0.0.0.0/1", "nat-1"), route("128.0.0.0/1", "nat-2")])
    assert result.status is Status.PASS
    assert "split default route via nat-1, nat-2" in result.message


def test_split_default_route_one_working_half_is_unknown(estate: InventoryEstate) -> None:
    result = _split(estate, [route("0.0.0.0/1", "nat-1"), route("128.0.0.0/1", "nat-gone")])
    assert result.status is Status.UNKNOWN
    assert "nat-gone: NAT gateway nat-gone no longer exists" in result.message


def test_split_default_route_with_both_halves_broken_fails(estate: InventoryEstate) -> None:
    result = _split(estate, [route("0.0.0.0/1", "nat-gone"), route("128.0.0.0/1", "nat-lost")])
    assert result.status is Status.FAIL
