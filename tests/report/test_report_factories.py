"""The report tests' findings carry evidence shaped as the checks write it: same keys, same
kinds of values, so a renderer tested on them reads what a scan stores."""

from __future__ import annotations

from datetime import date
from typing import Any

from auditor.muting import apply
from checks.base import Status
from checks.vpc import vpc_dns_attributes
from tests.checks.checks_factories import InventoryEstate, image_pull, only
from tests.report.report_factories import SANDBOX_RULE, path_evidence


def shape(value: Any) -> Any:
    """Keys and value kinds, not values (a list by its first item; None and str alike)."""
    if isinstance(value, dict):
        return {key: shape(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return "text" if value is None or isinstance(value, str) else type(value).__name__


def test_path_evidence_has_the_shape_image_pull_path_writes() -> None:
    estate = InventoryEstate()
    estate.nat_vpc(state="deleted")
    estate.task()
    written = image_pull(estate)
    assert written.status is Status.FAIL
    assert shape(path_evidence(source="task t", nat_ok=False)) == shape(written.evidence)


def test_an_unknown_for_missing_data_lists_the_collectors_as_the_factories_do() -> None:
    estate = InventoryEstate()
    estate.vpc()
    estate.subnet()
    estate.task(eni=False)
    estate.fail("ec2.vpcs")
    written = only(vpc_dns_attributes.evaluate(estate.inventory()))
    assert written.status is Status.UNKNOWN
    assert shape(written.evidence) == shape({"missing": ["ec2.route_tables"]})


def test_muted_evidence_is_what_the_mutelist_writes() -> None:
    estate = InventoryEstate()
    estate.vpc(vpc_id="vpc-0sandbox", dns_hostnames=False)
    estate.subnet(vpc_id="vpc-0sandbox")
    estate.task(vpc_id="vpc-0sandbox", eni=False)
    results = list(vpc_dns_attributes.evaluate(estate.inventory()))
    (muted,), _ = apply(results, [SANDBOX_RULE], today=date(2026, 11, 26))
    assert muted.status is Status.MUTED
    assert muted.evidence["muted_by"] == SANDBOX_RULE.describe()
