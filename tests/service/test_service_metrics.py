"""`GET /metrics` on the health port: Prometheus text read back by prometheus-client's parser."""

from __future__ import annotations

import asyncio
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.cli.test_cli_scan import seed_small_estate
from tests.collectors.collectors_fault_proxy import FaultProxy
from tests.service.service_support import ACCOUNT_A, ServeProcess, wait_for, write_config

pytestmark = pytest.mark.slow


def test_metrics_after_a_scan(tmp_path: Path, moto: Any, boto3_client: Any) -> None:
    seed_small_estate(boto3_client)  # tasks, so there are findings
    config = write_config(tmp_path / "a.toml", f"sqlite:///{tmp_path / 'a.db'}", [ACCOUNT_A])
    serve = ServeProcess(config, moto.url, tmp_path / "serve.log")
    try:
        wait_for(lambda: "finished" in serve.output(), what="the scan")
        with urllib.request.urlopen(f"http://127.0.0.1:{serve.port}/metrics", timeout=30) as r:
            content_type = r.headers["Content-Type"]
            text = r.read().decode()
    finally:
        serve.stop()
    assert content_type.startswith("text/plain; version=0.0.4")
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("auditor_scans", (("status", "complete"),))] == 1
    assert samples[("auditor_scans", (("status", "running"),))] == 0
    durations = [v for (name, _), v in samples.items() if name == "auditor_scan_duration_seconds"]
    assert len(durations) == 1 and durations[0] > 0
    sts = (
        "auditor_api_calls",
        (("account_id", ACCOUNT_A), ("operation", "GetCallerIdentity"), ("service", "sts")),
    )
    assert samples[sts] >= 1
    findings = {labels: v for (name, labels), v in samples.items() if name == "auditor_findings"}
    assert findings and all(dict(labels)["account_id"] == ACCOUNT_A for labels in findings)
    assert {dict(labels)["status"] for labels in findings} <= {"PASS", "FAIL", "UNKNOWN", "MUTED"}
    last = samples[("auditor_last_complete_scan_timestamp_seconds", (("account_id", ACCOUNT_A),))]
    assert time.time() - 600 < last <= time.time() + 5


class ThreadedFaultProxy:
    """The collectors' fault-injecting proxy on its own event loop, for a serve subprocess."""

    def __init__(self, upstream: str, **faults: Any) -> None:
        self.proxy = FaultProxy(upstream, **faults)
        self._loop = asyncio.new_event_loop()
        threading.Thread(target=self._loop.run_forever, daemon=True).start()
        self.url = asyncio.run_coroutine_threadsafe(self.proxy.start(), self._loop).result(30)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.proxy.stop(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)


def _scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as response:
        text = response.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_count_the_throttles_and_retries_botocore_saw(
    tmp_path: Path, moto: Any, boto3_client: Any
) -> None:
    """Through a proxy that throttles the first request and 20% of the rest and answers 5%
    with non-AWS 503s: every injected fault is a retry, every throttle a throttle."""
    seed_small_estate(boto3_client)
    config = write_config(tmp_path / "a.toml", f"sqlite:///{tmp_path / 'a.db'}", [ACCOUNT_A])
    config.write_text(config.read_text().replace("max_attempts = 2", "max_attempts = 5"))
    faults = ThreadedFaultProxy(
        moto.url, first=("throttle",), throttle_rate=0.2, unavailable_rate=0.05, seed=7
    )
    serve = ServeProcess(config, faults.url, tmp_path / "serve.log")
    try:
        wait_for(lambda: "finished" in serve.output(), timeout=120, what="the scan")
        samples = _scrape(serve.port)
    finally:
        serve.stop()
        faults.stop()
    assert samples[("auditor_scans", (("status", "complete"),))] == 1, serve.output()

    def by_operation(name: str) -> dict[tuple[str, str], float]:
        return {
            (dict(labels)["service"], dict(labels)["operation"]): value
            for (metric, labels), value in samples.items()
            if metric == name and dict(labels)["account_id"] == ACCOUNT_A
        }

    throttles, retries = by_operation("auditor_api_throttles"), by_operation("auditor_api_retries")
    assert throttles[("sts", "GetCallerIdentity")] >= 1  # the first request of the scan
    injected = faults.proxy.injected
    assert injected["throttle"] > 1 and injected["503"] > 0, injected
    assert sum(throttles.values()) == injected["throttle"]
    assert sum(retries.values()) == injected["throttle"] + injected["503"]
    calls = by_operation("auditor_api_calls")
    assert set(throttles) == set(retries) == set(calls)  # every operation, zeros included
    assert all(retries[key] < calls[key] for key in calls)
