"""iam.service_linked_role: the ECS service-linked role, collected once per account."""

from __future__ import annotations

import pytest

from auditor.store.resources import IamRole
from auditor.store.scans import OutcomeStatus
from collectors.results import Collected
from collectors.run import collect_account
from tests.collectors.collectors_estate import (
    REGION,
    Boto3Factory,
    SeededCollection,
    open_moto_account,
)


def test_collects_the_role_once_globally(seeded_collection: SeededCollection) -> None:
    assert {(r.role_name, r.path, r.region) for r in seeded_collection.records(IamRole)} == {
        ("AWSServiceRoleForECS", "/aws-service-role/ecs.amazonaws.com/", "global")
    }


async def collect(regions: list[str]) -> Collected:
    account = await open_moto_account()
    return await collect_account(account, regions, concurrency=4)


@pytest.mark.asyncio
async def test_missing_service_linked_role_is_ok_with_no_record(boto3_client: Boto3Factory) -> None:
    collected = await collect([REGION])
    outcome = next(o for o in collected.outcomes if o.collector == "iam.service_linked_role")
    assert (outcome.region, outcome.status, outcome.error) == ("global", OutcomeStatus.OK, None)
    assert [r for r in collected.records if isinstance(r, IamRole)] == []
