"""ecs.services: the transform on literal DescribeServices items."""

from __future__ import annotations

from auditor.store.resources import EcsService
from collectors.ecs.services import transform_service
from tests.collectors.collectors_estate import SeededCollection

ACCOUNT = "123456789012"


REGION = "eu-west-1"


def test_service_reads_awsvpc_capacity_providers_and_load_balancers() -> None:
    item = {
        "serviceArn": "arn:s",
        "serviceName": "web",
        "clusterArn": "arn:c",
        "status": "ACTIVE",
        "capacityProviderStrategy": [
            {"capacityProvider": "FARGATE_SPOT", "weight": 3},
            {"capacityProvider": "FARGATE", "base": 1},
        ],
        "platformVersion": "LATEST",
        "taskDefinition": "arn:td",
        "desiredCount": 2,
        "runningCount": 1,
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": ["subnet-1", "subnet-2"],
                "securityGroups": ["sg-1"],
                "assignPublicIp": "ENABLED",
            }
        },
        "loadBalancers": [
            {"targetGroupArn": "arn:tg", "containerName": "app", "containerPort": 80}
        ],
    }
    service = transform_service(item, ACCOUNT, REGION)
    assert service.capacity_providers == ["FARGATE_SPOT", "FARGATE"]
    assert service.is_fargate
    assert service.launch_type is None
    assert service.subnet_ids == ["subnet-1", "subnet-2"]
    assert service.security_group_ids == ["sg-1"]
    assert service.assign_public_ip == "ENABLED"
    assert service.load_balancers == item["loadBalancers"]


def test_service_without_network_configuration() -> None:
    service = transform_service(
        {"serviceArn": "arn:s", "serviceName": "web", "clusterArn": "arn:c"}, ACCOUNT, REGION
    )
    assert (service.subnet_ids, service.assign_public_ip, service.platform_version) == (
        [],
        None,
        None,
    )


def test_collects_the_seeded_service_with_its_subnets(seeded_collection: SeededCollection) -> None:
    estate = seeded_collection.estate
    assert {
        (s.service_arn, s.task_definition_arn, tuple(s.subnet_ids))
        for s in seeded_collection.records(EcsService)
    } == {(estate.service_arn, estate.task_definition_arn, (estate.private_subnet,))}
