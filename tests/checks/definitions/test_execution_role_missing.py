"""execution-role-missing: judged once per task definition."""

from __future__ import annotations

from checks.base import Status
from checks.definitions import execution_role_missing
from tests.checks.checks_factories import ECR_IMAGE, InventoryEstate, statuses


def test_execution_role_judged_once_per_definition(estate: InventoryEstate) -> None:
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
