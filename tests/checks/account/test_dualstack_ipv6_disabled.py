"""dualstack-ipv6-disabled: inferred from the tasks' addresses, judged per region, out of scope
without IPv6 subnets."""

from __future__ import annotations

from checks.account import dualstack_ipv6_disabled
from checks.base import ResourceType, Status
from tests.checks.checks_factories import ACCOUNT, InventoryEstate


def dual_stack(estate: InventoryEstate, region: str | None = None) -> None:
    estate.vpc(ipv6_cidrs=["2600:1f18::/56"], region=region)
    estate.subnet(ipv6_cidrs=["2600:1f18::/64"], assign_ipv6=True, region=region)


def test_dualstack_inferred_enabled_from_a_task_with_ipv6(estate: InventoryEstate) -> None:
    dual_stack(estate)
    estate.task(ipv6=["2600:1f18::1"])
    (result,) = dualstack_ipv6_disabled.evaluate(estate.inventory())
    assert (result.resource_type, result.resource_id, result.status) == (
        ResourceType.ACCOUNT_REGION,
        ACCOUNT,
        Status.PASS,
    )
    assert "did not return" in result.message


def test_dualstack_absent_with_eligible_tasks_lacking_ipv6_is_unknown(
    estate: InventoryEstate,
) -> None:
    dual_stack(estate)
    estate.task()
    (result,) = dualstack_ipv6_disabled.evaluate(estate.inventory())
    assert result.status is Status.UNKNOWN
    assert "1 eligible task(s) lack IPv6" in result.message


def test_dualstack_scope_is_per_region_and_includes_services(
    make_estate: type[InventoryEstate],
) -> None:
    estate = make_estate(regions=["us-east-1", "eu-west-1"])
    dual_stack(estate, region="eu-west-1")
    estate.service(region="eu-west-1")
    estate.setting(value="disabled", region="eu-west-1")
    estate.setting(value="disabled", region="us-east-1")
    results = list(dualstack_ipv6_disabled.evaluate(estate.inventory()))
    assert [(r.region, r.status) for r in results] == [("eu-west-1", Status.FAIL)]


def test_dualstack_out_of_scope_without_ipv6_subnets(estate: InventoryEstate) -> None:
    estate.vpc()
    estate.subnet()
    estate.task()
    estate.setting(value="disabled")
    assert list(dualstack_ipv6_disabled.evaluate(estate.inventory())) == []
