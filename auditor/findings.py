"""The finding vocabulary: statuses, severities, resource types and the result of a check.

Checks produce :class:`Result` values; muting, the store's findings, history, reports and
notifications read them. None of those needs ``checks`` (the evaluators) to do so.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Status(enum.StrEnum):
    PASS = "PASS"  # noqa: S105  (a verdict, not a password)
    FAIL = "FAIL"
    UNKNOWN = "UNKNOWN"
    MUTED = "MUTED"


class Severity(enum.StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)

    def at_least(self, threshold: Severity) -> bool:
        return self.rank <= threshold.rank


class ResourceType(enum.StrEnum):
    ECS_TASK = "ecs-task"
    ECS_SERVICE = "ecs-service"
    ECS_TASK_DEFINITION = "ecs-task-definition"
    VPC = "vpc"
    ACCOUNT_REGION = "account-region"
    ACCOUNT = "account"


@dataclass(frozen=True, kw_only=True)
class RootCause:
    """The decisive hop of a FAIL or UNKNOWN: its kind (the evaluator's hop step, e.g.
    ``nat-gateway``, ``route``, ``endpoint``), the resource it looked at and what it found.

    Findings with the same account, region, kind and resource share one root cause.
    """

    kind: str
    resource_id: str
    detail: str


@dataclass(frozen=True, kw_only=True)
class Result:
    check_id: str
    status: Status
    severity: Severity
    account_id: str
    region: str
    resource_type: ResourceType
    resource_id: str
    resource_name: str | None
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    root_cause: RootCause | None = None
