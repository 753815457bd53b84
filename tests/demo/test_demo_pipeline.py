"""The real collectors (aiobotocore over HTTP) read the demo estate completely and as designed.

Both accounts are opened the way a real scan opens them: the caller's own with the current
credentials, the second by AssumeRole. Every required collector must succeed in every region.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from auditor.aws import open_account
from auditor.config import Settings
from auditor.demo import DemoEstate, DemoMoto, seed_estate
from auditor.demo.estate import ROLE_NAME, SECOND_ACCOUNT
from auditor.store.resources import Ec2NetworkInterface, EcsTask, IamRole
from auditor.store.scans import OutcomeStatus
from collectors.results import Collected
from collectors.run import collect_account

PROD = "123456789012"
DATA = SECOND_ACCOUNT
REGIONS = ["us-east-1", "eu-west-1"]


@dataclass
class Seeded:
    server: DemoMoto
    estate: DemoEstate


@pytest.fixture(scope="module")
def seeded() -> Iterator[Seeded]:
    with DemoMoto() as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", server.url)
        yield Seeded(server, seed_estate(server.url))


async def _collect(account_id: str) -> Collected:
    settings = Settings(max_attempts=2, concurrency=8, role_name=ROLE_NAME)
    account = await open_account(account_id, settings)
    return await collect_account(account, REGIONS, concurrency=settings.concurrency)


def _records(collected: Collected, kind: type[object]) -> list[object]:
    return [record for record in collected.records if isinstance(record, kind)]


@pytest.mark.asyncio
async def test_collectors_read_both_accounts_completely(seeded: Seeded) -> None:
    for account_id, running in ((PROD, 40), (DATA, 13)):
        collected = await _collect(account_id)
        failed = {
            (o.collector, o.region, o.error)
            for o in collected.outcomes
            if OutcomeStatus(o.status).failed and not o.optional
        }
        assert failed == set()
        tasks = [t for t in _records(collected, EcsTask) if isinstance(t, EcsTask)]
        assert sum(t.last_status == "RUNNING" and t.is_fargate for t in tasks) == running
        assert all(t.started_at is not None for t in tasks)


@pytest.mark.asyncio
async def test_collected_records_carry_the_filled_moto_gaps(seeded: Seeded) -> None:
    collected = await _collect(PROD)
    tasks = {t.eni_id: t for t in _records(collected, EcsTask) if isinstance(t, EcsTask)}
    families: Counter[tuple[str, str]] = Counter()
    for eni in _records(collected, Ec2NetworkInterface):
        assert isinstance(eni, Ec2NetworkInterface)
        task = tasks.get(eni.network_interface_id)
        if task is None or task.last_status != "RUNNING":
            continue
        family = task.task_definition_arn.rsplit("/", 1)[-1].split(":")[0]
        if eni.public_ip:
            families[("public-ip", family)] += 1
        if eni.ipv6_addresses:
            families[("ipv6", family)] += 1
    assert families == {("public-ip", "storefront-web"): 4, ("ipv6", "identity-api"): 3}
    roles = {r.role_name for r in _records(collected, IamRole) if isinstance(r, IamRole)}
    assert roles == {"AWSServiceRoleForECS"}
