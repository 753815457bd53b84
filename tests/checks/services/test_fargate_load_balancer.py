"""fargate-load-balancer: Classic Load Balancers fail, target groups not collected are UNKNOWN."""

from __future__ import annotations

from checks.base import Status
from checks.services import fargate_load_balancer
from tests.checks.checks_factories import InventoryEstate, statuses


def test_classic_load_balancer_fails_and_services_without_one_are_out_of_scope(
    estate: InventoryEstate,
) -> None:
    classic = estate.service(name="legacy", load_balancers=[{"loadBalancerName": "old-clb"}])
    estate.service(name="worker")
    (result,) = fargate_load_balancer.evaluate(estate.inventory())
    assert (result.resource_id, result.status) == (classic.service_arn, Status.FAIL)
    assert "Classic Load Balancer old-clb" in result.message


def test_target_group_not_in_inventory_is_unknown(estate: InventoryEstate) -> None:
    service = estate.service(load_balancers=[{"targetGroupArn": "arn:aws:tg/gone"}])
    assert statuses(fargate_load_balancer.evaluate(estate.inventory())) == {
        ("fargate-load-balancer", service.service_arn, Status.UNKNOWN)
    }
