"""`GET /metrics` on the health port: Prometheus text read back by prometheus-client's parser."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from service_support import ACCOUNT_A, ServeProcess, wait_for, write_config

from tests.cli.test_cli_scan import seed_small_estate

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
