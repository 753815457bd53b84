"""Regressions for check-logic bugs found in review, each on a hand-built inventory."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from checks_factories import (
    ACCOUNT,
    ECR_IMAGE,
    REGION,
    S3_PREFIX_LIST,
    Estate,
    https_from_group,
    https_to_cidr,
    route,
)

from checks.base import Result, Status
from checks.paths import image_pull_path, log_delivery_path, secrets_path
from checks.tasks import stale_dhcp_options

DUAL_STACK_IMAGE = f"{ACCOUNT}.dkr-ecr.{REGION}.on.aws/web:1"
V6_ALL = {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}


def only(results: Any) -> Result:
    found = list(results)
    assert len(found) == 1, found
    return found[0]


def all_hops(result: Result) -> list[dict[str, Any]]:
    return [
        hop
        for source in result.evidence["sources"]
        for leg in source["legs"]
        for path in leg["paths"]
        for hop in path["hops"]
    ]


# ------------------------------------------------------------ 1. IPv6-only subnets


def ipv6_only(estate: Estate, *, routes: list[dict[str, Any]], dns64: bool | None) -> None:
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


def test_ipv6_only_eigw_alone_fails_for_standard_ecr_image_and_logs(estate: Estate) -> None:
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


def test_ipv6_only_dual_stack_ecr_uri_over_eigw_is_unknown(estate: Estate) -> None:
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
    estate: Estate, dns64: bool | None, expected: Status
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


# ------------------------------------------------------------ 3. stale-dhcp-options


def _stale_scans(
    estate: Estate, make_estate: Callable[..., Estate], *, started_at: datetime | None
) -> Result:
    before = make_estate(scan_id="scan-0", started_at=datetime(2026, 11, 25, 10, tzinfo=UTC))
    before.vpc(dhcp_options_id="dopt-A")
    before.subnet()
    previous = before.inventory()
    estate.vpc(dhcp_options_id="dopt-B")
    estate.subnet()
    estate.fail("cloudtrail.dhcp_associations", status="error", error="HTTP 500")
    estate.task(task_id="t", eni=False, started_at=started_at)
    return only(stale_dhcp_options.evaluate(estate.inventory(previous=previous)))


def test_stale_dhcp_changed_set_new_task_started_before_previous_scan_is_unknown(
    estate: Estate, make_estate: Callable[..., Estate]
) -> None:
    result = _stale_scans(estate, make_estate, started_at=datetime(2026, 11, 20, tzinfo=UTC))
    assert result.status is Status.UNKNOWN
    assert "before that scan, yet was not seen in it" in result.message


def test_stale_dhcp_changed_set_new_task_without_start_time_is_unknown(
    estate: Estate, make_estate: Callable[..., Estate]
) -> None:
    result = _stale_scans(estate, make_estate, started_at=None)
    assert result.status is Status.UNKNOWN
    assert "its start time is not known" in result.message


def test_stale_dhcp_changed_set_new_task_started_after_previous_scan_passes(
    estate: Estate, make_estate: Callable[..., Estate]
) -> None:
    result = _stale_scans(estate, make_estate, started_at=datetime(2026, 11, 25, 12, tzinfo=UTC))
    assert result.status is Status.PASS
    assert result.evidence["task_started_at"] == "2026-11-25T12:00:00+00:00"


# ------------------------------------------------------------ 7. missing main route table


def test_missing_main_route_table_is_unknown_not_fail(estate: Estate) -> None:
    estate.vpc()
    estate.subnet()
    estate.igw()
    estate.security_group()
    estate.task(public_ip="54.1.2.3")
    result = only(image_pull_path.evaluate(estate.inventory()))
    assert result.status is Status.UNKNOWN
    route_table_hops = [h for h in all_hops(result) if h["step"] == "route-table"]
    assert route_table_hops and all(h["ok"] is None for h in route_table_hops)


def test_missing_main_route_table_leaves_the_s3_gateway_leg_unknown(estate: Estate) -> None:
    estate.vpc()
    estate.subnet()
    estate.security_group()
    estate.security_group(group_id="sg-endpoints", ingress=[https_from_group("sg-task")])
    estate.endpoint("ecr.dkr")
    estate.endpoint("ecr.api")
    estate.endpoint("s3", endpoint_id="vpce-s3", endpoint_type="Gateway")
    estate.prefix_list()
    estate.task()
    result = only(image_pull_path.evaluate(estate.inventory()))
    assert result.status is Status.UNKNOWN
    s3_route = [h for h in all_hops(result) if h["step"] == "route" and h["id"] == "subnet-1"]
    assert [h["ok"] for h in s3_route] == [None]


# ------------------------------------------------------------ 6. ::/0 is not an IPv4 prefix list


def _s3_estate(estate: Estate, egress: list[dict[str, Any]], *, collect_list: bool) -> None:
    estate.vpc()
    estate.subnet()
    estate.route_table(subnets=["subnet-1"], routes=[route(S3_PREFIX_LIST, "vpce-s3")])
    estate.security_group(egress=egress)
    estate.security_group(group_id="sg-endpoints", ingress=[https_from_group("sg-task")])
    estate.endpoint("ecr.dkr")
    estate.endpoint("ecr.api")
    estate.endpoint("s3", endpoint_id="vpce-s3", endpoint_type="Gateway", route_tables=["rtb-1"])
    if collect_list:
        estate.prefix_list()
    estate.task()


def test_ipv6_any_rule_does_not_prove_egress_to_an_unresolved_s3_prefix_list(
    estate: Estate,
) -> None:
    egress = [
        {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
            "UserIdGroupPairs": [{"GroupId": "sg-endpoints"}],
        }
    ]
    _s3_estate(estate, egress, collect_list=False)
    result = only(image_pull_path.evaluate(estate.inventory()))
    assert result.status is Status.FAIL
    assert "no egress rule of sg-task allows TCP 443 to prefix list pl-63a5400a" in (result.message)


def test_ipv4_any_rule_still_proves_egress_to_an_unresolved_s3_prefix_list(
    estate: Estate,
) -> None:
    _s3_estate(estate, [https_to_cidr("0.0.0.0/0")], collect_list=False)
    assert only(image_pull_path.evaluate(estate.inventory())).status is Status.PASS


# ------------------------------------------------------------ 2. two S3 gateway endpoints


def test_second_s3_gateway_endpoint_routed_from_the_subnet_passes(estate: Estate) -> None:
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


def test_s3_gateway_endpoint_not_routed_from_the_subnet_still_fails(estate: Estate) -> None:
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


# ------------------------------------------------------------ 5. secrets on platform 1.3.0


SECRET = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:db"


def test_legacy_platform_secrets_ignore_the_task_security_group_on_the_nat_path(
    estate: Estate,
) -> None:
    estate.nat_vpc()
    estate.records["security_groups"].clear()
    estate.security_group(egress=[https_to_cidr("10.0.0.0/16")])
    estate.task(definition=estate.task_definition(secrets=[SECRET]), platform_version="1.3.0")
    result = only(secrets_path.evaluate(estate.inventory()))
    assert result.status is Status.PASS
    assert not [h for h in all_hops(result) if h["step"] == "security-group-egress"]
    assert result.evidence["security_groups_checked"] is False
    assert "Fargate-owned ENI" in result.evidence["fargate_owned_eni"]


def test_platform_1_4_secrets_still_need_the_task_security_group(estate: Estate) -> None:
    estate.nat_vpc()
    estate.records["security_groups"].clear()
    estate.security_group(egress=[https_to_cidr("10.0.0.0/16")])
    estate.task(definition=estate.task_definition(secrets=[SECRET]), platform_version="1.4.0")
    assert only(secrets_path.evaluate(estate.inventory())).status is Status.FAIL


# ------------------------------------------------------------ 4. custom DNS servers


def _endpoint_estate(estate: Estate) -> None:
    estate.vpc()
    estate.subnet()
    estate.route_table(subnets=["subnet-1"])
    estate.security_group()
    estate.ecr_endpoints()
    estate.task()


def test_custom_dns_servers_leave_endpoint_paths_unknown(estate: Estate) -> None:
    _endpoint_estate(estate)
    estate.dhcp_options(servers=["10.9.9.9"])
    result = only(image_pull_path.evaluate(estate.inventory()))
    assert result.status is Status.UNKNOWN
    assert "conditional forwarding to the Resolver cannot be verified" in result.message


@pytest.mark.parametrize("servers", [["AmazonProvidedDNS"], ["10.9.9.9", "AmazonProvidedDNS"]])
def test_amazon_provided_dns_keeps_endpoint_paths_passing(
    estate: Estate, servers: list[str]
) -> None:
    _endpoint_estate(estate)
    estate.dhcp_options(servers=servers)
    result = only(image_pull_path.evaluate(estate.inventory()))
    assert result.status is Status.PASS
    assert {h["ok"] for h in all_hops(result) if h["step"] == "dhcp-dns"} == {True}


def test_option_set_without_dns_servers_key_passes(estate: Estate) -> None:
    _endpoint_estate(estate)
    estate.dhcp_options()
    estate.records["dhcp_options"][0].configurations = {"domain-name": ["corp.internal"]}
    assert only(image_pull_path.evaluate(estate.inventory())).status is Status.PASS


def test_default_option_set_passes(estate: Estate) -> None:
    estate.vpc(dhcp_options_id="default")
    estate.records["dhcp_options"].clear()
    estate.subnet()
    estate.route_table(subnets=["subnet-1"])
    estate.security_group()
    estate.ecr_endpoints()
    estate.task()
    assert only(image_pull_path.evaluate(estate.inventory())).status is Status.PASS


def test_option_set_missing_from_a_complete_collection_is_unknown(estate: Estate) -> None:
    _endpoint_estate(estate)
    estate.records["dhcp_options"].clear()
    result = only(image_pull_path.evaluate(estate.inventory()))
    assert result.status is Status.UNKNOWN
    assert "DHCP option set dopt-1 of vpc-1 is not in the inventory" in result.message


def test_option_sets_not_collected_leave_only_endpoint_paths_unknown(estate: Estate) -> None:
    _endpoint_estate(estate)
    estate.records["dhcp_options"].clear()
    estate.fail("ec2.dhcp_options")
    result = only(image_pull_path.evaluate(estate.inventory()))
    assert result.status is Status.UNKNOWN
    assert "DHCP option set dopt-1 of vpc-1 was not collected" in result.message


def test_option_sets_not_collected_do_not_touch_internet_paths(estate: Estate) -> None:
    estate.nat_vpc()
    estate.records["dhcp_options"].clear()
    estate.fail("ec2.dhcp_options")
    estate.task()
    assert only(image_pull_path.evaluate(estate.inventory())).status is Status.PASS


def test_custom_dns_leaves_logs_and_secrets_endpoints_unknown(estate: Estate) -> None:
    estate.private_vpc()
    estate.dhcp_options(servers=["10.9.9.9"])
    estate.security_group(group_id="sg-endpoints", ingress=[https_from_group("sg-task")])
    estate.endpoint("logs")
    estate.endpoint("secretsmanager")
    estate.task(definition=estate.task_definition(awslogs=True, secrets=[SECRET]))
    inventory = estate.inventory()
    assert only(log_delivery_path.evaluate(inventory)).status is Status.UNKNOWN
    assert only(secrets_path.evaluate(inventory)).status is Status.UNKNOWN


# ------------------------------------------------------------ 8. split default route


def _split(estate: Estate, routes: list[dict[str, Any]]) -> Result:
    estate.nat_vpc()
    estate.nat(nat_id="nat-2")
    table = next(t for t in estate.records["route_tables"] if t.route_table_id == "rtb-1")
    table.routes[:] = [r for r in table.routes if r["destination"] != "0.0.0.0/0"] + routes
    estate.task(definition=estate.task_definition(image="nginx:1"))
    return only(image_pull_path.evaluate(estate.inventory()))


def test_default_route_split_in_halves_to_one_nat_passes(estate: Estate) -> None:
    result = _split(estate, [route("0.0.0.0/1", "nat-1"), route("128.0.0.0/1", "nat-1")])
    assert result.status is Status.PASS
    detail = next(h["detail"] for h in all_hops(result) if h["step"] == "route")
    assert "0.0.0.0/1 -> nat-1" in detail and "128.0.0.0/1 -> nat-1" in detail


def test_split_default_route_with_a_blackhole_half_fails(estate: Estate) -> None:
    result = _split(
        estate,
        [route("0.0.0.0/1", "nat-1"), route("128.0.0.0/1", "nat-1", state="blackhole")],
    )
    assert result.status is Status.FAIL


def test_split_default_route_missing_a_half_fails(estate: Estate) -> None:
    result = _split(estate, [route("0.0.0.0/1", "nat-1")])
    assert result.status is Status.FAIL
    assert "rtb-1 has no route for 0.0.0.0/0" in result.message


def test_split_default_route_to_two_working_nats_passes(estate: Estate) -> None:
    result = _split(estate, [route("0.0.0.0/1", "nat-1"), route("128.0.0.0/1", "nat-2")])
    assert result.status is Status.PASS
    assert "split default route via nat-1, nat-2" in result.message


def test_split_default_route_one_working_half_is_unknown(estate: Estate) -> None:
    result = _split(estate, [route("0.0.0.0/1", "nat-1"), route("128.0.0.0/1", "nat-gone")])
    assert result.status is Status.UNKNOWN
    assert "nat-gone: NAT gateway nat-gone no longer exists" in result.message


def test_split_default_route_with_both_halves_broken_fails(estate: Estate) -> None:
    result = _split(estate, [route("0.0.0.0/1", "nat-gone"), route("128.0.0.0/1", "nat-lost")])
    assert result.status is Status.FAIL
