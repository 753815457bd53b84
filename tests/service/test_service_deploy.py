"""Deployment files: CloudFormation templates lint clean and grant exactly the published policy."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from cfnlint.decode.cfn_yaml import load as load_template

from collectors.registry import iam_policy

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((REPO / "deploy").glob("*.yaml"))
BIN = Path(sys.executable).parent


def _statement(policy_document: dict[str, Any], sid: str) -> dict[str, Any]:
    [statement] = [s for s in policy_document["Statement"] if s.get("Sid") == sid]
    return statement


def _inline_policy(template: dict[str, Any], resource: str, name: str) -> dict[str, Any]:
    policies = template["Resources"][resource]["Properties"]["Policies"]
    [policy] = [p for p in policies if isinstance(p, dict) and p.get("PolicyName") == name]
    return dict(policy["PolicyDocument"])


def test_templates_exist() -> None:
    assert {path.name for path in TEMPLATES} == {"ecs-auditor.yaml", "member-account-role.yaml"}


def test_templates_pass_cfn_lint() -> None:
    run = subprocess.run(
        [str(BIN / "cfn-lint"), *map(str, TEMPLATES)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr


@pytest.mark.parametrize(
    ("template", "resource"),
    [("member-account-role.yaml", "AuditorReadOnlyRole"), ("ecs-auditor.yaml", "TaskRole")],
)
def test_roles_grant_exactly_the_published_read_only_policy(template: str, resource: str) -> None:
    document = _inline_policy(
        load_template(str(REPO / "deploy" / template)), resource, "auditor-read-only"
    )
    granted = _statement(document, "AuditorReadOnly")
    published = _statement(iam_policy(), "AuditorReadOnly")
    assert sorted(granted["Action"]) == sorted(published["Action"])
    assert granted["Resource"] == "*"


def test_member_role_trusts_only_the_auditor_principal() -> None:
    template = load_template(str(REPO / "deploy" / "member-account-role.yaml"))
    trust = template["Resources"]["AuditorReadOnlyRole"]["Properties"]["AssumeRolePolicyDocument"]
    [statement] = trust["Statement"]
    assert statement["Principal"] == {"AWS": {"Ref": "AuditorPrincipalArn"}}
    assert statement["Action"] == "sts:AssumeRole"
    # StackSet-ready: nothing tied to one account or region.
    text = (REPO / "deploy" / "member-account-role.yaml").read_text(encoding="utf-8")
    assert re.findall(r"(?<![\\\w])\d{12}(?!\d)", text.split("Resources:")[1]) == []


def test_task_role_may_assume_only_the_member_role() -> None:
    template = load_template(str(REPO / "deploy" / "ecs-auditor.yaml"))
    document = _inline_policy(template, "TaskRole", "auditor-read-only")
    assume = _statement(document, "AssumeMemberRoles")
    assert assume["Action"] == "sts:AssumeRole"
    assert assume["Resource"] == {"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/${MemberRoleName}"}


def test_kubernetes_cronjob_runs_a_scan_as_the_image_user() -> None:
    documents = list(
        yaml.safe_load_all((REPO / "deploy" / "kubernetes" / "cronjob.yaml").read_text())
    )
    [cronjob] = [d for d in documents if d["kind"] == "CronJob"]
    pod = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["args"] == ["scan", "--no-progress"]
    assert pod["securityContext"]["runAsUser"] == 10001
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    [config_map] = [d for d in documents if d["kind"] == "ConfigMap"]
    import tomllib

    assert tomllib.loads(config_map["data"]["auditor.toml"])["accounts"]["organization"] is True


def test_dockerfile_passes_hadolint() -> None:
    run = subprocess.run(
        [str(BIN / "hadolint"), str(REPO / "Dockerfile")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_deploy_docs_link_to_files_that_exist() -> None:
    text = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    links = set(re.findall(r"\]\((\.\./[^)#]+|[a-z-]+\.md)\)", text))
    assert {"../deploy/member-account-role.yaml", "../deploy/ecs-auditor.yaml"} <= links
    missing = {link for link in links if not (REPO / "docs" / link).resolve().exists()}
    assert missing == set()
