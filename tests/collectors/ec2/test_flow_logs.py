"""ec2.flow_logs: the seeded VPC flow log, collected on moto."""

from __future__ import annotations

from auditor.store.resources import Ec2FlowLog
from tests.collectors.collectors_estate import SeededCollection


def test_collects_the_flow_log_of_the_vpc(seeded_collection: SeededCollection) -> None:
    estate = seeded_collection.estate
    assert {(f.flow_log_id, f.resource_id) for f in seeded_collection.records(Ec2FlowLog)} == {
        (estate.flow_log_id, estate.vpc_id)
    }
