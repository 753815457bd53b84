"""The prefetched first call: a failed ask still counts its requests, throttles and retries
where the Caller uses it, and the Caller asks again and reports that error."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from botocore.exceptions import ClientError

from auditor import aws, caller_prefetch
from tests.collectors.collectors_estate import REGION, make_settings
from tests.loopback import loopback_sts

_THROTTLED = (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
    "<Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
    "<RequestId>r</RequestId></ErrorResponse>"
)


@pytest.fixture
def throttling_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A loopback STS that throttles every request; yields the requests' actions."""
    seen: list[str] = []

    def throttle(body: bytes) -> tuple[int, str]:
        seen.append(body.decode())
        return 400, _THROTTLED

    with loopback_sts(throttle) as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        # botocore's standard mode backs off up to a second between attempts: not here.
        monkeypatch.setattr(
            "botocore.retries.standard.ExponentialBackoff.delay_amount", lambda *_: 0
        )
        yield seen


def test_a_failed_prefetch_is_counted_and_the_caller_asks_again(
    throttling_endpoint: list[str],
) -> None:
    settings = make_settings(max_attempts=2)
    sent = caller_prefetch.prefetch_caller(settings)
    assert sent.wait(30)
    caller = aws.Caller(settings)
    counter = aws.CallCounter()
    with pytest.raises(ClientError, match="Throttling"):
        asyncio.run(caller.account_id(counter))
    key = (REGION, "sts", "GetCallerIdentity")
    # Two attempts by the prefetch (botocore's retry layer, the same budget), two by the Caller.
    assert len(throttling_endpoint) == 4
    assert all("Action=GetCallerIdentity" in body for body in throttling_endpoint)
    assert counter == {key: 4}
    assert counter.throttles == {key: 4}
    assert counter.retries == {key: 2}


def test_the_prefetch_client_has_the_scans_retry_and_connection_configuration() -> None:
    settings = make_settings(max_attempts=3)
    options = caller_prefetch.client_options(settings, pool_size=1)
    async_config = aws.client_config(settings, pool_size=1)
    for name, value in options.items():
        assert getattr(async_config, name) == value
    assert options["retries"] == {"mode": "standard", "total_max_attempts": 3}
