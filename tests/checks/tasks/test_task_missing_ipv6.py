"""task-missing-ipv6: the causes it can see, and what is out of scope."""

from __future__ import annotations

from checks.base import Status
from checks.tasks import task_missing_ipv6
from tests.checks.checks_factories import InventoryEstate


def dual_stack(estate: InventoryEstate, *, assign: bool = True) -> None:
    estate.vpc(ipv6_cidrs=["2600:1f18::/56"])
    estate.subnet(ipv6_cidrs=["2600:1f18::/64"], assign_ipv6=assign)


def test_missing_ipv6_names_every_cause_it_can_see(estate: InventoryEstate) -> None:
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


def test_missing_setting_is_named_as_a_possible_cause(estate: InventoryEstate) -> None:
    dual_stack(estate)
    estate.task()
    (result,) = task_missing_ipv6.evaluate(estate.inventory())
    assert result.status is Status.FAIL
    assert "was not returned" in result.message


def test_ipv4_only_subnets_and_windows_tasks_are_out_of_scope(estate: InventoryEstate) -> None:
    estate.vpc()
    estate.subnet()
    estate.task()
    dual = InventoryEstate()
    dual_stack(dual)
    definition = dual.task_definition(os_family="WINDOWS_SERVER_2022_FULL")
    dual.task(definition=definition, platform_family="WINDOWS_SERVER_2022_FULL")
    assert list(task_missing_ipv6.evaluate(estate.inventory())) == []
    assert list(task_missing_ipv6.evaluate(dual.inventory())) == []


def test_account_settings_failure_alone_does_not_make_it_unknown(estate: InventoryEstate) -> None:
    dual_stack(estate)
    estate.task(ipv6=["2600:1f18::5"])
    estate.fail("ecs.account_settings")
    assert [r.status for r in task_missing_ipv6.evaluate(estate.inventory())] == [Status.PASS]
