"""recent-pull-failures: stopped tasks' reasons quoted, shortened, kept in evidence."""

from __future__ import annotations

from checks.base import Status
from checks.tasks import recent_pull_failures
from tests.checks.checks_factories import InventoryEstate, statuses

INIT_ERROR = (
    "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
    "retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 "
    "time(s): RequestError: send request failed"
)


def test_container_reason_is_quoted_when_the_task_reason_is_generic(
    estate: InventoryEstate,
) -> None:
    task = estate.task(
        status="STOPPED",
        eni=False,
        stopped_reason="Task failed to start",
        container_reasons=[
            "CannotPullContainerError: pull image manifest has been retried 5 "
            "time(s): dial tcp 10.0.0.1:443: i/o timeout"
        ],
    )
    (result,) = recent_pull_failures.evaluate(estate.inventory())
    assert (result.resource_id, result.status) == (task.task_arn, Status.FAIL)
    assert "(container c0)" in result.message
    assert "i/o timeout" in result.message


def test_initialisation_error_fails_and_running_tasks_are_out_of_scope(
    estate: InventoryEstate,
) -> None:
    stopped = estate.task(status="STOPPED", eni=False, stopped_reason=INIT_ERROR)
    estate.task(eni=False)
    assert statuses(recent_pull_failures.evaluate(estate.inventory())) == {
        ("recent-pull-failures", stopped.task_arn, Status.FAIL)
    }


def test_long_reasons_are_shortened_in_the_message_but_kept_in_evidence(
    estate: InventoryEstate,
) -> None:
    reason = "CannotPullContainerError: " + "x" * 1000
    estate.task(status="STOPPED", eni=False, stopped_reason=reason)
    (result,) = recent_pull_failures.evaluate(estate.inventory())
    assert len(result.message) < 500
    assert result.evidence["reasons"] == [{"source": "task", "reason": reason}]
