"""firelens-delivery over hand-built inventories, one condition at a time."""

from __future__ import annotations

from typing import Any

import pytest

from checks.base import Result, Status
from checks.paths import firelens_delivery
from tests.checks.checks_factories import (
    InventoryEstate,
    first_failing_step,
    https_from_group,
    only,
    route,
)

TASK_ROLE = "arn:aws:iam::123456789012:role/app"


CLOUDWATCH = {"Name": "cloudwatch_logs", "region": "us-east-1", "log_group_name": "/ecs/web"}


def firelens_result(estate: InventoryEstate) -> Result:
    return only(list(firelens_delivery.evaluate(estate.inventory())))


def firelens_task(estate: InventoryEstate, options: dict[str, str], **definition: Any) -> str:
    definition.setdefault("task_role", TASK_ROLE)
    return estate.task(definition=estate.task_definition(firelens=options, **definition)).task_arn


def test_firelens_over_nat_with_task_role_passes() -> None:
    estate = InventoryEstate()
    estate.nat_vpc()
    arn = firelens_task(estate, CLOUDWATCH)
    result = firelens_result(estate)
    assert (result.resource_id, result.status) == (arn, Status.PASS)


def test_firelens_without_task_role_fails() -> None:
    estate = InventoryEstate()
    estate.nat_vpc()
    firelens_task(estate, CLOUDWATCH, task_role=None)
    result = firelens_result(estate)
    assert result.status is Status.FAIL
    assert "no task role" in result.message
    assert "fix:" in result.message
    assert first_failing_step(result) == "task-role"
    assert result.root_cause is not None
    assert result.root_cause.kind == "task-role"


def test_firelens_isolated_subnet_fails() -> None:
    estate = InventoryEstate()
    estate.private_vpc()
    firelens_task(estate, CLOUDWATCH)
    assert firelens_result(estate).status is Status.FAIL


@pytest.mark.parametrize(
    ("plugin", "service"),
    [
        ("cloudwatch_logs", "logs"),
        ("cloudwatch", "logs"),
        ("kinesis_firehose", "kinesis-firehose"),
        ("firehose", "kinesis-firehose"),
        ("kinesis_streams", "kinesis-streams"),
        ("kinesis", "kinesis-streams"),
        ("s3", "s3"),
    ],
)
def test_each_output_needs_its_own_interface_endpoint(plugin: str, service: str) -> None:
    estate = InventoryEstate()
    estate.private_vpc()
    estate.security_group(group_id="sg-endpoints", ingress=[https_from_group("sg-task")])
    estate.endpoint(service)
    right = firelens_task(estate, {"Name": plugin, "region": "us-east-1"})
    other = "logs" if service != "logs" else "kinesis-firehose"
    wrong_plugin = {"logs": "cloudwatch_logs", "kinesis-firehose": "kinesis_firehose"}[other]
    wrong = firelens_task(estate, {"Name": wrong_plugin, "region": "us-east-1"}, family="x")
    results = {r.resource_id: r.status for r in firelens_delivery.evaluate(estate.inventory())}
    assert results == {right: Status.PASS, wrong: Status.FAIL}


def test_s3_output_through_the_gateway_endpoint_passes() -> None:
    estate = InventoryEstate()
    estate.private_vpc()
    estate.ecr_endpoints(skip=("ecr.dkr", "ecr.api"))
    firelens_task(estate, {"Name": "s3", "bucket": "logs", "region": "us-east-1"})
    result = firelens_result(estate)
    assert result.status is Status.PASS
    assert "s3 gateway endpoint" in result.message


def test_output_in_another_region_needs_the_internet() -> None:
    estate = InventoryEstate()
    estate.private_vpc()
    estate.security_group(group_id="sg-endpoints", ingress=[https_from_group("sg-task")])
    estate.endpoint("logs")
    firelens_task(estate, {**CLOUDWATCH, "region": "eu-west-1"})
    assert firelens_result(estate).status is Status.FAIL


@pytest.mark.parametrize(
    ("options", "phrase"),
    [
        ({"Name": "datadog", "Host": "http-intake.logs.datadoghq.com"}, "datadog is not modelled"),
        ({**CLOUDWATCH, "endpoint": "https://logs.internal"}, "custom endpoint"),
        ({"Name": "es", "Host": "vpc-logs-abc.us-east-1.es.amazonaws.com"}, "VPC domains"),
    ],
)
def test_unmodelled_outputs_are_unknown(options: dict[str, str], phrase: str) -> None:
    estate = InventoryEstate()
    estate.nat_vpc()
    firelens_task(estate, options)
    result = firelens_result(estate)
    assert result.status is Status.UNKNOWN
    assert phrase in result.message


def test_custom_config_file_is_unknown() -> None:
    estate = InventoryEstate()
    estate.nat_vpc()
    firelens_task(estate, CLOUDWATCH, firelens_config_file="/fluent-bit/etc/extra.conf")
    result = firelens_result(estate)
    assert result.status is Status.UNKNOWN
    assert "custom configuration file (file /fluent-bit/etc/extra.conf)" in result.message


def test_public_opensearch_domain_needs_only_the_internet() -> None:
    estate = InventoryEstate()
    estate.nat_vpc()
    firelens_task(
        estate,
        {"Name": "opensearch", "Host": "search-logs-abc.us-east-1.es.amazonaws.com"},
        task_role=None,
    )
    assert firelens_result(estate).status is Status.PASS


def test_role_arn_needs_sts_over_the_internet() -> None:
    estate = InventoryEstate()
    estate.private_vpc()
    estate.security_group(group_id="sg-endpoints", ingress=[https_from_group("sg-task")])
    estate.endpoint("logs")
    firelens_task(estate, {**CLOUDWATCH, "role_arn": "arn:aws:iam::210987654321:role/logs"})
    result = firelens_result(estate)
    assert result.status is Status.UNKNOWN
    assert "STS" in result.message


def test_firelens_group_without_egress_fails() -> None:
    estate = InventoryEstate()
    estate.vpc()
    estate.subnet()
    estate.igw()
    estate.route_table(subnets=["subnet-1"], routes=[route("0.0.0.0/0", "igw-1")])
    estate.security_group(egress=[])
    estate.task(
        definition=estate.task_definition(firelens=CLOUDWATCH, task_role=TASK_ROLE),
        public_ip="54.1.2.3",
    )
    assert firelens_result(estate).status is Status.FAIL
