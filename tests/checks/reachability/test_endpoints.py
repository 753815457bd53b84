"""Endpoint paths: S3 gateway endpoints routed from the task subnet, and the DHCP option set's
DNS servers (custom servers leave endpoint paths UNKNOWN, never PASS)."""

from __future__ import annotations

import pytest

from checks.base import Status
from checks.paths import image_pull_path, log_delivery_path, secrets_path
from tests.checks.checks_factories import (
    ACCOUNT,
    REGION,
    S3_PREFIX_LIST,
    InventoryEstate,
    all_hops,
    https_from_group,
    only,
    route,
)


def test_second_s3_gateway_endpoint_routed_from_the_subnet_passes(estate: InventoryEstate) -> None:
    estate.vpc()
    estate.subnet()
    estate.subnet(subnet_id="subnet-2", cidr="10.0.2.0/24")
    estate.security_group()
    estate.security_group(group_id="sg-endpoints", ingress=[https_from_group("sg-task")])
    estate.prefix_list()
    estate.endpoint("s3", endpoint_id="vpce-s3a", endpoint_type="Gateway", route_tables=["rtb-2"])
    estate.endpoint("s3", endpoint_id="vpce-s3b", endpoint_type="Gateway", route_tables=["rtb-1"])
    estate.route_table(
        route_table_id="rtb-2", subnets=["subnet-2"], routes=[route(S3_PREFIX_LIST, "vpce-s3a")]
    )
    estate.route_table(subnets=["subnet-1"], routes=[route(S3_PREFIX_LIST, "vpce-s3b")])
    estate.endpoint("ecr.dkr")
    estate.endpoint("ecr.api")
    estate.task()
    result = only(image_pull_path.evaluate(estate.inventory()))
    assert result.status is Status.PASS
    assert any(
        h["detail"] == "rtb-1 routes pl-63a5400a to vpce-s3b (active)" for h in all_hops(result)
    )


def test_s3_gateway_endpoint_not_routed_from_the_subnet_still_fails(
    estate: InventoryEstate,
) -> None:
    estate.vpc()
    estate.subnet()
    estate.security_group()
    estate.security_group(group_id="sg-endpoints", ingress=[https_from_group("sg-task")])
    estate.prefix_list()
    estate.endpoint("s3", endpoint_id="vpce-s3a", endpoint_type="Gateway", route_tables=["rtb-2"])
    estate.endpoint("s3", endpoint_id="vpce-s3b", endpoint_type="Gateway", route_tables=["rtb-2"])
    estate.route_table(route_table_id="rtb-2", routes=[route(S3_PREFIX_LIST, "vpce-s3a")])
    estate.route_table(subnets=["subnet-1"])
    estate.endpoint("ecr.dkr")
    estate.endpoint("ecr.api")
    estate.task()
    result = only(image_pull_path.evaluate(estate.inventory()))
    assert result.status is Status.FAIL
    assert "has no prefix-list route to vpce-s3" in result.message


SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db"


def _endpoint_estate(estate: InventoryEstate) -> None:
    estate.vpc()
    estate.subnet()
    estate.route_table(subnets=["subnet-1"])
    estate.security_group()
    estate.ecr_endpoints()
    estate.task()


def test_custom_dns_servers_leave_endpoint_paths_unknown(estate: InventoryEstate) -> None:
    _endpoint_estate(estate)
    estate.dhcp_options(servers=["10.9.9.9"])
    result = only(image_pull_path.evaluate(estate.inventory()))
    assert result.status is Status.UNKNOWN
    assert "conditional forwarding to the Resolver cannot be verified" in result.message


@pytest.mark.parametrize("servers", [["AmazonProvidedDNS"], ["10.9.9.9", "AmazonProvidedDNS"]])
def test_amazon_provided_dns_keeps_endpoint_paths_passing(
    estate: InventoryEstate, servers: list[str]
) -> None:
    _endpoint_estate(estate)
    estate.dhcp_options(servers=servers)
    result = only(image_pull_path.evaluate(estate.inventory()))
    assert result.status is Status.PASS
    assert {h["ok"] for h in all_hops(result) if h["step"] == "dhcp-dns"} == {True}


def test_option_set_without_dns_servers_key_passes(estate: InventoryEstate) -> None:
    _endpoint_estate(estate)
    estate.dhcp_options()
    estate.records["dhcp_options"][0].configurations = {"domain-name": ["corp.internal"]}
    assert only(image_pull_path.evaluate(estate.inventory())).status is Status.PASS


def test_default_option_set_passes(estate: InventoryEstate) -> None:
    estate.vpc(dhcp_options_id="default")
    estate.records["dhcp_options"].clear()
    estate.subnet()
    estate.route_table(subnets=["subnet-1"])
    estate.security_group()
    estate.ecr_endpoints()
    estate.task()
    assert only(image_pull_path.evaluate(estate.inventory())).status is Status.PASS


def test_option_set_missing_from_a_complete_collection_is_unknown(estate: InventoryEstate) -> None:
    _endpoint_estate(estate)
    estate.records["dhcp_options"].clear()
    result = only(image_pull_path.evaluate(estate.inventory()))
    assert result.status is Status.UNKNOWN
    assert "DHCP option set dopt-1 of vpc-1 is not in the inventory" in result.message


def test_option_sets_not_collected_leave_only_endpoint_paths_unknown(
    estate: InventoryEstate,
) -> None:
    _endpoint_estate(estate)
    estate.records["dhcp_options"].clear()
    estate.fail("ec2.dhcp_options")
    result = only(image_pull_path.evaluate(estate.inventory()))
    assert result.status is Status.UNKNOWN
    assert "DHCP option set dopt-1 of vpc-1 was not collected" in result.message


def test_option_sets_not_collected_do_not_touch_internet_paths(estate: InventoryEstate) -> None:
    estate.nat_vpc()
    estate.records["dhcp_options"].clear()
    estate.fail("ec2.dhcp_options")
    estate.task()
    assert only(image_pull_path.evaluate(estate.inventory())).status is Status.PASS


def test_custom_dns_leaves_logs_and_secrets_endpoints_unknown(estate: InventoryEstate) -> None:
    estate.private_vpc()
    estate.dhcp_options(servers=["10.9.9.9"])
    estate.security_group(group_id="sg-endpoints", ingress=[https_from_group("sg-task")])
    estate.endpoint("logs")
    estate.endpoint("secretsmanager")
    estate.task(definition=estate.task_definition(awslogs=True, secrets=[SECRET]))
    inventory = estate.inventory()
    assert only(log_delivery_path.evaluate(inventory)).status is Status.UNKNOWN
    assert only(secrets_path.evaluate(inventory)).status is Status.UNKNOWN
