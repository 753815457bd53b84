"""non-jumbo-path: platform and private-route MTUs."""

from __future__ import annotations

from checks.base import Result, Status
from checks.paths.non_jumbo_path import evaluate
from tests.checks.checks_factories import InventoryEstate, route


def only(estate: InventoryEstate) -> Result:
    (result,) = evaluate(estate.inventory())
    return result


def network(estate: InventoryEstate, *routes: dict[str, object]) -> None:
    estate.vpc()
    estate.subnet()
    estate.route_table(subnets=["subnet-1"], routes=list(routes))


def test_legacy_platform_fails_without_small_hops(estate: InventoryEstate) -> None:
    network(estate)
    task = estate.task(platform_version="1.3.0", eni=False)
    result = only(estate)
    assert (result.resource_id, result.status) == (task.task_arn, Status.FAIL)
    assert "Linux platform 1.3.0" in result.message


def test_vpn_route_is_listed_with_its_mtu(estate: InventoryEstate) -> None:
    network(estate, route("192.168.0.0/16", "vgw-1"), route("0.0.0.0/0", "igw-1"))
    estate.task(eni=False)
    result = only(estate)
    assert result.status is Status.FAIL
    assert "192.168.0.0/16 via vgw-1 (MTU 1500)" in result.message
    assert {r["destination"] for r in result.evidence["private_routes"]} == {
        "10.0.0.0/16",
        "192.168.0.0/16",
    }


def test_internet_route_through_igw_is_not_flagged(estate: InventoryEstate) -> None:
    network(estate, route("0.0.0.0/0", "igw-1"))
    estate.task(eni=False)
    assert only(estate).status is Status.PASS


def test_windows_1_0_0_supports_jumbo_frames(estate: InventoryEstate) -> None:
    network(estate)
    definition = estate.task_definition(os_family="WINDOWS_SERVER_2022_CORE")
    estate.task(
        definition=definition,
        platform_version=None,
        platform_family="WINDOWS_SERVER_2022_CORE",
        eni=False,
    )
    assert only(estate).status is Status.PASS


def test_prefix_list_through_a_transit_gateway_without_entries_is_unknown(
    estate: InventoryEstate,
) -> None:
    network(estate, route("pl-corp", "tgw-1"))
    estate.task(eni=False)
    result = only(estate)
    assert result.status is Status.UNKNOWN
    assert "pl-corp via tgw-1" in result.message


def test_private_prefix_list_through_a_transit_gateway_fails(estate: InventoryEstate) -> None:
    network(estate, route("pl-corp", "tgw-1"))
    estate.prefix_list(prefix_list_id="pl-corp", cidrs=["10.50.0.0/16", "10.60.0.0/16"])
    estate.task(eni=False)
    assert only(estate).status is Status.FAIL


def test_legacy_platform_fails_even_when_the_route_table_is_unknown(
    estate: InventoryEstate,
) -> None:
    estate.vpc()
    estate.subnet()
    estate.task(platform_version="1.2.0", eni=False)
    result = only(estate)
    assert result.status is Status.FAIL
    # No main table collected for the VPC is missing data (UNKNOWN), not a broken hop.
    assert result.evidence["route_table"]["ok"] is None


def test_peering_within_a_region_keeps_jumbo_frames(estate: InventoryEstate) -> None:
    network(estate, route("10.8.0.0/16", "pcx-1"))
    estate.peering()
    estate.task(eni=False)
    result = only(estate)
    assert result.status is Status.PASS
    notes = {r["target"]: r["note"] for r in result.evidence["private_routes"]}
    assert notes["pcx-1"] == "VPC peering within us-east-1"


def test_inter_region_peering_is_flagged_at_1500(estate: InventoryEstate) -> None:
    network(estate, route("10.8.0.0/16", "pcx-1"))
    estate.peering(accepter_region="eu-west-1")
    estate.task(eni=False)
    result = only(estate)
    assert result.status is Status.FAIL
    assert "10.8.0.0/16 via pcx-1 (MTU 1500)" in result.message


def test_peering_not_collected_is_listed_without_a_verdict(estate: InventoryEstate) -> None:
    network(estate, route("10.8.0.0/16", "pcx-1"))
    estate.task(eni=False)
    result = only(estate)
    assert result.status is Status.PASS
    assert {r["target"]: r["mtu"] for r in result.evidence["private_routes"]}["pcx-1"] is None
