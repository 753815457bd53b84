"""A scan worker's heap: what every account reads is frozen out of garbage collection."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import gc, json
from auditor import scan_pool
from auditor.aws import shared_loader
before = gc.get_freeze_count()
scan_pool._settle_heap()
loader = shared_loader()
print(json.dumps({
    "frozen_before": before,
    "frozen": gc.get_freeze_count(),
    "threshold": gc.get_threshold(),
    "cached": sorted(key[1] for key in loader._cache if key[0] == "load_service_model"),
}))
"""


def test_a_worker_freezes_its_modules_and_the_collectors_service_models() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    found = json.loads(done.stdout)
    from auditor.gc_tuning import SCAN_THRESHOLDS

    assert found["frozen_before"] == 0
    assert found["frozen"] > 100_000  # modules, checks, collectors and the parsed models
    assert tuple(found["threshold"]) == SCAN_THRESHOLDS
    for service in ("ec2", "ecs", "iam", "sts", "network-firewall"):
        assert service in found["cached"]
