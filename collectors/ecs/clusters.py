"""ecs.clusters: ListClusters, then DescribeClusters 100 at a time."""

from __future__ import annotations

from auditor.store.resources import EcsCluster
from collectors.calls import Api, IncompleteResponseError, Item, chunks, gather_lists
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable, text

DESCRIBE_BATCH = 100  # DescribeClusters accepts at most 100 clusters


def raise_on_failures(response: Item) -> None:
    """ECS reports per-item failures in the body; a resource gone since listing is fine."""
    failures = [f for f in response.get("failures", []) if f.get("reason") != "MISSING"]
    if failures:
        first = failures[0]
        raise IncompleteResponseError(
            f"{len(failures)} item(s) not described, e.g. {first.get('arn')}: "
            f"{first.get('reason')} {first.get('detail') or ''}".strip()
        )


async def fetch_clusters(api: Api) -> list[Item]:
    arns = await api.items("list_clusters", "clusterArns", maxResults=100)

    async def describe(batch: list[str]) -> list[Item]:
        response = await api.call("describe_clusters", clusters=batch)
        raise_on_failures(response)
        return list(response["clusters"])

    return await gather_lists(describe(batch) for batch in chunks(arns, DESCRIBE_BATCH))


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
