"""ec2.egress_only_internet_gateways: the seeded gateway, collected on moto."""

from __future__ import annotations

from auditor.store.resources import Ec2EgressOnlyInternetGateway
from tests.collectors.collectors_estate import SeededCollection


def test_collects_the_seeded_gateway(seeded_collection: SeededCollection) -> None:
    assert {
        g.egress_only_internet_gateway_id
        for g in seeded_collection.records(Ec2EgressOnlyInternetGateway)
    } == {seeded_collection.estate.eigw_id}
