"""vpc-dns-attributes: one result per VPC hosting tasks, naming the exact fix."""

from __future__ import annotations

from checks.base import Status
from checks.vpc import vpc_dns_attributes
from tests.checks.checks_factories import InventoryEstate, statuses


def test_one_result_per_vpc_hosting_tasks(estate: InventoryEstate) -> None:
    estate.vpc()
    estate.subnet()
    estate.vpc(vpc_id="vpc-2", dns_support=False)
    estate.subnet(subnet_id="subnet-2", vpc_id="vpc-2")
    estate.vpc(vpc_id="vpc-idle", dns_support=False)
    for _ in range(3):
        estate.task(eni=False)
    estate.task(subnet_id="subnet-2", vpc_id="vpc-2", eni=False)
    assert statuses(vpc_dns_attributes.evaluate(estate.inventory())) == {
        ("vpc-dns-attributes", "vpc-1", Status.PASS),
        ("vpc-dns-attributes", "vpc-2", Status.FAIL),
    }


def test_dns_support_off_names_the_exact_command(estate: InventoryEstate) -> None:
    estate.vpc(dns_support=False, dns_hostnames=False)
    estate.subnet()
    estate.task(eni=False)
    (result,) = vpc_dns_attributes.evaluate(estate.inventory())
    assert "aws ec2 modify-vpc-attribute --vpc-id vpc-1 --enable-dns-support" in result.message
    assert "--enable-dns-hostnames" in result.message
