"""ec2.prefix_lists: CIDRs from the prefix list's entries."""

from __future__ import annotations

from auditor.store.resources import Ec2ManagedPrefixList
from collectors.ec2.prefix_lists import transform_prefix_list
from tests.collectors.collectors_estate import SeededCollection

ACCOUNT = "123456789012"


REGION = "eu-west-1"


def test_prefix_list_cidrs_from_entries() -> None:
    prefix_list = transform_prefix_list(
        {
            "PrefixListId": "pl-1",
            "PrefixListName": "com.amazonaws.eu-west-1.s3",
            "AddressFamily": "IPv4",
        },
        [{"Cidr": "52.218.0.0/17"}, {"Cidr": "3.5.64.0/21", "Description": "x"}],
        ACCOUNT,
        REGION,
    )
    assert prefix_list.cidrs == ["52.218.0.0/17", "3.5.64.0/21"]
    assert prefix_list.raw["Entries"][1]["Description"] == "x"


def test_collects_the_referenced_prefix_list_with_its_entries(
    seeded_collection: SeededCollection,
) -> None:
    prefix_lists = seeded_collection.records(Ec2ManagedPrefixList)
    assert {p.prefix_list_id for p in prefix_lists} == {seeded_collection.estate.s3_prefix_list}
    assert set(prefix_lists[0].cidrs) == seeded_collection.s3_prefix_list_cidrs != set()
