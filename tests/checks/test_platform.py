"""Fargate platform version resolution: LATEST, Windows, legacy, unrecognised."""

from __future__ import annotations

import pytest

from checks.platform import Platform, resolve_platform


@pytest.mark.parametrize(
    ("requested", "windows", "version", "legacy"),
    [
        (None, False, "1.4.0", False),
        ("LATEST", False, "1.4.0", False),
        ("1.3.0", False, "1.3.0", True),
        ("1.2.0", False, "1.2.0", True),
        (None, True, "1.0.0", False),
        ("LATEST", True, "1.0.0", False),
        ("banana", False, "banana", None),
    ],
)
def test_platform_resolution(
    requested: str | None, windows: bool, version: str, legacy: bool | None
) -> None:
    platform: Platform = resolve_platform(requested, windows)
    assert (platform.version, platform.legacy) == (version, legacy)
