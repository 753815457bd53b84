"""ec2.vpcs: IPv6 blocks and the DNS attributes."""

from __future__ import annotations

from auditor.store.resources import Ec2Vpc
from collectors.ec2.vpcs import transform_vpc
from tests.collectors.collectors_estate import SeededCollection

ACCOUNT = "123456789012"


REGION = "eu-west-1"


def test_vpc_ipv6_blocks_and_dns_attributes() -> None:
    item = {
        "VpcId": "vpc-1",
        "CidrBlock": "10.0.0.0/16",
        "DhcpOptionsId": "dopt-1",
        "IsDefault": False,
        "Ipv6CidrBlockAssociationSet": [
            {"Ipv6CidrBlock": "2600:1f18::/56", "Ipv6CidrBlockState": {"State": "associated"}},
            {"Ipv6CidrBlock": "2600:1f19::/56", "Ipv6CidrBlockState": {"State": "disassociated"}},
        ],
    }
    vpc = transform_vpc(
        item, {"enableDnsSupport": True, "enableDnsHostnames": False}, ACCOUNT, REGION
    )
    assert vpc.ipv6_cidr_blocks == ["2600:1f18::/56"]
    assert (vpc.enable_dns_support, vpc.enable_dns_hostnames) == (True, False)
    assert vpc.raw["Attributes"] == {"enableDnsSupport": True, "enableDnsHostnames": False}


def test_collects_every_vpc_with_its_dns_attributes(seeded_collection: SeededCollection) -> None:
    estate = seeded_collection.estate
    vpcs = seeded_collection.records(Ec2Vpc)
    vpc = next(v for v in vpcs if v.vpc_id == estate.vpc_id)
    assert (vpc.enable_dns_support, vpc.enable_dns_hostnames, vpc.dhcp_options_id) == (
        True,
        True,
        estate.dhcp_options_id,
    )
    assert {v.vpc_id for v in vpcs} == {estate.vpc_id, seeded_collection.default_vpc_id}
