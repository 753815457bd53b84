"""Fixtures for the check tests; the builders live in ``checks_factories``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.checks.checks_factories import InventoryEstate


@pytest.fixture
def estate() -> InventoryEstate:
    return InventoryEstate()


@pytest.fixture
def make_estate() -> Callable[..., InventoryEstate]:
    return InventoryEstate
