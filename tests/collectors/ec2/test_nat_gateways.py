"""ec2.nat_gateways: the transform, including regional NAT gateways without a subnet."""

from __future__ import annotations

from auditor.store.resources import Ec2NatGateway
from collectors.ec2.nat_gateways import transform_nat_gateway
from tests.collectors.collectors_estate import SeededCollection

ACCOUNT = "123456789012"


REGION = "eu-west-1"


def test_regional_nat_gateway_has_no_subnet() -> None:
    item = {
        "NatGatewayId": "nat-1",
        "VpcId": "vpc-1",
        "State": "available",
        "ConnectivityType": "public",
        "AvailabilityMode": "regional",
        "RouteTableId": "rtb-1",
        "NatGatewayAddresses": [
            {"AllocationId": "eipalloc-1", "PublicIp": "3.3.3.3"},
            {"Status": "x"},
        ],
    }
    nat = transform_nat_gateway(item, ACCOUNT, REGION)
    assert (nat.subnet_id, nat.availability_mode, nat.public_ips) == (None, "regional", ["3.3.3.3"])


def test_collects_the_gateway_with_its_subnet_and_vpc(seeded_collection: SeededCollection) -> None:
    estate = seeded_collection.estate
    assert {
        (n.nat_gateway_id, n.subnet_id, n.vpc_id) for n in seeded_collection.records(Ec2NatGateway)
    } == {(estate.nat_id, estate.public_subnet, estate.vpc_id)}
