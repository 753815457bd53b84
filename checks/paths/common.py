"""What the path checks share: building sources and turning reachability into a verdict."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from auditor.inventory import Inventory
from auditor.store.resources import EcsTask, EcsTaskDefinition
from checks.base import CheckMeta, Result, RootCause
from checks.platform import Platform, task_platform
from checks.reachability import NetworkView, Reachability, Source
from checks.reachability.model import UnknownReason, decisive_hop
from checks.support import (
    ECS_TASK_DEFINITIONS,
    ECS_TASKS,
    Verdict,
    failed,
    judge_scope,
    passed,
    sentence_start,
    task_label,
    task_subject,
    unknown,
)


@dataclass(frozen=True, kw_only=True)
class Leg:
    """One destination a source must reach, with what it is for (e.g. "image nginx:1")."""

    purpose: str
    reach: Reachability


@dataclass(frozen=True, kw_only=True)
class SourceLegs:
    source: Source
    legs: tuple[Leg, ...]


def _status(legs: Sequence[SourceLegs]) -> bool | None:
    values = [leg.reach.reachable for group in legs for leg in group.legs]
    if False in values:
        return False
    if None in values:
        return None
    return True


def _broken(legs: Sequence[SourceLegs], wanted: bool | None) -> list[str]:
    phrases = []
    for group in legs:
        for leg in group.legs:
            if leg.reach.reachable is wanted:
                where = f"from subnet {group.source.subnet_id}"
                phrases.append(
                    f"{leg.purpose} ({leg.reach.destination}) is unreachable {where}: "
                    + "; ".join(leg.reach.problems())
                    if wanted is False
                    else f"{leg.purpose} ({leg.reach.destination}) {where}: "
                    + "; ".join(leg.reach.problems())
                )
    return phrases


def root_cause_of(legs: Sequence[SourceLegs], wanted: bool | None) -> RootCause | None:
    """The decisive hop of the first leg whose verdict is ``wanted`` (False, or None)."""
    for group in legs:
        for leg in group.legs:
            if leg.reach.reachable is wanted and (hop := decisive_hop(leg.reach)) is not None:
                return RootCause(kind=hop.step, resource_id=hop.subject, detail=hop.detail)
    return None


def evidence_of(legs: Sequence[SourceLegs], **extra: Any) -> dict[str, Any]:
    return {
        **extra,
        "sources": [
            {
                "source": group.source.label,
                "subnet_id": group.source.subnet_id,
                "vpc_id": group.source.vpc_id,
                "security_group_ids": list(group.source.security_group_ids),
                "public_ipv4": group.source.public_ipv4,
                "legs": [{"purpose": leg.purpose, **leg.reach.as_evidence()} for leg in group.legs],
            }
            for group in legs
        ],
    }


def verdict_for(
    *,
    label: str,
    what: str,
    legs: Sequence[SourceLegs],
    fix: str,
    evidence: dict[str, Any],
) -> Verdict:
    """PASS when every leg has a working path, FAIL when one has none, else UNKNOWN."""
    status = _status(legs)
    if status is True:
        vias = sorted(
            {
                f"{leg.purpose} via {leg.reach.via.name}"
                for group in legs
                for leg in group.legs
                if leg.reach.via is not None
            }
        )
        return passed(f"{sentence_start(label)} can reach {what}: {', '.join(vias)}.", **evidence)
    if status is False:
        problems = "; ".join(_broken(legs, False))
        verdict = failed(
            f"{sentence_start(label)} cannot reach {what}: {problems}; fix: {fix}.", **evidence
        )
        return replace(verdict, root_cause=root_cause_of(legs, False))
    problems = "; ".join(_broken(legs, None))
    reason = shared_unknown_reason(legs)
    verdict = unknown(
        f"Cannot tell whether {label} can reach {what}: {problems}.",
        **evidence,
        **({"unknown_reason": str(reason)} if reason is not None else {}),
    )
    return replace(verdict, root_cause=root_cause_of(legs, None))


def shared_unknown_reason(legs: Sequence[SourceLegs]) -> UnknownReason | None:
    """The class of an UNKNOWN verdict: set only when every undecided leg has that class."""
    reasons = {
        leg.reach.unknown_reason
        for group in legs
        for leg in group.legs
        if leg.reach.reachable is None
    }
    return reasons.pop() if len(reasons) == 1 and None not in reasons else None


def no_network_verdict(label: str, reason: str) -> Verdict:
    return unknown(f"Cannot evaluate the network path of {label}: {reason}.", reason=reason)


TaskJudge = Callable[[str, Source, EcsTaskDefinition, Platform], Verdict]


def judge_task(net: NetworkView, inventory: Inventory, task: EcsTask, judge: TaskJudge) -> Verdict:
    """Look up what every path check needs about a task, then hand it to ``judge``."""
    label = task_label(task)
    definition = inventory.task_definition_of(task.task_definition_arn)
    if definition is None:
        return no_network_verdict(
            label, f"its task definition {task.task_definition_arn} is not in the inventory"
        )
    source = net.task_source(task, label)
    if source is None:
        return no_network_verdict(label, "the task reports no subnet (no ENI attachment)")
    return judge(label, source, definition, task_platform(task, definition))


NetworkJudge = Callable[[NetworkView, str, Source, EcsTaskDefinition, Platform], Verdict]


def evaluate_task_paths(
    meta: CheckMeta,
    inventory: Inventory,
    judge_path: NetworkJudge,
    applies: Callable[[EcsTaskDefinition], object],
) -> Iterator[Result]:
    """Judge every running Fargate task whose definition ``applies`` (log or secret paths).

    A task whose definition is missing may be in scope: it is judged (UNKNOWN), not skipped.
    """
    net = NetworkView(inventory)

    def judge(task: EcsTask) -> Verdict:
        return judge_task(
            net,
            inventory,
            task,
            lambda label, source, definition, platform: judge_path(
                net, label, source, definition, platform
            ),
        )

    in_scope = [
        (task_subject(t), t)
        for t in inventory.running_fargate_tasks()
        if (definition := inventory.task_definition_of(t.task_definition_arn)) is None
        or applies(definition)
    ]
    yield from judge_scope(
        meta,
        inventory,
        scope_needs=(ECS_TASKS, ECS_TASK_DEFINITIONS),
        items=in_scope,
        judge=judge,
    )
