"""Findings grouped by root cause: one broken hop, every check and resource it breaks.

A path check's FAIL or UNKNOWN stores its decisive hop (kind and resource, see
``checks.base.RootCause``); findings of one account and region with the same hop are one
cause. Other FAILs and UNKNOWNs are grouped by check, so every problem has exactly one cause.
Task findings roll up under their service: a service and its ten tasks are one line.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from auditor.catalogue import check_title
from auditor.findings import Status
from auditor.history import finding_key, severity_rank
from auditor.store.scans import Finding

# (account, region, kind, resource)
CauseKey = tuple[str, str, str, str]
CHECK_KIND = "check"
OPEN = (Status.FAIL, Status.UNKNOWN)

# What a path check's failure means for the workload, in a few words.
PURPOSE = {
    "image-pull-path": "image pull",
    "log-delivery-path": "log delivery",
    "secrets-path": "secrets",
    "non-jumbo-path": "large packets",
    "efs-mount-path": "EFS mounts",
    "firelens-delivery": "FireLens delivery",
}
# How a hop kind reads in a sentence; any other kind reads as its words ("tgw-route").
KIND_NAMES = {
    "nat-gateway": "NAT gateway",
    "internet-gateway": "internet gateway",
    "egress-only-internet-gateway": "egress-only internet gateway",
    "route-table": "route table",
    "route": "route",
    "route-target": "route target",
    "endpoint": "VPC endpoint",
    "endpoint-state": "VPC endpoint",
    "endpoint-private-dns": "endpoint private DNS",
    "endpoint-security-group-ingress": "endpoint security group",
    "security-group-egress": "security group egress",
    "public-ipv4": "public IPv4",
    "vpc-dns": "VPC DNS",
    "dhcp-dns": "DHCP options DNS",
    "nat-subnet-route": "NAT gateway's subnet route",
    "nat-subnet-route-table": "NAT gateway's route table",
    "network-acl": "network ACL",
    "return-route": "return route",
    "transit-gateway": "transit gateway",
    "transit-gateway-attachment": "transit gateway attachment",
    "transit-gateway-route": "transit gateway route",
    "virtual-private-gateway": "virtual private gateway",
    "vpc-peering": "VPC peering",
    "dns64": "DNS64",
    "ipv6-destination": "IPv6 destination",
    "firelens-output": "FireLens output",
    "task-role": "task role",
    "file-system": "EFS file system",
    "file-system-zone": "EFS file system zone",
    "mount-target": "EFS mount target",
    "mount-target-state": "EFS mount target",
    "mount-target-security-group-ingress": "mount target security group",
    "access-point": "EFS access point",
    "platform-version": "platform version",
    CHECK_KIND: "check",
}

_TASK = re.compile(
    r"^task (?P<id>\S+) \((?P<owner>(?:service|family) .+), cluster (?P<cluster>.+)\)$"
)
_SERVICE = re.compile(r"^service (?P<name>.+) \(cluster (?P<cluster>.+)\)$")


class Change(enum.StrEnum):
    NEW = "new"
    OPEN = "open"
    FIXED = "fixed"


def kind_name(kind: str) -> str:
    return KIND_NAMES.get(kind, kind.replace("-", " "))


def cause_key(finding: Finding) -> CauseKey:
    if finding.root_cause_kind and finding.root_cause_id:
        return (finding.account_id, finding.region, finding.root_cause_kind, finding.root_cause_id)
    return (finding.account_id, finding.region, CHECK_KIND, finding.check_id)


@dataclass(frozen=True, kw_only=True)
class Workload:
    """A service (or task family) and how many of its tasks a cause affects."""

    cluster: str
    owner: str  # "service web" or "family batch", or the resource itself
    tasks: int
    service_itself: bool
    findings: tuple[Finding, ...]


def _owner_of(finding: Finding) -> tuple[str, str, bool]:
    """(cluster, owner, is a task) from the names the checks give tasks and services."""
    name = finding.resource_name or ""
    if finding.resource_type == "ecs-task" and (match := _TASK.match(name)):
        return match["cluster"], match["owner"], True
    if finding.resource_type == "ecs-service" and (match := _SERVICE.match(name)):
        return match["cluster"], f"service {match['name']}", False
    return "", name or finding.resource_id, finding.resource_type == "ecs-task"


@dataclass(kw_only=True)
class RootCause:
    key: CauseKey
    change: Change
    findings: list[Finding]
    detail: str

    @property
    def account_id(self) -> str:
        return self.key[0]

    @property
    def region(self) -> str:
        return self.key[1]

    @property
    def kind(self) -> str:
        return self.key[2]

    @property
    def resource_id(self) -> str:
        return self.key[3]

    @property
    def is_check_group(self) -> bool:
        return self.kind == CHECK_KIND

    @cached_property
    def status(self) -> str:
        return (
            Status.FAIL if any(f.status == Status.FAIL for f in self.findings) else Status.UNKNOWN
        )

    @cached_property
    def severity(self) -> str:
        return min((f.severity for f in self.findings), key=severity_rank)

    @cached_property
    def first_seen(self) -> datetime | None:
        return min((f.first_seen for f in self.findings if f.first_seen), default=None)

    @cached_property
    def filter_keys(self) -> list[str]:
        """The distinct keys of the report's filters among the findings (as model.filter_key:
        account|region|check|status|severity), so a filter shows the cause if any matches."""
        return sorted(
            {
                "|".join((f.account_id, f.region, f.check_id, f.status, f.severity))
                for f in self.findings
            }
        )

    @cached_property
    def check_ids(self) -> list[str]:
        return sorted({f.check_id for f in self.findings})

    @cached_property
    def purposes(self) -> list[str]:
        return [PURPOSE.get(c, c) for c in self.check_ids]

    @cached_property
    def workloads(self) -> list[Workload]:
        grouped: dict[tuple[str, str], list[Finding]] = {}
        tasks: dict[tuple[str, str], set[str]] = {}
        services: set[tuple[str, str]] = set()
        for finding in self.findings:
            cluster, owner, is_task = _owner_of(finding)
            grouped.setdefault((cluster, owner), []).append(finding)
            if is_task:
                tasks.setdefault((cluster, owner), set()).add(finding.resource_id)
            else:
                services.add((cluster, owner))
        return sorted(
            (
                Workload(
                    cluster=cluster,
                    owner=owner,
                    tasks=len(tasks.get((cluster, owner), ())),
                    service_itself=(cluster, owner) in services,
                    findings=tuple(members),
                )
                for (cluster, owner), members in grouped.items()
            ),
            key=lambda w: (-w.tasks, w.cluster, w.owner),
        )

    @cached_property
    def task_count(self) -> int:
        return len({f.resource_id for f in self.findings if f.resource_type == "ecs-task"})

    @cached_property
    def clusters(self) -> list[str]:
        return sorted({w.cluster for w in self.workloads if w.cluster})

    @property
    def what(self) -> str:
        """What broke: "NAT gateway nat-1 is deleted" (the hop's evidence)."""
        if self.is_check_group:
            return f"Check “{check_title(self.resource_id)}”"
        return self.detail or f"{kind_name(self.kind)} {self.resource_id}"

    @property
    def whom(self) -> str:
        """Whom it affects: "4 services (10 tasks) in cluster payments"."""
        services = [w for w in self.workloads if w.owner.startswith("service ")]
        others = [w for w in self.workloads if not w.owner.startswith("service ")]
        parts = []
        if services:
            parts.append(_count(len(services), "service"))
        if others:
            parts.append(_count(len(others), "other resource" if services else "resource"))
        text = " and ".join(parts) or _count(len(self.findings), "resource")
        if self.task_count:
            text += f" ({_count(self.task_count, 'task')})"
        if self.clusters:
            text += f" in cluster{'s' if len(self.clusters) > 1 else ''} {', '.join(self.clusters)}"
        return text

    @property
    def effect(self) -> str:
        verb = "fails" if self.status == Status.FAIL else "is unknown"
        if self.is_check_group:
            return f"{verb} for {self.whom}"
        verb = verb if len(self.purposes) == 1 else _plural_verb(verb)
        return f"{_join(self.purposes)} {verb} for {self.whom}"

    @property
    def brief(self) -> str:
        """For Slack and email: "NAT gateway nat-1 is deleted: 4 services, 10 tasks (image
        pull, log delivery, secrets)"."""
        services = sum(1 for w in self.workloads if w.owner.startswith("service "))
        parts = [_count(services, "service")] if services else []
        if self.task_count:
            parts.append(_count(self.task_count, "task"))
        if not parts:
            parts.append(_count(len({f.resource_id for f in self.findings}), "resource"))
        unknown = "" if self.status == Status.FAIL else ", could not be evaluated"
        return f"{self.what}: {', '.join(parts)} ({', '.join(self.purposes)}{unknown})"

    @property
    def headline(self) -> str:
        """One line: what broke → whom it affects, where."""
        return f"{self.what} → {self.effect}, {self.region}"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _plural_verb(verb: str) -> str:
    return {"fails": "fail", "is unknown": "are unknown"}.get(verb, verb)


def _group(findings: Iterable[Finding]) -> dict[CauseKey, list[Finding]]:
    grouped: dict[CauseKey, list[Finding]] = {}
    for finding in findings:
        if finding.status in OPEN:
            grouped.setdefault(cause_key(finding), []).append(finding)
    return grouped


def _detail(findings: Sequence[Finding]) -> str:
    return next((f.root_cause_detail for f in findings if f.root_cause_detail), "")


def cause_order(cause: RootCause) -> tuple[int, int, int, int, str]:
    """FAIL before UNKNOWN, most severe first, path causes before check groups, most tasks."""
    return (
        0 if cause.status == Status.FAIL else 1,
        severity_rank(cause.severity),
        1 if cause.is_check_group else 0,
        -max(cause.task_count, len(cause.findings)),
        "|".join(cause.key),
    )


@dataclass(kw_only=True)
class RootCauses:
    new: list[RootCause] = field(default_factory=list)
    open: list[RootCause] = field(default_factory=list)
    fixed: list[RootCause] = field(default_factory=list)

    @property
    def current(self) -> list[RootCause]:
        """Every cause still present (new and still open), worst first."""
        return sorted([*self.new, *self.open], key=cause_order)

    def by_severity(self) -> dict[str, dict[str, int]]:
        """Counts of new, still open and fixed causes per severity (FAILs and UNKNOWNs)."""
        table: dict[str, dict[str, int]] = {}
        for change, causes in (
            (Change.NEW, self.new),
            (Change.OPEN, self.open),
            (Change.FIXED, self.fixed),
        ):
            for cause in causes:
                row = table.setdefault(cause.severity, {c.value: 0 for c in Change})
                row[change.value] += 1
        return dict(sorted(table.items(), key=lambda item: severity_rank(item[0])))


def root_causes(
    current: Sequence[Finding],
    baseline: Sequence[Finding] | None,
    *,
    fixable_accounts: Iterable[str] = (),
) -> RootCauses:
    """Causes of ``current`` (new unless ``baseline`` had them) and of ``baseline`` gone now.

    ``baseline`` None means there is nothing to compare with: every cause is new. Causes are
    A check group (findings outside the path checks) is also new when one of its resources
    was not failing before. Causes are
    listed as fixed only for ``fixable_accounts`` (accounts whose current scan is complete: a
    partial scan's missing finding may only mean that collection failed).
    """
    now = _group(current)
    before = _group(baseline or [])
    fixable = set(fixable_accounts)
    result = RootCauses()
    was_open = {finding_key(f) for findings in before.values() for f in findings}
    for key, findings in now.items():
        change = Change.OPEN if baseline is not None and key in before else Change.NEW
        if key[2] == CHECK_KIND and any(finding_key(f) not in was_open for f in findings):
            # A check group has no hop to follow: a resource failing anew makes it new.
            change = Change.NEW
        cause = RootCause(key=key, change=change, findings=findings, detail=_detail(findings))
        (result.open if change is Change.OPEN else result.new).append(cause)
    for key, findings in before.items():
        if key not in now and key[0] in fixable:
            result.fixed.append(
                RootCause(key=key, change=Change.FIXED, findings=findings, detail=_detail(findings))
            )
    for causes in (result.new, result.open, result.fixed):
        causes.sort(key=cause_order)
    return result


def key_text(key: CauseKey) -> str:
    """The stable key of a cause in the JSON document: ``account|region|kind|resource``."""
    return "|".join(key)


def finding_cause(finding: Finding) -> dict[str, str] | None:
    """A FAIL or UNKNOWN finding's root cause, for the JSON document."""
    if finding.status not in OPEN:
        return None
    key = cause_key(finding)
    return {
        "key": key_text(key),
        "kind": key[2],
        "resource_id": key[3],
        "detail": finding.root_cause_detail or "",
    }


def cause_item(cause: RootCause, iso: Callable[[datetime | None], str | None]) -> dict[str, Any]:
    return {
        "key": key_text(cause.key),
        "account_id": cause.account_id,
        "region": cause.region,
        "kind": cause.kind,
        "resource_id": cause.resource_id,
        "detail": cause.detail,
        "change": cause.change.value,
        "status": cause.status,
        "severity": cause.severity,
        "summary": cause.headline,
        "first_seen": iso(cause.first_seen),
        "check_ids": cause.check_ids,
        "findings": len(cause.findings),
        "tasks": cause.task_count,
        "services": [
            w.owner.removeprefix("service ")
            for w in cause.workloads
            if w.owner.startswith("service ")
        ],
        "clusters": cause.clusters,
    }


def worst_new(causes: RootCauses) -> RootCause | None:
    """The new cause a subject line names: the first FAIL of the highest severity."""
    return causes.new[0] if causes.new else None


def top_lines(causes: RootCauses, limit: int = 5) -> list[str]:
    """The terminal's root-cause lines: "1 change breaks 10 tasks: NAT gateway … → …"."""
    lines = []
    for cause in causes.current[:limit]:
        marker = "new" if cause.change is Change.NEW else "open"
        lines.append(
            f"[{cause.status} {cause.severity}, {marker}] {cause.headline} ({cause.account_id})"
        )
    rest = len(causes.current) - limit
    if rest > 0:
        lines.append(f"… and {rest} more in the report")
    return lines


def breaks_line(causes: RootCauses) -> str:
    """E.g. "2 root causes break 10 tasks and 4 services; 1 new, 1 fixed"."""
    current = causes.current
    tasks = len(
        {f.resource_id for c in current for f in c.findings if f.resource_type == "ecs-task"}
    )
    findings = sum(len(c.findings) for c in current)
    count = len(current)
    verb = "breaks" if count == 1 else "break"
    whom = _count(tasks, "task") if tasks else _count(findings, "finding")
    text = f"{_count(count, 'root cause')} {verb} {whom}" if count else "No root cause open"
    return f"{text}; {len(causes.new)} new, {len(causes.fixed)} fixed"
