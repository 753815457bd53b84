"""The principle, swept: every route target kind of botocore's EC2 ``Route`` shape is either
modelled (with its own tests) or gives UNKNOWN naming it; none can PASS by default.

The target fields come from the installed botocore's service model, so a new kind AWS adds
fails ``test_every_route_target_field_is_collected`` until someone decides what it means.
"""

from __future__ import annotations

from typing import Any

import botocore.loaders
import pytest

from auditor.store.resources import Ec2RouteTable
from checks.base import Status
from checks.paths.image_pull_path import evaluate
from collectors.ec2.route_tables import TARGETS
from tests.checks.checks_factories import DOCKER_HUB, InventoryEstate, route

# Route members that are not targets: where the route goes, and facts about the route.
NOT_TARGETS = frozenset(
    {
        "DestinationCidrBlock",
        "DestinationIpv6CidrBlock",
        "DestinationPrefixListId",
        "InstanceOwnerId",
        "Origin",
        "State",
    }
)

# One sample ID per target kind; GatewayId holds four kinds told apart by prefix.
SAMPLES: list[tuple[str, str]] = [
    ("GatewayId", "local"),
    ("GatewayId", "igw-0sweep"),
    ("GatewayId", "vgw-0sweep"),
    ("GatewayId", "vpce-0sweep"),
    ("EgressOnlyInternetGatewayId", "eigw-0sweep"),
    ("InstanceId", "i-0sweep"),
    ("NatGatewayId", "nat-0sweep"),
    ("TransitGatewayId", "tgw-0sweep"),
    ("LocalGatewayId", "lgw-0sweep"),
    ("CarrierGatewayId", "cagw-0sweep"),
    ("NetworkInterfaceId", "eni-0sweep"),
    ("VpcPeeringConnectionId", "pcx-0sweep"),
    ("CoreNetworkArn", "arn:aws:networkmanager::123456789012:core-network/core-network-0sweep"),
    ("OdbNetworkArn", "arn:aws:odb:us-east-1:123456789012:odb-network/odb-0sweep"),
    ("IpAddress", "10.0.9.9"),
]

# Kinds the internet path follows; each has PASS and FAIL tests of its own. Here, with no
# gateway records at all, they must still not PASS.
MODELLED = {"igw-0sweep", "nat-0sweep", "tgw-0sweep", "vgw-0sweep"}
# Kinds that can never carry internet traffic: FAIL, not UNKNOWN.
ALWAYS_FAIL = {"pcx-0sweep"}


def route_target_fields() -> set[str]:
    model = botocore.loaders.Loader().load_service_model("ec2", "service-2")
    return set(model["shapes"]["Route"]["members"]) - NOT_TARGETS


def test_every_route_target_field_is_collected() -> None:
    collected = {field for field, _ in TARGETS}
    assert route_target_fields() <= collected, (
        "a Route target field is not normalised by collectors/ec2/route_tables.py: "
        f"{sorted(route_target_fields() - collected)}"
    )


def test_every_route_target_field_is_swept() -> None:
    assert route_target_fields() <= {field for field, _ in SAMPLES}


def aws_route(field: str, target: str, destination: str = "0.0.0.0/0") -> dict[str, Any]:
    raw = {"DestinationCidrBlock": destination, field: target, "State": "active"}
    if field == "InstanceId":
        # AWS fills both for a route to an instance.
        raw["NetworkInterfaceId"] = "eni-0ofinstance"
        raw["InstanceOwnerId"] = "123456789012"
    return raw


def docker_hub_task(estate: InventoryEstate, table_routes: list[dict[str, Any]]) -> None:
    estate.vpc()
    estate.subnet()
    estate.route_table(subnets=["subnet-1"], routes=table_routes)
    estate.security_group()
    estate.task(definition=estate.task_definition(image=DOCKER_HUB), public_ip="54.1.2.3")


def add_table(estate: InventoryEstate, table: Ec2RouteTable) -> None:
    estate.records.setdefault("route_tables", []).append(table)


@pytest.mark.parametrize(("field", "target"), SAMPLES, ids=[t for _, t in SAMPLES])
def test_task_subnet_default_route_never_passes_unmodelled(
    estate: InventoryEstate, field: str, target: str
) -> None:
    docker_hub_task(estate, [aws_route(field, target)])
    (result,) = evaluate(estate.inventory())
    assert result.status is not Status.PASS, result.message
    if target in ALWAYS_FAIL:
        assert result.status is Status.FAIL
    elif target not in MODELLED:
        assert result.status is Status.UNKNOWN, result.message
        assert target in result.message


@pytest.mark.parametrize(("field", "target"), SAMPLES, ids=[t for _, t in SAMPLES])
def test_nat_subnet_default_route_never_passes_unless_igw(
    estate: InventoryEstate, field: str, target: str
) -> None:
    estate.vpc()
    estate.subnet()
    estate.subnet(subnet_id="subnet-pub", cidr="10.0.0.0/24")
    estate.nat()
    estate.route_table(
        route_table_id="rtb-pub", subnets=["subnet-pub"], routes=[aws_route(field, target)]
    )
    estate.route_table(subnets=["subnet-1"], routes=[route("0.0.0.0/0", "nat-1")])
    estate.security_group()
    estate.task(definition=estate.task_definition(image=DOCKER_HUB))
    (result,) = evaluate(estate.inventory())
    # No internet gateway record exists, so not even igw- may pass here.
    assert result.status is not Status.PASS, result.message


def test_a_route_with_no_recognised_target_is_unknown(estate: InventoryEstate) -> None:
    docker_hub_task(estate, [{"DestinationCidrBlock": "0.0.0.0/0", "State": "active"}])
    (result,) = evaluate(estate.inventory())
    assert result.status is Status.UNKNOWN
    assert "not know" in result.message


def test_vgw_default_route_is_unknown_beyond_aws(estate: InventoryEstate) -> None:
    docker_hub_task(estate, [aws_route("GatewayId", "vgw-0onprem")])
    estate.vgw(vgw_id="vgw-0onprem")
    (result,) = evaluate(estate.inventory())
    assert result.status is Status.UNKNOWN
    assert "egress leaves AWS through vgw-0onprem" in result.message
    assert result.evidence["unknown_reason"] == "beyond-aws"


def test_detached_or_missing_vgw_fails(estate: InventoryEstate) -> None:
    docker_hub_task(estate, [aws_route("GatewayId", "vgw-0onprem")])
    estate.vgw(vgw_id="vgw-0onprem", attachment_state="detached")
    (result,) = evaluate(estate.inventory())
    assert result.status is Status.FAIL
    assert "vgw-0onprem is available and not attached to vpc-1" in result.message
    gone = InventoryEstate()
    docker_hub_task(gone, [aws_route("GatewayId", "vgw-0gone")])
    (result,) = evaluate(gone.inventory())
    assert (result.status, "vgw-0gone no longer exists" in result.message) == (Status.FAIL, True)


def test_peering_default_route_fails_naming_the_connection(estate: InventoryEstate) -> None:
    docker_hub_task(estate, [aws_route("VpcPeeringConnectionId", "pcx-0peer")])
    (result,) = evaluate(estate.inventory())
    assert result.status is Status.FAIL
    assert "pcx-0peer" in result.message
    assert "no edge-to-edge routing" in result.message
    assert "unknown_reason" not in result.evidence


def test_appliance_and_missing_data_unknowns_do_not_share_a_class(estate: InventoryEstate) -> None:
    docker_hub_task(estate, [aws_route("NetworkInterfaceId", "eni-0appliance")])
    (result,) = evaluate(estate.inventory())
    assert (result.status, result.evidence["unknown_reason"]) == (Status.UNKNOWN, "appliance")
    # The same route, but the task's group is gone: that part is missing data, so the
    # finding is not mutable as an "appliance" class.
    other = InventoryEstate()
    docker_hub_task(other, [aws_route("NetworkInterfaceId", "eni-0appliance")])
    other.records["security_groups"] = []
    (result,) = evaluate(other.inventory())
    assert result.status is Status.UNKNOWN
    assert "unknown_reason" not in result.evidence


# IPv6: the same sweep on an IPv6-only subnet, for ::/0 (DestinationIpv6CidrBlock) and for
# NAT64's 64:ff9b::/96. Kinds the IPv6 paths follow: internet and egress-only internet
# gateways for ::/0, NAT gateways for NAT64; with no gateway records they must not PASS.
MODELLED_V6 = {"igw-0sweep", "eigw-0sweep", "nat-0sweep"}
# Kinds the IPv6 paths judge as broken rather than unknown.
ALWAYS_FAIL_V6 = {"pcx-0sweep"}
DUAL_STACK_IMAGE = "123456789012.dkr-ecr.us-east-1.on.aws/web:1"


def ipv6_only_task(estate: InventoryEstate, table_routes: list[dict[str, Any]], image: str) -> None:
    estate.vpc(ipv6_cidrs=["2600:1f18:1::/56"])
    estate.subnet(cidr=None, ipv6_cidrs=["2600:1f18:1:1::/64"], ipv6_native=True, dns64=True)
    estate.route_table(subnets=["subnet-1"], routes=table_routes)
    estate.security_group(egress=[{"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    estate.task(definition=estate.task_definition(image=image))


def aws_route_v6(field: str, target: str, destination: str) -> dict[str, Any]:
    raw = aws_route(field, target)
    del raw["DestinationCidrBlock"]
    raw["DestinationIpv6CidrBlock"] = destination
    return raw


@pytest.mark.parametrize(("field", "target"), SAMPLES, ids=[t for _, t in SAMPLES])
def test_ipv6_default_route_never_passes_unmodelled(
    estate: InventoryEstate, field: str, target: str
) -> None:
    """::/0 to each kind, for an ECR dual-stack image (the one destination a direct IPv6
    route may serve)."""
    ipv6_only_task(estate, [aws_route_v6(field, target, "::/0")], DUAL_STACK_IMAGE)
    (result,) = evaluate(estate.inventory())
    assert result.status is not Status.PASS, result.message
    if target in ALWAYS_FAIL_V6:
        assert result.status is Status.FAIL
    elif target not in MODELLED_V6:
        assert result.status is Status.UNKNOWN, result.message
        assert target in result.message


@pytest.mark.parametrize(("field", "target"), SAMPLES, ids=[t for _, t in SAMPLES])
def test_nat64_route_never_passes_unmodelled(
    estate: InventoryEstate, field: str, target: str
) -> None:
    """64:ff9b::/96 to each kind, for a Docker Hub image (IPv4 only: NAT64 is the one way)."""
    ipv6_only_task(estate, [aws_route_v6(field, target, "64:ff9b::/96")], "nginx:1.27")
    (result,) = evaluate(estate.inventory())
    assert result.status is not Status.PASS, result.message
    if target in ALWAYS_FAIL_V6 | {"igw-0sweep", "eigw-0sweep"}:
        # Nothing but a NAT gateway translates NAT64 addresses to IPv4.
        assert result.status is Status.FAIL
    elif target not in MODELLED_V6:
        assert result.status is Status.UNKNOWN, result.message
        assert target in result.message


def test_ipv6_sweep_samples_use_the_ipv6_destination_field() -> None:
    assert aws_route_v6("GatewayId", "igw-1", "::/0") == {
        "DestinationIpv6CidrBlock": "::/0",
        "GatewayId": "igw-1",
        "State": "active",
    }
