"""recent-pull-failures, legacy-platform-version and task-missing-ipv6."""

from __future__ import annotations

from checks_factories import Estate, statuses

from checks.base import Status
from checks.tasks import legacy_platform_version, recent_pull_failures, task_missing_ipv6

INIT_ERROR = (
    "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
    "retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 "
    "time(s): RequestError: send request failed"
)


def test_container_reason_is_quoted_when_the_task_reason_is_generic(estate: Estate) -> None:
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


def test_initialisation_error_fails_and_running_tasks_are_out_of_scope(estate: Estate) -> None:
    stopped = estate.task(status="STOPPED", eni=False, stopped_reason=INIT_ERROR)
    estate.task(eni=False)
    assert statuses(recent_pull_failures.evaluate(estate.inventory())) == {
        ("recent-pull-failures", stopped.task_arn, Status.FAIL)
    }


def test_long_reasons_are_shortened_in_the_message_but_kept_in_evidence(estate: Estate) -> None:
    reason = "CannotPullContainerError: " + "x" * 1000
    estate.task(status="STOPPED", eni=False, stopped_reason=reason)
    (result,) = recent_pull_failures.evaluate(estate.inventory())
    assert len(result.message) < 500
    assert result.evidence["reasons"] == [{"source": "task", "reason": reason}]


def test_legacy_services_and_tasks(estate: Estate) -> None:
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


def test_unrecognised_version_is_unknown(estate: Estate) -> None:
    task = estate.task(platform_version="2.0.0-preview", eni=False)
    assert statuses(legacy_platform_version.evaluate(estate.inventory())) == {
        ("legacy-platform-version", task.task_arn, Status.UNKNOWN)
    }


def dual_stack(estate: Estate, *, assign: bool = True) -> None:
    estate.vpc(ipv6_cidrs=["2600:1f18::/56"])
    estate.subnet(ipv6_cidrs=["2600:1f18::/64"], assign_ipv6=assign)


def test_missing_ipv6_names_every_cause_it_can_see(estate: Estate) -> None:
    dual_stack(estate, assign=False)
    estate.setting(value="disabled")
    task = estate.task(platform_version="1.3.0")
    (result,) = task_missing_ipv6.evaluate(estate.inventory())
    assert (result.resource_id, result.status) == (task.task_arn, Status.FAIL)
    assert result.evidence["causes"] == [
        "it runs Linux platform 1.3.0, which has no IPv6",
        "subnet subnet-1 does not auto-assign IPv6 addresses",
        "the dualStackIPv6 account setting is disabled",
    ]


def test_missing_setting_is_named_as_a_possible_cause(estate: Estate) -> None:
    dual_stack(estate)
    estate.task()
    (result,) = task_missing_ipv6.evaluate(estate.inventory())
    assert result.status is Status.FAIL
    assert "was not returned" in result.message


def test_ipv4_only_subnets_and_windows_tasks_are_out_of_scope(estate: Estate) -> None:
    estate.vpc()
    estate.subnet()
    estate.task()
    dual = Estate()
    dual_stack(dual)
    definition = dual.task_definition(os_family="WINDOWS_SERVER_2022_FULL")
    dual.task(definition=definition, platform_family="WINDOWS_SERVER_2022_FULL")
    assert list(task_missing_ipv6.evaluate(estate.inventory())) == []
    assert list(task_missing_ipv6.evaluate(dual.inventory())) == []


def test_account_settings_failure_alone_does_not_make_it_unknown(estate: Estate) -> None:
    dual_stack(estate)
    estate.task(ipv6=["2600:1f18::5"])
    estate.fail("ecs.account_settings")
    assert [r.status for r in task_missing_ipv6.evaluate(estate.inventory())] == [Status.PASS]
