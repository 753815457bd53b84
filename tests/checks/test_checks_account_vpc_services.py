"""dualstack-ipv6-disabled, ecs-service-linked-role, vpc-*, execution-role-missing and
fargate-load-balancer beyond their basic cases."""

from __future__ import annotations

from checks_factories import ACCOUNT, ECR_IMAGE, Estate, statuses

from checks.account import dualstack_ipv6_disabled, ecs_service_linked_role
from checks.base import ResourceType, Status
from checks.definitions import execution_role_missing
from checks.services import fargate_load_balancer
from checks.vpc import vpc_dns_attributes, vpc_flow_logs


def dual_stack(estate: Estate, region: str | None = None) -> None:
    estate.vpc(ipv6_cidrs=["2600:1f18::/56"], region=region)
    estate.subnet(ipv6_cidrs=["2600:1f18::/64"], assign_ipv6=True, region=region)


def test_dualstack_inferred_enabled_from_a_task_with_ipv6(estate: Estate) -> None:
    dual_stack(estate)
    estate.task(ipv6=["2600:1f18::1"])
    (result,) = dualstack_ipv6_disabled.evaluate(estate.inventory())
    assert (result.resource_type, result.resource_id, result.status) == (
        ResourceType.ACCOUNT_REGION,
        ACCOUNT,
        Status.PASS,
    )
    assert "did not return" in result.message


def test_dualstack_absent_with_eligible_tasks_lacking_ipv6_is_unknown(estate: Estate) -> None:
    dual_stack(estate)
    estate.task()
    (result,) = dualstack_ipv6_disabled.evaluate(estate.inventory())
    assert result.status is Status.UNKNOWN
    assert "1 eligible task(s) lack IPv6" in result.message


def test_dualstack_scope_is_per_region_and_includes_services(make_estate: type[Estate]) -> None:
    estate = make_estate(regions=["us-east-1", "eu-west-1"])
    dual_stack(estate, region="eu-west-1")
    estate.service(region="eu-west-1")
    estate.setting(value="disabled", region="eu-west-1")
    estate.setting(value="disabled", region="us-east-1")
    results = list(dualstack_ipv6_disabled.evaluate(estate.inventory()))
    assert [(r.region, r.status) for r in results] == [("eu-west-1", Status.FAIL)]


def test_dualstack_out_of_scope_without_ipv6_subnets(estate: Estate) -> None:
    estate.vpc()
    estate.subnet()
    estate.task()
    estate.setting(value="disabled")
    assert list(dualstack_ipv6_disabled.evaluate(estate.inventory())) == []


def test_service_linked_role_not_needed_without_ecs(estate: Estate) -> None:
    assert list(ecs_service_linked_role.evaluate(estate.inventory())) == []


def test_service_linked_role_unknown_when_clusters_could_not_be_listed(estate: Estate) -> None:
    estate.fail("ecs.clusters")
    (result,) = ecs_service_linked_role.evaluate(estate.inventory())
    assert (result.region, result.resource_type, result.status) == (
        "global",
        ResourceType.ACCOUNT,
        Status.UNKNOWN,
    )


def test_flow_logs_on_every_task_subnet_pass(estate: Estate) -> None:
    estate.vpc()
    estate.subnet()
    estate.subnet(subnet_id="subnet-2", cidr="10.0.2.0/24")
    estate.task(subnet_id="subnet-1", eni=False)
    estate.task(subnet_id="subnet-2", eni=False)
    estate.flow_log(resource_id="subnet-1")
    assert [r.status for r in vpc_flow_logs.evaluate(estate.inventory())] == [Status.FAIL]
    estate.flow_log(resource_id="subnet-2")
    assert [r.status for r in vpc_flow_logs.evaluate(estate.inventory())] == [Status.PASS]


def test_flow_log_with_failed_delivery_does_not_count(estate: Estate) -> None:
    estate.vpc(name="prod")
    estate.subnet()
    estate.task(eni=False)
    estate.flow_log(delivery="FAILED")
    (result,) = vpc_flow_logs.evaluate(estate.inventory())
    assert result.status is Status.FAIL
    assert result.resource_name == "VPC vpc-1 (prod)"
    assert "(1 inactive or failing)" in result.message


def test_one_result_per_vpc_hosting_tasks(estate: Estate) -> None:
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


def test_dns_support_off_names_the_exact_command(estate: Estate) -> None:
    estate.vpc(dns_support=False, dns_hostnames=False)
    estate.subnet()
    estate.task(eni=False)
    (result,) = vpc_dns_attributes.evaluate(estate.inventory())
    assert "aws ec2 modify-vpc-attribute --vpc-id vpc-1 --enable-dns-support" in result.message
    assert "--enable-dns-hostnames" in result.message


def test_execution_role_judged_once_per_definition(estate: Estate) -> None:
    needs_role = estate.task_definition(image=ECR_IMAGE, execution_role=None)
    no_needs = estate.task_definition(family="hub", image="nginx:1", execution_role=None)
    logs_only = estate.task_definition(
        family="logs", image="nginx:1", awslogs=True, execution_role=None
    )
    estate.task(definition=needs_role, eni=False)
    estate.task(definition=needs_role, eni=False)
    estate.service(definition=needs_role)
    estate.task(definition=no_needs, eni=False)
    estate.service(name="logs", definition=logs_only)
    results = list(execution_role_missing.evaluate(estate.inventory()))
    assert statuses(results) == {
        ("execution-role-missing", needs_role.task_definition_arn, Status.FAIL),
        ("execution-role-missing", no_needs.task_definition_arn, Status.PASS),
        ("execution-role-missing", logs_only.task_definition_arn, Status.FAIL),
    }
    failing = next(r for r in results if r.resource_id == needs_role.task_definition_arn)
    assert failing.message.startswith("Task definition web:1 pulls from private ECR")


def test_classic_load_balancer_fails_and_services_without_one_are_out_of_scope(
    estate: Estate,
) -> None:
    classic = estate.service(name="legacy", load_balancers=[{"loadBalancerName": "old-clb"}])
    estate.service(name="worker")
    (result,) = fargate_load_balancer.evaluate(estate.inventory())
    assert (result.resource_id, result.status) == (classic.service_arn, Status.FAIL)
    assert "Classic Load Balancer old-clb" in result.message


def test_target_group_not_in_inventory_is_unknown(estate: Estate) -> None:
    service = estate.service(load_balancers=[{"targetGroupArn": "arn:aws:tg/gone"}])
    assert statuses(fargate_load_balancer.evaluate(estate.inventory())) == {
        ("fargate-load-balancer", service.service_arn, Status.UNKNOWN)
    }
