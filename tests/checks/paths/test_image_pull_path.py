"""image-pull-path on hand-built inventories: one case per hop that can break."""

from __future__ import annotations

from typing import Any

import pytest

from checks.base import Result, Status
from checks.paths.image_pull_path import evaluate
from tests.checks.checks_factories import (
    ACCOUNT,
    ALL_TRAFFIC,
    DOCKER_HUB,
    S3_PREFIX_LIST,
    InventoryEstate,
    all_hops,
    https_to_cidr,
    image_pull,
    route,
    statuses,
)

CHECK = "image-pull-path"
OTHER_REGION_ECR = f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/web:1"


def failing_details(result: Result) -> set[str]:
    return {h["detail"] for h in all_hops(result) if h["ok"] is False}


# ------------------------------------------------------------------------ internet gateway


def test_public_ip_and_attached_igw_pass_with_every_hop_listed(estate: InventoryEstate) -> None:
    estate.public_vpc()
    task = estate.task(public_ip="54.1.2.3")
    result = image_pull(estate)
    assert statuses([result]) == {(CHECK, task.task_arn, Status.PASS)}
    assert "internet gateway igw-1" in result.message
    assert [h["step"] for h in all_hops(result)][:5] == [
        "route-table",
        "route",
        "internet-gateway",
        "public-ipv4",
        "security-group-egress",
    ]
    assert result.resource_name == f"task {task.short_id} (service web, cluster prod)"


def test_no_public_ip_fails_naming_the_task_and_the_fix(estate: InventoryEstate) -> None:
    estate.public_vpc()
    task = estate.task(public_ip=None)
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert result.message.startswith(f"Task {task.short_id} (service web, cluster prod)")
    assert f"ENI eni-{task.short_id} has no public IPv4 address" in result.message
    assert "fix:" in result.message


def test_igw_attached_to_another_vpc_fails(estate: InventoryEstate) -> None:
    estate.vpc()
    estate.subnet()
    estate.igw(vpc_id="vpc-other")
    estate.route_table(subnets=["subnet-1"], routes=[route("0.0.0.0/0", "igw-1")])
    estate.security_group()
    estate.task(public_ip="54.1.2.3")
    assert "internet gateway igw-1 is not attached to vpc-1" in failing_details(image_pull(estate))


def test_blackhole_default_route_fails(estate: InventoryEstate) -> None:
    estate.vpc()
    estate.subnet()
    estate.igw()
    estate.route_table(
        subnets=["subnet-1"], routes=[route("0.0.0.0/0", "igw-1", state="blackhole")]
    )
    estate.security_group()
    estate.task(public_ip="54.1.2.3")
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert any("is not active" in d for d in failing_details(result))


# ------------------------------------------------------------------------ NAT gateways


def test_available_public_nat_passes(estate: InventoryEstate) -> None:
    estate.nat_vpc()
    estate.task()
    result = image_pull(estate)
    assert result.status is Status.PASS
    assert "NAT gateway nat-1" in result.message


@pytest.mark.parametrize(
    ("nat", "expected"),
    [
        ({"state": "deleted"}, "NAT gateway nat-1 is deleted"),
        ({"state": "failed"}, "NAT gateway nat-1 is failed"),
        ({"connectivity": "private"}, "NAT gateway nat-1 connectivity is private"),
    ],
)
def test_unusable_nat_fails_even_though_the_route_is_active(
    estate: InventoryEstate, nat: dict[str, Any], expected: str
) -> None:
    estate.nat_vpc(**nat)
    estate.task()
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert any(d.startswith(expected) for d in failing_details(result))


def test_route_left_over_to_a_vanished_nat_fails(estate: InventoryEstate) -> None:
    estate.nat_vpc()
    estate.records["nat_gateways"].clear()
    estate.task()
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert "NAT gateway nat-1 no longer exists (the route is left over)" in failing_details(result)


def test_nat_in_a_subnet_without_internet_gateway_route_fails(estate: InventoryEstate) -> None:
    estate.nat_vpc()
    table = next(t for t in estate.records["route_tables"] if t.route_table_id == "rtb-pub")
    table.routes = [r for r in table.routes if r["destination"] != "0.0.0.0/0"]
    estate.task()
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert any(
        "NAT gateway subnet: rtb-pub has no route for 0.0.0.0/0" in d
        for d in failing_details(result)
    )


def test_regional_nat_needs_no_subnet_but_an_attached_igw(estate: InventoryEstate) -> None:
    estate.nat_vpc(subnet_id=None, mode="regional")
    estate.task()
    assert image_pull(estate).status is Status.PASS
    estate.records["internet_gateways"].clear()
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert "vpc-1 has no attached internet gateway for its regional NAT gateway" in (
        failing_details(result)
    )


# ------------------------------------------------------------------------ route tables


def test_subnet_without_explicit_association_uses_its_vpcs_main_table(
    estate: InventoryEstate,
) -> None:
    estate.vpc()
    estate.subnet()
    estate.igw()
    estate.route_table(main=True, routes=[route("0.0.0.0/0", "igw-1")])
    estate.security_group()
    estate.task(public_ip="54.1.2.3")
    result = image_pull(estate)
    assert result.status is Status.PASS
    assert any("the main table rtb-1 of vpc-1 applies" in h["detail"] for h in all_hops(result))


def test_another_vpcs_main_table_never_leaks_in(estate: InventoryEstate) -> None:
    estate.vpc()
    estate.subnet()
    estate.vpc(vpc_id="vpc-2", cidr="10.9.0.0/16")
    estate.igw(igw_id="igw-2", vpc_id="vpc-2")
    estate.route_table(
        route_table_id="rtb-2", vpc_id="vpc-2", main=True, routes=[route("0.0.0.0/0", "igw-2")]
    )
    estate.security_group()
    estate.task(public_ip="54.1.2.3")
    result = image_pull(estate)
    # Every VPC has a main table: its absence is missing data, so UNKNOWN (never vpc-2's PASS).
    assert result.status is Status.UNKNOWN
    assert (
        "subnet subnet-1 has no explicit route table and the main table of its VPC is not in "
        "the inventory" in result.message
    )


def test_explicit_association_beats_the_main_table(estate: InventoryEstate) -> None:
    estate.vpc()
    estate.subnet()
    estate.igw()
    estate.route_table(route_table_id="rtb-main", main=True, routes=[route("0.0.0.0/0", "igw-1")])
    estate.route_table(subnets=["subnet-1"])
    estate.security_group()
    estate.task(public_ip="54.1.2.3")
    assert image_pull(estate).status is Status.FAIL


def test_default_route_to_a_transit_gateway_is_unknown_not_fail(estate: InventoryEstate) -> None:
    estate.vpc()
    estate.subnet()
    estate.route_table(subnets=["subnet-1"], routes=[route("0.0.0.0/0", "tgw-1")])
    estate.security_group()
    estate.task()
    result = image_pull(estate)
    assert result.status is Status.UNKNOWN
    assert "tgw-1" in result.message


# ------------------------------------------------------------------------ ECR endpoints


def test_complete_ecr_endpoints_pass_without_internet(estate: InventoryEstate) -> None:
    estate.private_vpc()
    estate.ecr_endpoints()
    estate.task()
    result = image_pull(estate)
    assert result.status is Status.PASS
    assert "ECR endpoints (ecr.dkr, ecr.api, s3 gateway)" in result.message


@pytest.mark.parametrize(
    ("skip", "expected"),
    [
        ("ecr.api", "vpc-1 has no com.amazonaws.us-east-1.ecr.api interface endpoint"),
        ("ecr.dkr", "vpc-1 has no com.amazonaws.us-east-1.ecr.dkr interface endpoint"),
        (
            "s3",
            "vpc-1 has no com.amazonaws.us-east-1.s3 gateway endpoint (image layers are "
            "served from S3)",
        ),
    ],
)
def test_each_missing_ecr_endpoint_fails(estate: InventoryEstate, skip: str, expected: str) -> None:
    estate.private_vpc()
    estate.ecr_endpoints(skip=[skip])
    estate.task()
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert expected in failing_details(result)


def test_ecr_endpoints_without_private_dns_fail(estate: InventoryEstate) -> None:
    estate.private_vpc()
    estate.ecr_endpoints(private_dns=False)
    estate.task()
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert any("private DNS is off" in d for d in failing_details(result))


def test_ecr_endpoints_in_a_vpc_without_dns_hostnames_fail(estate: InventoryEstate) -> None:
    estate.private_vpc(dns=False)
    estate.ecr_endpoints()
    estate.task()
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert any("enableDnsHostnames=false" in d for d in failing_details(result))


def test_s3_gateway_not_on_the_subnets_route_table_fails(estate: InventoryEstate) -> None:
    estate.private_vpc()
    estate.ecr_endpoints()
    table = estate.records["route_tables"][0]
    table.routes = [r for r in table.routes if r["destination"] != S3_PREFIX_LIST]
    estate.task()
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert any("has no prefix-list route to vpce-s3" in d for d in failing_details(result))


def test_platform_1_3_needs_no_ecr_api_endpoint(estate: InventoryEstate) -> None:
    estate.private_vpc()
    estate.ecr_endpoints(skip=["ecr.api"])
    estate.task(platform_version="1.3.0")
    result = image_pull(estate)
    assert result.status is Status.PASS
    assert "ECR endpoints (ecr.dkr, s3 gateway)" in result.message


def test_task_without_version_runs_latest_and_needs_ecr_api(estate: InventoryEstate) -> None:
    estate.private_vpc()
    estate.ecr_endpoints(skip=["ecr.api"])
    estate.task(platform_version=None)
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert result.evidence["platform"] == {
        "requested": None,
        "version": "1.4.0",
        "os": "Linux",
        "resolved_from_latest": True,
    }


@pytest.mark.parametrize(
    "image", [DOCKER_HUB, "public.ecr.aws/nginx/nginx:1", OTHER_REGION_ECR, "ghcr.io/org/app:2"]
)
def test_images_outside_the_regions_private_ecr_need_the_internet(
    estate: InventoryEstate, image: str
) -> None:
    estate.private_vpc()
    estate.ecr_endpoints()
    estate.task(definition=estate.task_definition(image=image))
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert [leg["destination"] for leg in result.evidence["sources"][0]["legs"]] == ["the internet"]


# ------------------------------------------------------------------------ security groups


def test_group_without_egress_fails_even_with_a_nat(estate: InventoryEstate) -> None:
    estate.nat_vpc()
    estate.records["security_groups"].clear()
    estate.security_group(egress=[])
    estate.task()
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert any("no egress rule of sg-task allows TCP 443" in d for d in failing_details(result))


def test_egress_limited_to_the_vpc_cannot_reach_the_internet(estate: InventoryEstate) -> None:
    estate.nat_vpc()
    estate.records["security_groups"].clear()
    estate.security_group(egress=[https_to_cidr("10.0.0.0/16")])
    estate.task()
    assert image_pull(estate).status is Status.FAIL


def test_endpoint_group_without_ingress_from_the_task_fails(estate: InventoryEstate) -> None:
    estate.private_vpc()
    estate.ecr_endpoints()
    endpoints_group = next(
        g for g in estate.records["security_groups"] if g.group_id == "sg-endpoints"
    )
    endpoints_group.ingress = []
    estate.task()
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert any(
        d.startswith("vpce-ecrdkr from the task: no ingress rule") for d in failing_details(result)
    )


def test_endpoint_ingress_by_the_tasks_address_range_counts(estate: InventoryEstate) -> None:
    estate.private_vpc()
    estate.ecr_endpoints()
    endpoints_group = next(
        g for g in estate.records["security_groups"] if g.group_id == "sg-endpoints"
    )
    endpoints_group.ingress = [https_to_cidr("10.0.0.0/16")]
    estate.task()
    assert image_pull(estate).status is Status.PASS


def test_s3_egress_by_prefix_list_rule_counts_without_prefix_list_entries(
    estate: InventoryEstate,
) -> None:
    estate.private_vpc()
    estate.ecr_endpoints()
    estate.records["prefix_lists"].clear()
    estate.records["security_groups"] = [
        g for g in estate.records["security_groups"] if g.group_id != "sg-task"
    ]
    estate.security_group(
        egress=[
            https_to_cidr("10.0.0.0/16"),
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "PrefixListIds": [{"PrefixListId": S3_PREFIX_LIST}],
            },
        ]
    )
    estate.task()
    assert image_pull(estate).status is Status.PASS


def test_missing_group_record_is_unknown_not_fail(estate: InventoryEstate) -> None:
    estate.nat_vpc()
    estate.records["security_groups"].clear()
    estate.task()
    result = image_pull(estate)
    assert result.status is Status.UNKNOWN
    assert "sg-task not found in the inventory" in result.message


# ------------------------------------------------------------------------ scope and data


def test_fargate_spot_task_without_launch_type_is_in_scope(estate: InventoryEstate) -> None:
    estate.public_vpc()
    task = estate.task(launch_type=None, capacity_provider="FARGATE_SPOT", public_ip=None)
    assert statuses(evaluate(estate.inventory())) == {(CHECK, task.task_arn, Status.FAIL)}


def test_ec2_and_stopped_tasks_are_out_of_scope(estate: InventoryEstate) -> None:
    estate.public_vpc()
    estate.task(launch_type="EC2")
    estate.task(status="STOPPED")
    assert list(evaluate(estate.inventory())) == []


def test_denied_collector_makes_each_task_unknown_naming_it(estate: InventoryEstate) -> None:
    estate.public_vpc()
    first = estate.task(public_ip="54.1.2.3")
    second = estate.task()
    estate.fail("ec2.nat_gateways", error="UnauthorizedOperation")
    results = list(evaluate(estate.inventory()))
    assert statuses(results) == {
        (CHECK, first.task_arn, Status.UNKNOWN),
        (CHECK, second.task_arn, Status.UNKNOWN),
    }
    assert all("ec2.nat_gateways (denied: UnauthorizedOperation)" in r.message for r in results)


def test_unlisted_tasks_give_one_region_unknown(estate: InventoryEstate) -> None:
    estate.public_vpc()
    estate.task()
    estate.fail("ecs.tasks")
    results = list(evaluate(estate.inventory()))
    assert statuses(results) == {(CHECK, ACCOUNT, Status.UNKNOWN)}
    assert results[0].resource_type == "account-region"


def test_missing_eni_is_unknown(estate: InventoryEstate) -> None:
    estate.public_vpc()
    estate.task(eni=False)
    result = image_pull(estate)
    assert result.status is Status.UNKNOWN


def test_missing_task_definition_is_unknown(estate: InventoryEstate) -> None:
    estate.public_vpc()
    definition = estate.task_definition()
    estate.task(definition=definition)
    estate.records["task_definitions"].remove(definition)
    result = image_pull(estate)
    assert result.status is Status.UNKNOWN
    assert "is not in the inventory" in result.message


# ------------------------------------------------------------------------ services


def test_service_fails_when_one_of_its_subnets_has_no_path(estate: InventoryEstate) -> None:
    estate.nat_vpc()
    estate.subnet(subnet_id="subnet-isolated", cidr="10.0.9.0/24")
    estate.route_table(route_table_id="rtb-isolated", subnets=["subnet-isolated"])
    service = estate.service(subnets=["subnet-1", "subnet-isolated"])
    result = image_pull(estate)
    assert statuses([result]) == {(CHECK, service.service_arn, Status.FAIL)}
    assert "from subnet subnet-isolated" in result.message
    assert "subnet-1" not in result.message.split("fix:")[0].replace("subnet-isolated", "")


def test_service_assign_public_ip_enabled_passes_in_a_public_subnet(
    estate: InventoryEstate,
) -> None:
    estate.public_vpc()
    estate.service(assign_public_ip="ENABLED")
    assert image_pull(estate).status is Status.PASS


def test_service_without_groups_uses_the_vpc_default_group(estate: InventoryEstate) -> None:
    estate.nat_vpc()
    estate.security_group(group_id="sg-default", name="default", egress=[])
    estate.service(groups=())
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert result.evidence["sources"][0]["security_group_ids"] == ["sg-default"]


def test_inactive_services_are_out_of_scope(estate: InventoryEstate) -> None:
    estate.nat_vpc()
    estate.service(status="INACTIVE")
    assert list(evaluate(estate.inventory())) == []


# ------------------------------------------------------------------------ IPv6-only subnets


def test_ipv6_only_subnet_reaches_ipv4_registries_through_nat64(estate: InventoryEstate) -> None:
    estate.vpc(ipv6_cidrs=["2600:1f18::/56"])
    estate.subnet(cidr=None, ipv6_cidrs=["2600:1f18::/64"], ipv6_native=True, dns64=True)
    estate.subnet(subnet_id="subnet-pub", cidr="10.0.0.0/24")
    estate.igw()
    estate.nat()
    estate.route_table(
        route_table_id="rtb-pub", subnets=["subnet-pub"], routes=[route("0.0.0.0/0", "igw-1")]
    )
    estate.route_table(subnets=["subnet-1"], routes=[route("64:ff9b::/96", "nat-1")])
    estate.security_group(egress=[{"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    estate.task(definition=estate.task_definition(image=DOCKER_HUB))
    result = image_pull(estate)
    assert result.status is Status.PASS
    assert "NAT64 via nat-1" in result.message


def test_all_traffic_rule_counts_as_https(estate: InventoryEstate) -> None:
    estate.nat_vpc()
    estate.records["security_groups"].clear()
    estate.security_group(egress=[ALL_TRAFFIC])
    estate.task()
    assert image_pull(estate).status is Status.PASS


def test_egress_only_gateways_failing_alone_does_not_make_ipv4_paths_unknown(
    estate: InventoryEstate,
) -> None:
    estate.nat_vpc()
    estate.task()
    estate.fail("ec2.egress_only_internet_gateways")
    assert image_pull(estate).status is Status.PASS
