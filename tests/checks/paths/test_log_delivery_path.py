"""log-delivery-path: the logs endpoint, log groups in other regions, tasks without awslogs."""

from __future__ import annotations

from checks.base import Result, Status
from checks.paths import log_delivery_path
from tests.checks.checks_factories import InventoryEstate, statuses


def logs(estate: InventoryEstate) -> list[Result]:
    return list(log_delivery_path.evaluate(estate.inventory()))


def test_logs_endpoint_with_private_dns_passes(estate: InventoryEstate) -> None:
    estate.private_vpc()
    estate.endpoint_group()
    estate.endpoint("logs")
    task = estate.task(definition=estate.task_definition(awslogs=True))
    (result,) = logs(estate)
    assert statuses([result]) == {("log-delivery-path", task.task_arn, Status.PASS)}
    assert "via logs endpoint" in result.message


def test_logs_endpoint_that_is_pending_fails(estate: InventoryEstate) -> None:
    estate.private_vpc()
    estate.endpoint_group()
    estate.endpoint("logs", endpoint_id="vpce-logs", state="pendingAcceptance")
    estate.task(definition=estate.task_definition(awslogs=True))
    (result,) = logs(estate)
    assert result.status is Status.FAIL
    assert "endpoint vpce-logs (com.amazonaws.us-east-1.logs) is pendingAcceptance" in (
        result.message
    )


def test_log_group_in_another_region_ignores_local_endpoints(estate: InventoryEstate) -> None:
    estate.private_vpc()
    estate.endpoint_group()
    estate.endpoint("logs")
    estate.task(definition=estate.task_definition(awslogs=True, awslogs_region="eu-west-1"))
    (result,) = logs(estate)
    assert result.status is Status.FAIL
    assert "awslogs in eu-west-1" in result.message


def test_tasks_without_awslogs_are_out_of_scope(estate: InventoryEstate) -> None:
    estate.private_vpc()
    estate.task()
    assert logs(estate) == []
