"""ecs.clusters: the seeded estate's clusters, collected on moto."""

from __future__ import annotations

from auditor.store.resources import EcsCluster
from tests.collectors.collectors_estate import SeededCollection


def test_collects_the_seeded_cluster(seeded_collection: SeededCollection) -> None:
    clusters = seeded_collection.records(EcsCluster)
    assert {c.cluster_arn for c in clusters} == {seeded_collection.estate.cluster_arn}
