"""Where botocore's one retry layer is extended: non-AWS 5xx bodies, unreachable endpoints.

Counted in attempts (every HTTP attempt goes through the call counter), never timed.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiobotocore.session import get_session
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError

from auditor.aws import client_config, counted_client
from auditor.aws_calls import CONNECT_TIMEOUT_SECONDS, CONNECTION_ATTEMPTS, CallCounter
from tests.collectors.collectors_estate import REGION, make_settings
from tests.collectors.collectors_fault_proxy import UNAVAILABLE_BODIES, FaultProxy

UNAVAILABLE_KINDS = [kind for kind, _, _ in UNAVAILABLE_BODIES]


async def _call(service: str, counter: CallCounter, max_attempts: int = 10) -> Any:
    config = client_config(make_settings(max_attempts=max_attempts), pool_size=1)
    async with counted_client(get_session(), service, REGION, counter, config) as client:
        if service == "sts":
            return await client.get_caller_identity()
        if service == "ec2":
            return await client.describe_vpcs()
        if service == "elbv2":
            return await client.describe_target_groups()
        return await client.list_clusters()


@pytest.mark.asyncio
@pytest.mark.parametrize("service", ["sts", "ec2", "elbv2", "ecs"])  # query, ec2, json
async def test_a_5xx_that_is_not_an_aws_error_document_is_retried(
    service: str, moto: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = FaultProxy(moto.url, first=(*UNAVAILABLE_KINDS, "throttle"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", await proxy.start())
    counter = CallCounter()
    try:
        response = await _call(service, counter)
    finally:
        await proxy.stop()
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert sum(counter.values()) == len(UNAVAILABLE_KINDS) + 2
    # What the retry layer saw, for /metrics: one throttle, and a retry per fault.
    assert sum(counter.throttles.values()) == 1
    assert sum(counter.retries.values()) == len(UNAVAILABLE_KINDS) + 1
    assert set(counter.retries) == set(counter)  # the same (region, service, operation)


@pytest.mark.asyncio
async def test_an_unparseable_5xx_still_fails_once_the_attempts_are_spent(
    moto: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Out of attempts, the caller gets botocore's ClientError for the 503, not a parse error."""
    proxy = FaultProxy(moto.url, first=("503-text", "503-page"))
    monkeypatch.setenv("AWS_ENDPOINT_URL", await proxy.start())
    counter = CallCounter()
    try:
        with pytest.raises(Exception, match=r"\(503\)") as raised:
            await _call("ec2", counter, max_attempts=2)
    finally:
        await proxy.stop()
    assert type(raised.value).__name__ == "ClientError"
    assert sum(counter.values()) == 2
    assert sum(counter.retries.values()) == 1 and not counter.throttles  # 503s, not throttles


@pytest.mark.asyncio
async def test_throttling_keeps_the_whole_attempt_budget(
    moto: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    throttles = CONNECTION_ATTEMPTS + 1
    proxy = FaultProxy(moto.url, first=("throttle",) * throttles)
    monkeypatch.setenv("AWS_ENDPOINT_URL", await proxy.start())
    counter = CallCounter()
    try:
        await _call("ecs", counter)
    finally:
        await proxy.stop()
    assert sum(counter.values()) == throttles + 1
    assert counter.throttles == counter.retries == {(REGION, "ecs", "ListClusters"): throttles}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.asyncio
async def test_a_refusing_endpoint_gets_only_the_connection_attempts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_closed_port()}")
    counter = CallCounter()
    with pytest.raises(EndpointConnectionError):
        await _call("sts", counter, max_attempts=10)
    assert sum(counter.values()) == CONNECTION_ATTEMPTS < 10


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """A loopback port whose accept queue is full: a new TCP connect is never answered."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


@pytest.mark.asyncio
@pytest.mark.slow
async def test_a_silent_endpoint_times_out_on_connect(
    silent_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert client_config(make_settings()).connect_timeout == CONNECT_TIMEOUT_SECONDS <= 5
    monkeypatch.setenv("AWS_ENDPOINT_URL", silent_endpoint)
    counter = CallCounter()
    with pytest.raises(ConnectTimeoutError):
        await _call("sts", counter, max_attempts=10)
    assert sum(counter.values()) == CONNECTION_ATTEMPTS
