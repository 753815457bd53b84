"""Inspection: a default route to a Gateway Load Balancer endpoint is followed into the
inspection subnet and onward; the appliance itself is UNKNOWN (class appliance), never PASS."""

from __future__ import annotations

from checks.base import Status
from tests.checks.checks_factories import DOCKER_HUB, InventoryEstate, acl_entry, image_pull, route

GWLB_SERVICE = "com.amazonaws.vpce.us-east-1.vpce-svc-0inspection"


def inspected(estate: InventoryEstate, *, onward: list[dict[str, object]] | None = None) -> None:
    """subnet-1 -> vpce-gwlb (in subnet-inspect) -> onward (default: nat-1 -> igw-1)."""
    estate.vpc()
    estate.subnet()
    estate.subnet(subnet_id="subnet-inspect", cidr="10.0.2.0/24")
    estate.subnet(subnet_id="subnet-pub", cidr="10.0.0.0/24")
    estate.igw()
    estate.nat()
    estate.route_table(
        route_table_id="rtb-pub", subnets=["subnet-pub"], routes=[route("0.0.0.0/0", "igw-1")]
    )
    estate.route_table(
        route_table_id="rtb-inspect",
        subnets=["subnet-inspect"],
        routes=onward if onward is not None else [route("0.0.0.0/0", "nat-1")],
    )
    estate.route_table(subnets=["subnet-1"], routes=[route("0.0.0.0/0", "vpce-gwlb")])
    estate.security_group()
    estate.endpoint(
        "vpce-svc-0inspection",
        endpoint_id="vpce-gwlb",
        endpoint_type="GatewayLoadBalancer",
        subnets=[],
        groups=[],
    )
    endpoint = estate.records["vpc_endpoints"][-1]
    endpoint.service_name = GWLB_SERVICE
    endpoint.subnet_ids = ["subnet-inspect"]
    estate.task(definition=estate.task_definition(image=DOCKER_HUB))


def test_working_path_behind_an_appliance_is_unknown_naming_it(estate: InventoryEstate) -> None:
    inspected(estate)
    result = image_pull(estate)
    assert result.status is Status.UNKNOWN
    assert f"inspected by the appliance behind vpce-gwlb ({GWLB_SERVICE})" in result.message
    assert result.evidence["unknown_reason"] == "appliance"
    steps = {
        hop["step"]
        for source in result.evidence["sources"]
        for leg in source["legs"]
        for path in leg["paths"]
        for hop in path["hops"]
    }
    assert {"inspection-endpoint", "inspection-subnet-route", "nat-gateway"} <= steps


def test_broken_route_after_the_appliance_fails(estate: InventoryEstate) -> None:
    inspected(estate, onward=[])
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert "inspection subnet subnet-inspect: rtb-inspect has no route for 0.0.0.0/0" in (
        result.message
    )


def test_endpoint_not_in_the_inventory_is_an_unknown_appliance(estate: InventoryEstate) -> None:
    inspected(estate)
    estate.records["vpc_endpoints"] = []
    result = image_pull(estate)
    assert result.status is Status.UNKNOWN
    assert result.evidence["unknown_reason"] == "appliance"


def test_inspection_subnet_nacl_is_crossed_both_ways(estate: InventoryEstate) -> None:
    inspected(estate)
    # Inbound only: the inspection subnet's NACL lets nothing out to the internet.
    estate.network_acl(
        acl_id="acl-inspect",
        subnets=["subnet-inspect"],
        entries=[acl_entry(100, "allow", egress=False)],
    )
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert "network ACL acl-inspect of inspection subnet subnet-inspect" in result.message
