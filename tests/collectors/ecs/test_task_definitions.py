"""ecs.task_definitions: the transform on a literal DescribeTaskDefinition item."""

from __future__ import annotations

from auditor.store.resources import EcsTaskDefinition
from collectors.ecs.task_definitions import transform_task_definition
from tests.collectors.collectors_estate import SeededCollection

ACCOUNT = "123456789012"


REGION = "eu-west-1"


def test_task_definition_fields() -> None:
    item = {
        "taskDefinitionArn": "arn:td:7",
        "family": "web",
        "revision": 7,
        "networkMode": "awsvpc",
        "requiresCompatibilities": ["FARGATE"],
        "runtimePlatform": {"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"},
        "containerDefinitions": [{"name": "app", "image": "nginx", "secrets": []}],
    }
    definition = transform_task_definition(item, ACCOUNT, REGION)
    assert (definition.family, definition.revision, definition.os_family) == (
        "web",
        7,
        "WINDOWS_SERVER_2022_CORE",
    )
    assert definition.execution_role_arn is None
    assert definition.container_definitions == item["containerDefinitions"]


def test_only_the_definition_in_use_is_described(seeded_collection: SeededCollection) -> None:
    # "unused" is registered but no task or service runs it.
    assert {d.task_definition_arn for d in seeded_collection.records(EcsTaskDefinition)} == {
        seeded_collection.estate.task_definition_arn
    }
