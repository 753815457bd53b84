"""PASS evidence is compact (the path a destination is reached by); FAIL evidence complete."""

from __future__ import annotations

from typing import Any

from auditor.engine import compact_pass_evidence, stored_evidence
from checks.base import ResourceType, Result, Severity, Status


def _hop(step: str, ok: bool | None) -> dict[str, Any]:
    return {"step": step, "id": f"{step}-1", "ok": ok, "detail": f"{step} looked at"}


def _leg(reachable: bool | None, via: str | None) -> dict[str, Any]:
    return {
        "purpose": "image nginx",
        "destination": "the internet",
        "reachable": reachable,
        "via": via,
        "paths": [
            {"path": "ipv6", "ok": False, "hops": [_hop("route", False)]},
            {"path": "nat", "ok": True, "hops": [_hop("route", True), _hop("nat", True)]},
            {"path": "endpoint", "ok": None, "hops": [_hop("endpoint", None)]},
        ],
    }


def _result(status: Status, evidence: dict[str, Any]) -> Result:
    return Result(
        check_id="image-pull-path",
        status=status,
        severity=Severity.HIGH,
        account_id="123456789012",
        region="us-east-1",
        resource_type=ResourceType.ECS_SERVICE,
        resource_id="arn:svc",
        resource_name=None,
        message="m",
        evidence=evidence,
    )


def test_a_pass_keeps_only_the_path_it_goes_by() -> None:
    evidence = {"task_definition": "td", "sources": [{"legs": [_leg(True, "nat")]}]}
    (leg,) = stored_evidence(_result(Status.PASS, evidence))["sources"][0]["legs"]
    assert [p["path"] for p in leg["paths"]] == ["nat"]
    assert [h["step"] for h in leg["paths"][0]["hops"]] == ["route", "nat"]
    assert leg["paths_omitted"] == 2
    assert leg["via"] == "nat" and leg["reachable"] is True
    assert evidence["sources"][0]["legs"][0]["paths"][0]["path"] == "ipv6"  # input untouched


def test_fail_unknown_and_muted_evidence_stays_complete() -> None:
    evidence = {"sources": [{"legs": [_leg(True, "nat"), _leg(False, None)]}]}
    for status in (Status.FAIL, Status.UNKNOWN, Status.MUTED):
        assert stored_evidence(_result(status, evidence)) == evidence


def test_a_pass_with_nothing_to_choose_between_is_unchanged() -> None:
    plain = {"platform": {"version": "1.4.0"}, "private_routes": [{"mtu": 9001}]}
    assert compact_pass_evidence(plain) == plain
    undecided = {"legs": [_leg(None, None)]}
    assert compact_pass_evidence(undecided) == undecided
