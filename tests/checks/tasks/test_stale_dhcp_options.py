"""stale-dhcp-options: CloudTrail first, then scan history, UNKNOWN when neither can tell."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from auditor.inventory import Inventory
from checks.base import Result, Status
from checks.tasks import stale_dhcp_options
from checks.tasks.stale_dhcp_options import evaluate
from tests.checks.checks_factories import (
    InventoryEstate,
    only,
    statuses,
)

CHECK = "stale-dhcp-options"


STARTED = datetime(2026, 11, 20, tzinfo=UTC)


def previous_scan(
    make_estate: Callable[..., InventoryEstate], *, dhcp: str, task_ids: list[str]
) -> Inventory:
    before = make_estate(scan_id="scan-0", started_at=datetime(2026, 11, 25, tzinfo=UTC))
    before.vpc(dhcp_options_id=dhcp)
    before.subnet()
    for task_id in task_ids:
        before.task(task_id=task_id, eni=False)
    return before.inventory()


def current(estate: InventoryEstate, *, dhcp: str = "dopt-new", with_trail: bool = False) -> None:
    estate.vpc(dhcp_options_id=dhcp)
    estate.subnet()
    if not with_trail:
        estate.fail("cloudtrail.dhcp_associations", status="error", error="HTTP 500")


def test_history_change_flags_tasks_seen_before_and_passes_new_ones(
    estate: InventoryEstate, make_estate: Callable[..., InventoryEstate]
) -> None:
    current(estate)
    old = estate.task(task_id="old", eni=False)
    # A task first seen after a change passes only with a start time after the previous scan.
    new = estate.task(task_id="new", eni=False, started_at=datetime(2026, 11, 25, 12, tzinfo=UTC))
    previous = previous_scan(make_estate, dhcp="dopt-old", task_ids=["old"])
    results = list(evaluate(estate.inventory(previous=previous)))
    assert statuses(results) == {
        (CHECK, old.task_arn, Status.FAIL),
        (CHECK, new.task_arn, Status.PASS),
    }
    failing = next(r for r in results if r.status is Status.FAIL)
    assert "from DHCP option set dopt-old to dopt-new" in failing.message
    assert failing.evidence["source"] == "scan-history"


def test_unchanged_set_passes_new_tasks_and_cannot_judge_old_ones(
    estate: InventoryEstate, make_estate: Callable[..., InventoryEstate]
) -> None:
    current(estate, dhcp="dopt-same")
    old = estate.task(task_id="old", eni=False)
    new = estate.task(task_id="new", eni=False)
    previous = previous_scan(make_estate, dhcp="dopt-same", task_ids=["old"])
    assert statuses(evaluate(estate.inventory(previous=previous))) == {
        (CHECK, old.task_arn, Status.UNKNOWN),
        (CHECK, new.task_arn, Status.PASS),
    }


def test_previous_scan_that_failed_to_list_vpcs_is_no_history(
    estate: InventoryEstate, make_estate: Callable[..., InventoryEstate]
) -> None:
    current(estate)
    task = estate.task(task_id="old", eni=False)
    before = make_estate(scan_id="scan-0")
    before.fail("ec2.vpcs")
    assert statuses(evaluate(estate.inventory(previous=before.inventory()))) == {
        (CHECK, task.task_arn, Status.UNKNOWN)
    }


def test_cloudtrail_without_events_passes_recent_tasks(estate: InventoryEstate) -> None:
    current(estate, with_trail=True)
    task = estate.task(started_at=STARTED, eni=False)
    (result,) = evaluate(estate.inventory())
    assert (result.resource_id, result.status) == (task.task_arn, Status.PASS)
    assert result.evidence["source"] == "cloudtrail"


def test_cloudtrail_without_events_cannot_judge_tasks_older_than_90_days(
    estate: InventoryEstate,
) -> None:
    current(estate, with_trail=True)
    estate.task(started_at=datetime(2026, 1, 1, tzinfo=UTC), eni=False)
    assert [r.status for r in evaluate(estate.inventory())] == [Status.UNKNOWN]


def test_failed_association_events_are_ignored(estate: InventoryEstate) -> None:
    current(estate, with_trail=True)
    estate.dhcp_event(
        dhcp_options_id="dopt-new",
        at=datetime(2026, 11, 25, tzinfo=UTC),
        error_code="Client.UnauthorizedOperation",
    )
    estate.task(started_at=STARTED, eni=False)
    assert [r.status for r in evaluate(estate.inventory())] == [Status.PASS]


def test_cloudtrail_event_after_start_fails_with_both_times(estate: InventoryEstate) -> None:
    current(estate, with_trail=True)
    estate.dhcp_event(dhcp_options_id="dopt-new", at=datetime(2026, 11, 25, tzinfo=UTC))
    estate.task(started_at=STARTED, eni=False)
    (result,) = evaluate(estate.inventory())
    assert result.status is Status.FAIL
    assert "2026-11-20T00:00:00+00:00" in result.message
    assert "2026-11-25T00:00:00+00:00" in result.message


def test_task_without_start_time_falls_back_to_history(
    estate: InventoryEstate, make_estate: Callable[..., InventoryEstate]
) -> None:
    current(estate, with_trail=True)
    estate.dhcp_event(dhcp_options_id="dopt-new", at=datetime(2026, 11, 25, tzinfo=UTC))
    task = estate.task(task_id="old", eni=False)
    previous = previous_scan(make_estate, dhcp="dopt-old", task_ids=["old"])
    assert statuses(evaluate(estate.inventory(previous=previous))) == {
        (CHECK, task.task_arn, Status.FAIL)
    }


def _after_a_set_change_without_cloudtrail(
    estate: InventoryEstate,
    make_estate: Callable[..., InventoryEstate],
    *,
    started_at: datetime | None,
) -> Result:
    """The VPC's option set changed since the previous scan and CloudTrail failed: only the
    task's start time against that scan can tell whether it got the new set."""
    before = make_estate(scan_id="scan-0", started_at=datetime(2026, 11, 25, 10, tzinfo=UTC))
    before.vpc(dhcp_options_id="dopt-A")
    before.subnet()
    previous = before.inventory()
    estate.vpc(dhcp_options_id="dopt-B")
    estate.subnet()
    estate.fail("cloudtrail.dhcp_associations", status="error", error="HTTP 500")
    estate.task(task_id="t", eni=False, started_at=started_at)
    return only(stale_dhcp_options.evaluate(estate.inventory(previous=previous)))


def test_task_older_than_the_previous_scan_yet_absent_from_it_is_unknown(
    estate: InventoryEstate, make_estate: Callable[..., InventoryEstate]
) -> None:
    result = _after_a_set_change_without_cloudtrail(
        estate, make_estate, started_at=datetime(2026, 11, 20, tzinfo=UTC)
    )
    assert result.status is Status.UNKNOWN
    assert "before that scan, yet was not seen in it" in result.message


def test_new_task_without_a_start_time_is_unknown(
    estate: InventoryEstate, make_estate: Callable[..., InventoryEstate]
) -> None:
    result = _after_a_set_change_without_cloudtrail(estate, make_estate, started_at=None)
    assert result.status is Status.UNKNOWN
    assert "its start time is not known" in result.message


def test_task_started_after_the_previous_scan_has_the_new_set_and_passes(
    estate: InventoryEstate, make_estate: Callable[..., InventoryEstate]
) -> None:
    result = _after_a_set_change_without_cloudtrail(
        estate, make_estate, started_at=datetime(2026, 11, 25, 12, tzinfo=UTC)
    )
    assert result.status is Status.PASS
    assert result.evidence["task_started_at"] == "2026-11-25T12:00:00+00:00"
