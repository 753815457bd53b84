"""legacy-platform-version: services and tasks on 1.3.0 and older, unrecognised versions."""

from __future__ import annotations

from checks.base import Status
from checks.tasks import legacy_platform_version
from tests.checks.checks_factories import InventoryEstate, statuses


def test_legacy_services_and_tasks(estate: InventoryEstate) -> None:
    old_service = estate.service(name="old", platform_version="1.3.0")
    new_service = estate.service(name="new", platform_version="LATEST")
    pinned = estate.task(platform_version="1.4.0", eni=False)
    windows_definition = estate.task_definition(family="win", os_family="WINDOWS_SERVER_2019_CORE")
    estate.task(
        definition=windows_definition,
        platform_version="1.0.0",
        platform_family="WINDOWS_SERVER_2019_CORE",
        eni=False,
    )
    assert statuses(legacy_platform_version.evaluate(estate.inventory())) == {
        ("legacy-platform-version", old_service.service_arn, Status.FAIL),
        ("legacy-platform-version", new_service.service_arn, Status.PASS),
        ("legacy-platform-version", pinned.task_arn, Status.PASS),
    }


def test_unrecognised_version_is_unknown(estate: InventoryEstate) -> None:
    task = estate.task(platform_version="2.0.0-preview", eni=False)
    assert statuses(legacy_platform_version.evaluate(estate.inventory())) == {
        ("legacy-platform-version", task.task_arn, Status.UNKNOWN)
    }
