"""ec2.vpc_endpoints: gateway and interface endpoints, collected on moto."""

from __future__ import annotations

from auditor.store.resources import Ec2VpcEndpoint
from tests.collectors.collectors_estate import SeededCollection


def test_collects_gateway_and_interface_endpoints(seeded_collection: SeededCollection) -> None:
    estate = seeded_collection.estate
    endpoints = seeded_collection.records(Ec2VpcEndpoint)
    assert {
        (e.vpc_endpoint_id, e.endpoint_type, tuple(e.subnet_ids), tuple(e.route_table_ids))
        for e in endpoints
    } == {
        (estate.s3_endpoint_id, "Gateway", (), (estate.main_route_table_id,)),
        (estate.ecr_endpoint_id, "Interface", (estate.private_subnet,), ()),
    }
    ecr = next(e for e in endpoints if e.vpc_endpoint_id == estate.ecr_endpoint_id)
    assert (ecr.private_dns_enabled, ecr.security_group_ids) == (True, [estate.task_sg])
