"""The root cause a path check's FAIL or UNKNOWN carries: its decisive hop."""

from __future__ import annotations

from checks.base import RootCause, Status
from checks.paths.image_pull_path import evaluate
from checks.reachability.model import Hop, Path, Reachability, decisive_hop
from tests.checks.checks_factories import InventoryEstate, route


def _hop(step: str, ok: bool | None) -> Hop:
    return Hop(step=step, subject=f"{step}-1", ok=ok, detail=f"{step} {ok}")


def test_decisive_hop_is_the_first_problem_of_the_path_that_got_furthest() -> None:
    nat = Path(
        name="nat", hops=(_hop("route-table", True), _hop("route", True), _hop("nat", False))
    )
    endpoint = Path(name="endpoint", hops=(_hop("endpoint", False),))
    reach = Reachability(destination="ecr", paths=(endpoint, nat))
    assert decisive_hop(reach) == nat.hops[2]


def test_unknown_reachability_is_decided_by_an_unknown_path_not_a_failed_one() -> None:
    failed = Path(name="a", hops=(_hop("x", True), _hop("y", True), _hop("z", False)))
    unknown = Path(name="b", hops=(_hop("tgw-route", None),))
    reach = Reachability(destination="internet", paths=(failed, unknown))
    assert reach.reachable is None
    assert decisive_hop(reach) == unknown.hops[0]


def test_reachable_has_no_decisive_hop() -> None:
    reach = Reachability(destination="d", paths=(Path(name="p", hops=(_hop("r", True),)),))
    assert decisive_hop(reach) is None


def test_tasks_behind_one_deleted_nat_share_one_root_cause(estate: InventoryEstate) -> None:
    estate.nat_vpc(state="deleted")
    estate.task()
    estate.task()
    results = list(evaluate(estate.inventory()))
    assert [r.status for r in results] == [Status.FAIL, Status.FAIL]
    causes = {r.root_cause for r in results}
    assert len(causes) == 1
    (cause,) = causes
    assert cause is not None
    assert (cause.kind, cause.resource_id) == ("nat-gateway", "nat-1")
    assert "deleted" in cause.detail


def test_a_missing_default_route_is_another_root_cause(estate: InventoryEstate) -> None:
    estate.vpc()
    estate.subnet()
    estate.route_table(subnets=["subnet-1"], routes=[])
    estate.security_group()
    estate.task()
    (result,) = evaluate(estate.inventory())
    assert result.status is Status.FAIL
    assert result.root_cause is not None
    assert result.root_cause.kind == "route"
    assert result.root_cause != RootCause(kind="nat-gateway", resource_id="nat-1", detail="")


def test_unknown_transit_gateway_route_is_the_root_cause_of_an_unknown(
    estate: InventoryEstate,
) -> None:
    estate.vpc()
    estate.subnet()
    estate.route_table(subnets=["subnet-1"], routes=[route("0.0.0.0/0", "tgw-1")])
    estate.security_group()
    estate.task()
    (result,) = evaluate(estate.inventory())
    assert result.status is Status.UNKNOWN
    assert result.root_cause is not None
    assert "tgw-1" in result.root_cause.detail


def test_pass_has_no_root_cause(estate: InventoryEstate) -> None:
    estate.nat_vpc()
    estate.task()
    (result,) = evaluate(estate.inventory())
    assert result.status is Status.PASS
    assert result.root_cause is None
