"""ecs-service-linked-role: not needed without ECS, UNKNOWN when clusters could not be listed."""

from __future__ import annotations

from checks.account import ecs_service_linked_role
from checks.base import ResourceType, Status
from tests.checks.checks_factories import InventoryEstate


def test_service_linked_role_not_needed_without_ecs(estate: InventoryEstate) -> None:
    assert list(ecs_service_linked_role.evaluate(estate.inventory())) == []


def test_service_linked_role_unknown_when_clusters_could_not_be_listed(
    estate: InventoryEstate,
) -> None:
    estate.fail("ecs.clusters")
    (result,) = ecs_service_linked_role.evaluate(estate.inventory())
    assert (result.region, result.resource_type, result.status) == (
        "global",
        ResourceType.ACCOUNT,
        Status.UNKNOWN,
    )
