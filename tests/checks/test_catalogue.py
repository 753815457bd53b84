"""Sweep over every registered check: contract IDs, metadata, seed quotes, collectors, docs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer

from auditor.checkdocs import DOCS_PATH, render_catalogue
from auditor.cli.checks_cmd import explain_command, list_checks_command
from checks import all_checks, evaluate_all, failing
from checks.base import ResourceType, Result, Severity, Status
from collectors import registry
from tests.checks.checks_factories import ACCOUNT, InventoryEstate

SEED = Path(__file__).parent / "data" / "seed_000_d9ec1ff19514a6b3.txt"

# The public contract (check IDs are added, never renamed or removed): ID -> severity.
CONTRACT = {
    "image-pull-path": "high",
    "log-delivery-path": "medium",
    "secrets-path": "high",
    "recent-pull-failures": "high",
    "dualstack-ipv6-disabled": "medium",
    "task-missing-ipv6": "low",
    "stale-dhcp-options": "medium",
    "legacy-platform-version": "medium",
    "non-jumbo-path": "low",
    "vpc-flow-logs": "medium",
    "vpc-dns-attributes": "low",
    "execution-role-missing": "high",
    "ecs-service-linked-role": "medium",
    "fargate-load-balancer": "high",
    "efs-mount-path": "high",
    "firelens-delivery": "medium",
}
RESOURCE_TYPES = {
    "image-pull-path": {ResourceType.ECS_TASK, ResourceType.ECS_SERVICE},
    "legacy-platform-version": {ResourceType.ECS_TASK, ResourceType.ECS_SERVICE},
    "dualstack-ipv6-disabled": {ResourceType.ACCOUNT_REGION},
    "vpc-flow-logs": {ResourceType.VPC},
    "vpc-dns-attributes": {ResourceType.VPC},
    "execution-role-missing": {ResourceType.ECS_TASK_DEFINITION},
    "ecs-service-linked-role": {ResourceType.ACCOUNT},
    "fargate-load-balancer": {ResourceType.ECS_SERVICE},
}
CHECKS = all_checks()
IDS = [c.meta.id for c in CHECKS]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_catalogue_matches_the_contract_exactly() -> None:
    assert {c.meta.id: c.meta.severity.value for c in CHECKS} == CONTRACT
    assert sorted(IDS) == IDS


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_metadata_is_complete(check: object) -> None:
    meta = check.meta  # type: ignore[attr-defined]
    for name in ("title", "scope", "seed_quote", "seed_english", "rationale", "remediation"):
        assert getattr(meta, name).strip(), name
    assert meta.console_steps and meta.cli_steps
    assert all(step.startswith("aws ") for step in meta.cli_steps)
    assert meta.references and all(r.startswith("https://") for r in meta.references)
    assert set(meta.resource_types) == RESOURCE_TYPES.get(meta.id, {ResourceType.ECS_TASK})
    assert meta.seed_english.isascii()


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_seed_quote_is_in_the_seed(check: object) -> None:
    seed = squash(SEED.read_text(encoding="utf-8"))
    for cell in check.meta.seed_quote.split(" / "):  # type: ignore[attr-defined]
        assert squash(cell) in seed, cell


@pytest.mark.parametrize("check", CHECKS, ids=IDS)
def test_needed_collectors_exist_and_are_in_the_iam_policy(check: object) -> None:
    meta = check.meta  # type: ignore[attr-defined]
    assert meta.needs, "every check reads something"
    policy_actions = set(registry.iam_policy()["Statement"][0]["Action"])
    for name in (*meta.needs, *meta.optional_needs):
        collector = registry.BY_NAME[name]
        assert set(collector.actions) <= policy_actions, name
    assert not set(meta.needs) & set(meta.optional_needs)


def test_generated_docs_are_current() -> None:
    assert DOCS_PATH.read_text(encoding="utf-8") == render_catalogue(), (
        "docs/checks.md is stale: run `python -m auditor.checkdocs`"
    )


@pytest.mark.parametrize("check_id", IDS)
def test_docs_document_every_check(check_id: str) -> None:
    text = DOCS_PATH.read_text(encoding="utf-8")
    assert f'<a id="{check_id}"></a>' in text
    assert f"## `{check_id}`" in text


def test_list_checks_prints_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    list_checks_command()
    out = capsys.readouterr().out
    assert [line.split()[0] for line in out.splitlines()[1:]] == IDS


def test_explain_prints_one_check(capsys: pytest.CaptureFixture[str]) -> None:
    explain_command("stale-dhcp-options")
    out = capsys.readouterr().out
    assert out.startswith("# `stale-dhcp-options`: ")
    assert "aws ecs update-service" in out
    assert "`cloudtrail.dhcp_associations`" in out


def test_explain_unknown_check_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as exited:
        explain_command("image-pull-paths")
    assert exited.value.exit_code == 2
    err = capsys.readouterr().err
    assert err == "error: unknown check 'image-pull-paths'; did you mean image-pull-path?\n"


def test_evaluate_all_runs_every_check_once_per_resource(estate: InventoryEstate) -> None:
    estate.nat_vpc()
    estate.cluster()
    estate.role()
    estate.task(definition=estate.task_definition(awslogs=True))
    estate.service()
    results = evaluate_all(estate.inventory())
    keys = [(r.check_id, r.resource_id) for r in results]
    assert len(keys) == len(set(keys))
    assert {r.check_id for r in results} == set(IDS) - {
        "recent-pull-failures",
        "dualstack-ipv6-disabled",
        "task-missing-ipv6",
        "fargate-load-balancer",
        "secrets-path",
        "efs-mount-path",
        "firelens-delivery",
    }
    assert all(r.account_id == ACCOUNT for r in results)
    json.dumps([r.evidence for r in results])  # evidence is stored as JSON


def result(status: Status, severity: Severity) -> Result:
    return Result(
        check_id="x",
        status=status,
        severity=severity,
        account_id=ACCOUNT,
        region="us-east-1",
        resource_type=ResourceType.VPC,
        resource_id="vpc-1",
        resource_name=None,
        message="m",
    )


def test_fail_on_counts_only_fails_at_or_above_the_threshold() -> None:
    results = [
        result(Status.FAIL, Severity.HIGH),
        result(Status.FAIL, Severity.LOW),
        result(Status.MUTED, Severity.HIGH),
        result(Status.UNKNOWN, Severity.HIGH),
    ]
    assert failing(results, Severity.HIGH) == [results[0]]
    assert failing(results, Severity.LOW) == results[:2]
