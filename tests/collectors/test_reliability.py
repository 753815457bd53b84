"""Through a proxy that throttles 20% and fails 5% of requests, a collection is unchanged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from auditor.aws import AwsAccount
from auditor.engine import scan_accounts
from auditor.store import reads
from auditor.store.database import open_store
from auditor.store.scans import OutcomeStatus, ScanStatus
from collectors.results import Collected
from collectors.run import collect_account
from tests.collectors.collectors_estate import (
    ACCOUNT_ID,
    REGION,
    SeededMotoEstate,
    make_settings,
    open_moto_account,
)
from tests.collectors.collectors_fault_proxy import UNAVAILABLE_BODIES, FaultProxy


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
    estate: SeededMotoEstate, moto: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean, _, clean_account = await collect_through(moto.url, monkeypatch)
    faulty, proxy, faulty_account = await collect_through(
        moto.url,
        monkeypatch,
        throttle_rate=0.20,
        unavailable_rate=0.05,
        seed=20260101,
        first=tuple(kind for kind, _, _ in UNAVAILABLE_BODIES),
    )

    # Every collector ran cleanly, or was not needed (this estate routes to no firewall).
    assert {(o.collector, o.status) for o in clean.outcomes} == {
        (
            o.collector,
            OutcomeStatus.NOT_NEEDED
            if o.collector.startswith("network_firewall.")
            else OutcomeStatus.OK,
        )
        for o in clean.outcomes
    }
    assert {(o.collector, o.region, o.status) for o in faulty.outcomes} == {
        (o.collector, o.region, o.status) for o in clean.outcomes
    }
    assert fingerprint(faulty) == fingerprint(clean)
    assert len(faulty.records) == len(clean.records) > 30
    assert proxy.injected["throttle"] > 0
    # Every kind of non-AWS 503 body was met and retried (plain text and an HTML page that is
    # not XML used to raise ResponseParserError on EC2, ELBv2 and IAM).
    assert all(proxy.injected[kind] > 0 for kind, _, _ in UNAVAILABLE_BODIES)
    # Retries are real requests and are counted (the account's counter includes the STS call).
    assert sum(faulty_account.calls.values()) == sum(clean_account.calls.values()) + (
        proxy.injected["throttle"] + proxy.injected["503"]
    )


@pytest.mark.asyncio
@pytest.mark.slow
async def test_a_scan_through_faults_is_complete_with_the_same_verdicts(
    estate: SeededMotoEstate, moto: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """#11 item 7 end to end: 20% throttling and 5% non-AWS 503s change nothing."""
    settings = make_settings(max_attempts=10)
    verdicts = []
    faulty = {"throttle_rate": 0.2, "unavailable_rate": 0.05}
    for name, faults in (("clean", {}), ("faulty", faulty)):
        # A store each: the second scan must not see the first as its history.
        store = open_store(f"sqlite:///{tmp_path / name}.db")
        proxy = FaultProxy(moto.url, **faults)  # type: ignore[arg-type]
        monkeypatch.setenv("AWS_ENDPOINT_URL", await proxy.start())
        try:
            (outcome,) = await scan_accounts(settings, [ACCOUNT_ID], [REGION], store=store)
        finally:
            await proxy.stop()
        assert outcome.status == ScanStatus.COMPLETE
        with store.session() as session:
            findings = reads.findings_of(session, [outcome.scan_id])
            verdicts.append(
                sorted((f.check_id, f.resource_id, f.status, f.message) for f in findings)
            )
        store.dispose()
    assert verdicts[0] == verdicts[1]
    assert len(verdicts[0]) > 10
