"""ecs.tasks: the transform on literal DescribeTasks items, the ENI from the ENI attachment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from auditor.store.resources import EcsTask
from collectors.ecs.tasks import transform_task
from tests.collectors.collectors_estate import SeededCollection

ACCOUNT = "123456789012"


REGION = "eu-west-1"


def test_task_eni_comes_from_the_eni_attachment_not_index_0() -> None:
    started = datetime(2026, 3, 1, 12, 0, tzinfo=timezone(timedelta(hours=9)))
    item = {
        "taskArn": "arn:aws:ecs:eu-west-1:123456789012:task/prod/abc",
        "clusterArn": "arn:aws:ecs:eu-west-1:123456789012:cluster/prod",
        "taskDefinitionArn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:3",
        "lastStatus": "RUNNING",
        "desiredStatus": "RUNNING",
        "launchType": "",
        "capacityProviderName": "FARGATE_SPOT",
        "platformVersion": "1.4.0",
        "platformFamily": "Linux",
        "startedAt": started,
        "stopCode": "SomeFutureStopCode",
        "attachments": [
            {"id": "sc", "type": "ServiceConnect", "details": [{"name": "x", "value": "y"}]},
            {
                "id": "eni-attachment",
                "type": "ElasticNetworkInterface",
                "status": "ATTACHED",
                "details": [
                    {"name": "subnetId", "value": "subnet-1"},
                    {"name": "networkInterfaceId", "value": "eni-1"},
                    {"name": "macAddress", "value": "0a:00"},
                    {"name": "privateIPv4Address", "value": "10.0.1.7"},
                ],
            },
        ],
    }
    task = transform_task(item, ACCOUNT, REGION)
    assert (task.eni_id, task.subnet_id, task.private_ipv4) == ("eni-1", "subnet-1", "10.0.1.7")
    assert task.launch_type is None  # "" is not a value
    assert task.is_fargate
    assert task.started_at == datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    assert task.started_at.tzinfo is UTC
    assert task.created_at is None
    assert task.stop_code == "SomeFutureStopCode"
    assert task.raw["startedAt"] == "2026-03-01T03:00:00+00:00"
    assert task.raw["attachments"][0]["type"] == "ServiceConnect"


def test_task_without_eni_attachment_has_no_eni() -> None:
    item = {
        "taskArn": "arn:t",
        "clusterArn": "arn:c",
        "taskDefinitionArn": "arn:td",
        "attachments": [{"id": "x", "type": "eni", "details": []}],
    }
    task = transform_task(item, ACCOUNT, REGION)
    assert (task.eni_id, task.subnet_id, task.private_ipv4) == (None, None, None)


def test_task_missing_a_required_field_fails_loudly() -> None:
    with pytest.raises(KeyError):
        transform_task({"taskArn": "arn:t", "clusterArn": "arn:c"}, ACCOUNT, REGION)


def test_collects_running_spot_and_stopped_tasks_with_their_enis(
    seeded_collection: SeededCollection,
) -> None:
    estate = seeded_collection.estate
    tasks = seeded_collection.records(EcsTask)
    assert {(t.task_arn, t.last_status, t.eni_id, t.subnet_id, t.is_fargate) for t in tasks} == {
        (task, status, estate.task_enis[task], estate.private_subnet, True)
        for task, status in (
            (estate.fargate_task, "RUNNING"),
            (estate.spot_task, "RUNNING"),
            (estate.stopped_task, "STOPPED"),
        )
    }
    spot = next(t for t in tasks if t.task_arn == estate.spot_task)
    assert (spot.launch_type, spot.capacity_provider_name) == (None, "FARGATE_SPOT")
    stopped = next(t for t in tasks if t.task_arn == estate.stopped_task)
    assert stopped.stopped_reason == "CannotPullContainerError: x"
