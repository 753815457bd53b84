"""Suppression rules: loading (TOML and YAML, one-line errors) and applying (MUTED, expiry)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from auditor.muting import (
    SuppressionFileError,
    apply,
    apply_detailed,
    load_rules,
    tags_from_inventory,
)
from checks.base import ResourceType, Result, Severity, Status
from tests.checks.checks_factories import ACCOUNT, InventoryEstate

TODAY = date(2026, 11, 26)


def result(
    check_id: str = "vpc-flow-logs",
    resource_id: str = "vpc-0abc1",
    status: Status = Status.FAIL,
    region: str = "us-east-1",
) -> Result:
    return Result(
        check_id=check_id,
        status=status,
        severity=Severity.MEDIUM,
        account_id=ACCOUNT,
        region=region,
        resource_type=ResourceType.VPC,
        resource_id=resource_id,
        resource_name=None,
        message="m.",
        evidence={"hops": []},
    )


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


TOML = f"""
[[rules]]
check = "vpc-flow-logs"
resource = "vpc-0abc*"
reason = "Org trail covers these VPCs"
expires = 2026-12-31

[[rules]]
check = "*-path"
account = "{ACCOUNT}"
region = "eu-west-1"
tags = {{ team = "data*" }}
reason = "Data team owns egress"
"""

YAML = f"""
rules:
  - check: vpc-flow-logs
    resource: vpc-0abc*
    reason: Org trail covers these VPCs
    expires: 2026-12-31
  - check: "*-path"
    account: {ACCOUNT}
    region: eu-west-1
    tags: {{team: "data*"}}
    reason: Data team owns egress
"""


@pytest.mark.parametrize(("name", "text"), [("rules.toml", TOML), ("rules.yaml", YAML)])
def test_toml_and_yaml_load_the_same_rules(tmp_path: Path, name: str, text: str) -> None:
    rules = load_rules(write(tmp_path, name, text))
    assert [(r.check, r.account, r.region, r.resource, dict(r.tags), r.expires) for r in rules] == [
        ("vpc-flow-logs", None, None, "vpc-0abc*", {}, date(2026, 12, 31)),
        ("*-path", ACCOUNT, "eu-west-1", None, {"team": "data*"}, None),
    ]


def test_matching_fail_becomes_muted_with_the_rule_in_evidence(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, "rules.toml", TOML))
    results, expired = apply(
        [result(), result(resource_id="vpc-9"), result(status=Status.PASS)], rules, today=TODAY
    )
    assert [r.status for r in results] == [Status.FAIL.MUTED, Status.FAIL, Status.PASS]
    assert results[0].evidence["muted_by"] == {
        "rule": 0,
        "reason": "Org trail covers these VPCs",
        "check": "vpc-flow-logs",
        "resource": "vpc-0abc*",
        "expires": "2026-12-31",
        "file": str(tmp_path / "rules.toml"),
    }
    assert results[0].evidence["hops"] == []
    assert expired == []


def test_tag_rules_need_the_tags_of_the_resource(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, "rules.toml", TOML))
    target = result(check_id="image-pull-path", resource_id="arn:task", region="eu-west-1")
    untagged, _ = apply([target], rules, today=TODAY)
    tagged, _ = apply([target], rules, today=TODAY, tags_of=lambda r: {"team": "data-platform"})
    other_team, _ = apply([target], rules, today=TODAY, tags_of=lambda r: {"team": "web"})
    assert [untagged[0].status, tagged[0].status, other_team[0].status] == [
        Status.FAIL,
        Status.MUTED,
        Status.FAIL,
    ]


def test_expired_rule_stops_muting_and_is_reported(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, "rules.toml", TOML))
    outcome = apply_detailed([result(), result()], rules, today=date(2027, 1, 1))
    assert [r.status for r in outcome.results] == [Status.FAIL, Status.FAIL]
    assert [(e.rule.index, e.unmuted) for e in outcome.expired] == [(0, 2)]
    _, messages = apply([result()], rules, today=date(2027, 1, 1))
    assert messages == [
        "suppression rule 0 ('Org trail covers these VPCs') expired on 2026-12-31 and no "
        "longer mutes 1 finding(s)"
    ]


def test_rule_still_mutes_on_its_expiry_day(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, "rules.toml", TOML))
    results, _ = apply([result()], rules, today=date(2026, 12, 31))
    assert results[0].status is Status.MUTED


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "r.toml",
            '[[rules]]\ncheck = "vpc-flow-logs"\n',
            "rules[0].reason: required (say why it is muted)",
        ),
        (
            "r.toml",
            '[[rules]]\nreason = "x"\n',
            "rules[0]: give at least one of check, account, region, resource, tags",
        ),
        (
            "r.toml",
            '[[rules]]\ncheck = "no-such-check"\nreason = "x"\n',
            "rules[0].check: no check matches 'no-such-check'",
        ),
        (
            "r.toml",
            '[[rules]]\ncheck = "vpc-flow-logs"\nreason = "x"\nexpire = 2026-01-01\n',
            "rules[0].expire: unknown key",
        ),
        (
            "r.toml",
            '[[rules]]\naccount = "123"\nreason = "x"\n',
            "rules[0].account: account IDs are 12 digits, got '123'",
        ),
        (
            "r.yaml",
            "rules:\n  - check: vpc-flow-logs\n    reason: x\n    expires: soon\n",
            "rules[0].expires: expected a date such as 2027-03-31",
        ),
        (
            "r.yaml",
            "rules:\n  - check: vpc-flow-logs\n    reason: ''\n",
            "rules[0].reason: expected a non-empty string",
        ),
        ("r.yaml", "rule: []\n", "rule: unknown key (expected 'rules')"),
        ("r.toml", "[[rules]\n", "not valid TOML"),
        ("r.yaml", "rules: [\n", "not valid YAML"),
        ("r.json", "{}", "use a .toml, .yaml or .yml suppression file"),
    ],
)
def test_bad_files_give_one_line_naming_the_key(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = write(tmp_path, name, text)
    with pytest.raises(SuppressionFileError) as raised:
        load_rules(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(SuppressionFileError, match=r"suppression file not found$"):
        load_rules(tmp_path / "absent.toml")


def test_yaml_account_that_looks_octal_stays_as_written(tmp_path: Path) -> None:
    (rule,) = load_rules(
        write(tmp_path, "r.yaml", "rules:\n  - account: 012345670123\n    reason: x\n")
    )
    assert rule.account == "012345670123"


def test_toml_account_must_be_a_string(tmp_path: Path) -> None:
    with pytest.raises(SuppressionFileError, match=r"rules\[0\]\.account: expected a non-empty"):
        load_rules(write(tmp_path, "r.toml", "[[rules]]\naccount = 123456789012\nreason = 'x'\n"))


def test_empty_file_has_no_rules(tmp_path: Path) -> None:
    assert load_rules(write(tmp_path, "r.yaml", "")) == []


def test_tags_come_from_the_scans_raw_items() -> None:
    estate = InventoryEstate()
    estate.vpc(name="prod")
    task = estate.task(eni=False)
    task.raw["tags"] = [{"key": "team", "value": "data-platform"}]
    tags_of = tags_from_inventory(estate.inventory())
    assert tags_of(result(resource_id="vpc-1")) == {"Name": "prod"}
    assert tags_of(result(resource_id=task.task_arn)) == {"team": "data-platform"}
    assert tags_of(result(resource_id="vpc-unknown")) == {}


def test_the_documented_example_is_a_valid_rules_file(tmp_path: Path) -> None:
    from auditor.checkdocs import DOCS_PATH

    docs = DOCS_PATH.read_text(encoding="utf-8")
    example = docs.split("```toml\n", 1)[1].split("```", 1)[0]
    (rule,) = load_rules(write(tmp_path, "example.toml", example))
    assert (rule.check, rule.expires) == ("vpc-flow-logs", date(2027, 3, 31))


def classed(status: Status, reason: str | None) -> Result:
    base = result(check_id="image-pull-path", status=status)
    evidence = {"hops": []} if reason is None else {"hops": [], "unknown_reason": reason}
    return replace(base, evidence=evidence)


def test_unknown_reason_rules_mute_only_unknowns_of_their_class(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.toml",
        '[[rules]]\nunknown_reason = "beyond-aws"\nreason = "Egress is on-premises"\n',
    )
    rules = load_rules(path)
    given = [
        classed(Status.UNKNOWN, "beyond-aws"),
        classed(Status.UNKNOWN, "appliance"),
        classed(Status.UNKNOWN, None),
        classed(Status.FAIL, None),
    ]
    out, _ = apply(given, rules, today=TODAY)
    assert [r.status for r in out] == [Status.MUTED, Status.UNKNOWN, Status.UNKNOWN, Status.FAIL]
    assert out[0].evidence["muted_by"]["unknown_reason"] == "beyond-aws"


def test_plain_rules_never_mute_unknowns(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", '[[rules]]\ncheck = "image-pull-path"\nreason = "r"\n')
    out, _ = apply([classed(Status.UNKNOWN, "beyond-aws")], load_rules(path), today=TODAY)
    assert out[0].status is Status.UNKNOWN


def test_unknown_reason_must_be_a_known_class(tmp_path: Path) -> None:
    path = write(tmp_path, "s.toml", '[[rules]]\nunknown_reason = "vpn"\nreason = "r"\n')
    with pytest.raises(SuppressionFileError, match=r"rules\[0\]\.unknown_reason: expected one of"):
        load_rules(path)
