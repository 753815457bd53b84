"""vpc-flow-logs: every task subnet covered by an active flow log."""

from __future__ import annotations

from checks.base import Status
from checks.vpc import vpc_flow_logs
from tests.checks.checks_factories import InventoryEstate


def test_flow_logs_on_every_task_subnet_pass(estate: InventoryEstate) -> None:
    estate.vpc()
    estate.subnet()
    estate.subnet(subnet_id="subnet-2", cidr="10.0.2.0/24")
    estate.task(subnet_id="subnet-1", eni=False)
    estate.task(subnet_id="subnet-2", eni=False)
    estate.flow_log(resource_id="subnet-1")
    assert [r.status for r in vpc_flow_logs.evaluate(estate.inventory())] == [Status.FAIL]
    estate.flow_log(resource_id="subnet-2")
    assert [r.status for r in vpc_flow_logs.evaluate(estate.inventory())] == [Status.PASS]


def test_flow_log_with_failed_delivery_does_not_count(estate: InventoryEstate) -> None:
    estate.vpc(name="prod")
    estate.subnet()
    estate.task(eni=False)
    estate.flow_log(delivery="FAILED")
    (result,) = vpc_flow_logs.evaluate(estate.inventory())
    assert result.status is Status.FAIL
    assert result.resource_name == "VPC vpc-1 (prod)"
    assert "(1 inactive or failing)" in result.message
