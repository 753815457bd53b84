"""Through a proxy that throttles 20% and fails 5% of requests, a collection is unchanged."""

from __future__ import annotations

from typing import Any

import pytest
from collectors_estate import REGION, Estate, open_moto_account
from collectors_fault_proxy import FaultProxy

from auditor.aws import AwsAccount
from collectors.api import Collected, Outcome
from collectors.run import collect_account


def fingerprint(collected: Collected) -> set[tuple[str, str, str, str]]:
    return {
        (type(r).__name__, r.region, str(getattr(r, r.id_column)), repr(sorted(r.raw.items())))
        for r in collected.records
    }


async def collect_through(
    moto_url: str, monkeypatch: pytest.MonkeyPatch, **faults: Any
) -> tuple[Collected, FaultProxy, AwsAccount]:
    proxy = FaultProxy(moto_url, **faults)
    monkeypatch.setenv("AWS_ENDPOINT_URL", await proxy.start())
    try:
        account = await open_moto_account(max_attempts=10)
        collected = await collect_account(account, [REGION], concurrency=8)
        return collected, proxy, account
    finally:
        await proxy.stop()


@pytest.mark.asyncio
@pytest.mark.slow
async def test_throttling_and_503s_do_not_change_what_is_collected(
    estate: Estate, moto: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean, _, clean_account = await collect_through(moto.url, monkeypatch)
    faulty, proxy, faulty_account = await collect_through(
        moto.url, monkeypatch, throttle_rate=0.20, unavailable_rate=0.05, seed=20260101
    )

    assert {(o.collector, o.status) for o in clean.outcomes} == {
        (o.collector, Outcome.OK) for o in clean.outcomes
    }
    assert {(o.collector, o.region, o.status) for o in faulty.outcomes} == {
        (o.collector, o.region, o.status) for o in clean.outcomes
    }
    assert fingerprint(faulty) == fingerprint(clean)
    assert len(faulty.records) == len(clean.records) > 30
    assert proxy.injected["throttle"] > 0
    assert proxy.injected["503"] > 0
    # Retries are real requests and are counted (the account's counter includes the STS call).
    assert sum(faulty_account.calls.values()) == sum(clean_account.calls.values()) + sum(
        proxy.injected.values()
    )
