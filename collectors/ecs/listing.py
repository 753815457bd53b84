"""What the ECS collectors ask AWS for clusters, tasks and services, apart from what they
make of it.

Kept free of the store's record classes (and so of SQLAlchemy): ``auditor.ecs_prefetch``
sends these same calls, through these same functions, before the rest of the process has
loaded, and the collectors are then handed the answers (``collectors.prefetched``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from collectors.calls import Api, IncompleteResponseError, Item, chunks, gather_lists

CLUSTERS_BATCH = 100  # DescribeClusters accepts at most 100 clusters
TASKS_BATCH = 100  # DescribeTasks accepts at most 100 tasks
SERVICES_BATCH = 10  # DescribeServices accepts at most 10 services
DESIRED_STATUSES = ("RUNNING", "STOPPED")

T = TypeVar("T")


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

    return await gather_lists(describe(batch) for batch in chunks(arns, CLUSTERS_BATCH))


async def fetch_tasks_as(api: Api, cluster_arn: str, convert: Callable[[Item], T]) -> list[T]:
    """The cluster's tasks, each converted as soon as its DescribeTasks page arrives: the
    pages answered first are transformed while the others are still in flight, so the
    collectors waiting for the tasks do not also wait for thousands of transforms."""
    listings = await asyncio.gather(
        *(
            api.items(
                "list_tasks", "taskArns", cluster=cluster_arn, desiredStatus=status, maxResults=100
            )
            for status in DESIRED_STATUSES
        )
    )
    # A task can move from RUNNING to STOPPED between the two listings: describe it once.
    arns = list(dict.fromkeys(arn for listing in listings for arn in listing))

    async def describe(batch: list[str]) -> list[T]:
        response = await api.call("describe_tasks", cluster=cluster_arn, tasks=batch)
        raise_on_failures(response)
        return [convert(item) for item in response["tasks"]]

    return await gather_lists(describe(batch) for batch in chunks(arns, TASKS_BATCH))


async def fetch_services(api: Api, cluster_arn: str) -> list[Item]:
    arns = await api.items("list_services", "serviceArns", cluster=cluster_arn, maxResults=100)

    async def describe(batch: list[str]) -> list[Item]:
        response = await api.call("describe_services", cluster=cluster_arn, services=batch)
        raise_on_failures(response)
        return list(response["services"])

    return await gather_lists(describe(batch) for batch in chunks(arns, SERVICES_BATCH))


async def fetch_ecs_listing(api: Api) -> None:
    """Every call of ecs.clusters, then of ecs.tasks and ecs.services, their answers left
    to ``api``."""
    clusters = await fetch_clusters(api)
    await asyncio.gather(
        *(fetch_tasks_as(api, cluster["clusterArn"], lambda item: item) for cluster in clusters),
        *(fetch_services(api, cluster["clusterArn"]) for cluster in clusters),
    )
