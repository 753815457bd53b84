"""Every collector, found by import, and what follows from their declarations.

A collector module under ``collectors/<service>/`` declares one or more module-level
:class:`~collectors.declaration.Collector` objects; nothing needs listing here. From those
declarations follow the store's resource tables, the collector names checks refer to, and
the IAM policy (``auditor iam-policy``, docs/iam-policy.md, the deploy templates).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import collectors
from collectors.declaration import Collector, Record, Scope

# Calls made outside any collector: identifying the account and listing enabled regions.
ACCOUNT_ACTIONS = ("sts:GetCallerIdentity", "ec2:DescribeRegions")


def _discovered() -> list[Collector]:
    found: dict[str, Collector] = {}
    for module_info in pkgutil.walk_packages(collectors.__path__, prefix="collectors."):
        if module_info.name.count(".") < 2:  # collectors.<service>.<module> only
            continue
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, Collector):
                known = found.setdefault(value.name, value)
                if known is not value:
                    raise RuntimeError(f"two collectors are named {value.name}")
    return list(found.values())


def _inputs_first(declared: list[Collector]) -> tuple[Collector, ...]:
    """The collectors in discovery order, except that each one's inputs come before it."""
    by_name = {c.name: c for c in declared}
    ordered: dict[str, Collector] = {}

    def place(collector: Collector, path: tuple[str, ...]) -> None:
        if collector.name in ordered:
            return
        if collector.name in path:
            raise RuntimeError(f"circular collector inputs: {' -> '.join(path)}")
        for need in collector.inputs:
            if need not in by_name:
                raise RuntimeError(f"{collector.name} needs {need}, which no collector is")
            place(by_name[need], (*path, collector.name))
        ordered[collector.name] = collector

    for collector in declared:
        place(collector, ())
    return tuple(ordered.values())


COLLECTORS: tuple[Collector, ...] = _inputs_first(_discovered())

BY_NAME: dict[str, Collector] = {collector.name: collector for collector in COLLECTORS}

# Every resource table, in registry order: what the store prunes and the schema doc lists.
RESOURCE_TABLES: tuple[type[Record], ...] = tuple(
    dict.fromkeys(record for collector in COLLECTORS for record in collector.records)
)


def regional() -> list[Collector]:
    return [c for c in COLLECTORS if c.scope is Scope.REGIONAL]


def account_wide() -> list[Collector]:
    """The collectors that run once per account (IAM), not once per region."""
    return [c for c in COLLECTORS if c.scope is Scope.GLOBAL]


def required_actions() -> list[str]:
    actions = {action for collector in COLLECTORS for action in collector.actions}
    return sorted(actions.union(ACCOUNT_ACTIONS))


def iam_policy() -> dict[str, Any]:
    """The minimal read-only policy for the role (or user) the auditor runs as."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AuditorReadOnly",
                "Effect": "Allow",
                "Action": required_actions(),
                "Resource": "*",
            }
        ],
    }
