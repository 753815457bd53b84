"""ec2.dhcp_options: the seeded option set, collected on moto."""

from __future__ import annotations

from auditor.store.resources import Ec2DhcpOptions
from tests.collectors.collectors_estate import SeededCollection


def test_collects_the_option_set_with_its_configurations(
    seeded_collection: SeededCollection,
) -> None:
    assert {
        d.dhcp_options_id: d.configurations for d in seeded_collection.records(Ec2DhcpOptions)
    } == {
        seeded_collection.estate.dhcp_options_id: {"domain-name-servers": ["10.0.0.2", "10.0.0.3"]}
    }
