"""What a check is: one metadata object and one pure ``evaluate(inventory)``."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from auditor.inventory import Inventory


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
class CheckMeta:
    id: str
    title: str
    severity: Severity
    scope: str
    # The seed sentence the check rests on, quoted in Japanese, and its English rendering.
    seed_quote: str
    seed_english: str
    rationale: str
    remediation: str
    # Collector names (see collectors.registry) whose data the check reads.
    needs: tuple[str, ...]
    references: tuple[str, ...] = ()
    # Collectors that only add precision: their absence never makes a result UNKNOWN by itself.
    optional_needs: tuple[str, ...] = ()
    # The resource types the check's results use (an UNKNOWN for a whole region uses
    # ``account-region`` in addition).
    resource_types: tuple[ResourceType, ...] = ()
    # Console and CLI steps, one per line, rendered as a list in the docs.
    console_steps: tuple[str, ...] = ()
    cli_steps: tuple[str, ...] = ()
    # What the check does not see, so a reader knows where a PASS stops vouching.
    limitations: tuple[str, ...] = ()


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


Evaluate = Callable[[Inventory], Iterator[Result]]


@dataclass(frozen=True)
class Check:
    meta: CheckMeta
    evaluate: Evaluate


_REGISTRY: dict[str, Check] = {}


def register(meta: CheckMeta) -> Callable[[Evaluate], Evaluate]:
    """Decorator: ``@register(META)`` above ``def evaluate(inventory)`` adds a check."""

    def wrap(fn: Evaluate) -> Evaluate:
        if meta.id in _REGISTRY:
            raise ValueError(f"check {meta.id} registered twice")
        _REGISTRY[meta.id] = Check(meta, fn)
        return fn

    return wrap


def registered() -> dict[str, Check]:
    return dict(_REGISTRY)
