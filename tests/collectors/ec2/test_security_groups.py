"""ec2.security_groups: every group of the region with its rules, collected on moto."""

from __future__ import annotations

from auditor.store.resources import Ec2SecurityGroup
from tests.collectors.collectors_estate import SeededCollection


def test_collects_every_group_with_its_prefix_list_rules(
    seeded_collection: SeededCollection,
) -> None:
    estate = seeded_collection.estate
    groups = seeded_collection.records(Ec2SecurityGroup)
    assert {g.group_id for g in groups} == seeded_collection.security_group_ids
    task_sg = next(g for g in groups if g.group_id == estate.task_sg)
    assert any(
        entry["PrefixListId"] == estate.s3_prefix_list
        for rule in task_sg.egress
        for entry in rule.get("PrefixListIds", [])
    )
