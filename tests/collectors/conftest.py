"""Fixtures for the collector tests (helpers live in collectors_estate.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import boto3
import pytest

from tests.collectors.collectors_estate import (
    Boto3Factory,
    SeededCollection,
    SeededMotoEstate,
    collect_seeded_estate,
    seed_estate,
    seed_service_linked_role,
)
from tests.conftest import MotoServer


@pytest.fixture
def estate(boto3_client: Boto3Factory) -> SeededMotoEstate:
    seeded = seed_estate(boto3_client)
    seed_service_linked_role(boto3_client)
    return seeded


@pytest.fixture(scope="session")
def seeded_collection(moto_server: MotoServer) -> SeededCollection:
    """The seeded estate collected once per session; each collector's test reads its records.

    Only the collected records are shared: the tests that use moto reset it before they start.
    """
    moto_server.reset()

    def make(service: str, region: str = "us-east-1", **kwargs: Any) -> Any:
        return boto3.client(service, region_name=region, endpoint_url=moto_server.url, **kwargs)

    return asyncio.run(collect_seeded_estate(make))
