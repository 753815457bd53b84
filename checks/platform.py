"""Fargate platform versions: resolving LATEST and telling Linux from Windows.

Linux LATEST is 1.4.0, Windows LATEST is 1.0.0; a task started without a version runs the latest
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/platform-fargate.html).
Versions we cannot parse stay strings and are reported, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from auditor.store.resources import EcsService, EcsTask, EcsTaskDefinition

LINUX_LATEST = "1.4.0"
WINDOWS_LATEST = "1.0.0"
_VERSION = re.compile(r"^\d+(\.\d+){1,3}$")


def is_windows(platform_family: str | None, os_family: str | None) -> bool:
    """Windows when either the task or its definition says so (values are open enums)."""
    return any(
        value is not None and value.upper().startswith("WINDOWS")
        for value in (platform_family, os_family)
    )


@dataclass(frozen=True, kw_only=True)
class Platform:
    requested: str | None
    version: str
    windows: bool

    @property
    def resolved_from_latest(self) -> bool:
        return self.requested is None or self.requested.upper() == "LATEST"

    @property
    def parsed(self) -> tuple[int, ...] | None:
        if not _VERSION.match(self.version):
            return None
        return tuple(int(part) for part in self.version.split("."))

    @property
    def os_name(self) -> str:
        return "Windows" if self.windows else "Linux"

    @property
    def task_eni_carries_everything(self) -> bool | None:
        """True from Linux 1.4.0 and Windows 1.0.0: ECR auth and secrets use the task ENI."""
        parsed = self.parsed
        if parsed is None:
            return None
        return parsed >= (1, 0, 0) if self.windows else parsed >= (1, 4, 0)

    @property
    def legacy(self) -> bool | None:
        """Linux 1.3.0 or older (no jumbo frames, IPv6 or EFS; a Fargate-owned ENI)."""
        carries = self.task_eni_carries_everything
        return None if carries is None else not carries

    def describe(self) -> str:
        suffix = " (LATEST)" if self.resolved_from_latest else ""
        return f"{self.os_name} platform {self.version}{suffix}"

    def evidence(self) -> dict[str, object]:
        return {
            "requested": self.requested,
            "version": self.version,
            "os": self.os_name,
            "resolved_from_latest": self.resolved_from_latest,
        }


def resolve_platform(requested: str | None, windows: bool) -> Platform:
    if requested is None or requested.upper() == "LATEST":
        version = WINDOWS_LATEST if windows else LINUX_LATEST
    else:
        version = requested
    return Platform(requested=requested, version=version, windows=windows)


def task_platform(task: EcsTask, definition: EcsTaskDefinition | None) -> Platform:
    os_family = definition.os_family if definition is not None else None
    return resolve_platform(task.platform_version, is_windows(task.platform_family, os_family))


def service_platform(service: EcsService, definition: EcsTaskDefinition | None) -> Platform:
    os_family = definition.os_family if definition is not None else None
    windows = is_windows(service.platform_family, os_family)
    return resolve_platform(service.platform_version, windows)
