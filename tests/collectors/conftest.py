"""Fixtures for the collector tests (helpers live in collectors_estate.py)."""

from __future__ import annotations

import pytest
from collectors_estate import Boto3Factory, Estate, seed_estate, seed_service_linked_role


@pytest.fixture
def estate(boto3_client: Boto3Factory) -> Estate:
    seeded = seed_estate(boto3_client)
    seed_service_linked_role(boto3_client)
    return seeded
