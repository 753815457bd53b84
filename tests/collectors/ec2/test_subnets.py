"""ec2.subnets: every subnet of the region, collected on moto."""

from __future__ import annotations

from auditor.store.resources import Ec2Subnet
from tests.collectors.collectors_estate import SeededCollection


def test_collects_every_subnet_of_the_region(seeded_collection: SeededCollection) -> None:
    estate = seeded_collection.estate
    subnets = seeded_collection.records(Ec2Subnet)
    ours = {s.subnet_id for s in subnets if s.vpc_id == estate.vpc_id}
    assert ours == {estate.public_subnet, estate.private_subnet}
    assert {s.subnet_id for s in subnets} == seeded_collection.subnet_ids
