"""ecs.clusters: ListClusters, then DescribeClusters 100 at a time (collectors.ecs.listing)."""

from __future__ import annotations

from auditor.store.resources import EcsCluster
from collectors.calls import Item
from collectors.declaration import Collector, Context, Record
from collectors.ecs.listing import fetch_clusters
from collectors.fields import jsonable, text


def transform_cluster(item: Item, account_id: str, region: str) -> EcsCluster:
    return EcsCluster(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        cluster_arn=item["clusterArn"],
        cluster_name=item["clusterName"],
        status=text(item.get("status")),
    )


async def collect(ctx: Context) -> list[Record]:
    items = await fetch_clusters(ctx.api)
    return [transform_cluster(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="ecs.clusters",
    records=(EcsCluster,),
    purpose="clusters of the region, 100 per describe",
    service="ecs",
    actions=("ecs:ListClusters", "ecs:DescribeClusters"),
    collect=collect,
)
