"""The prefetched first call: a failed ask still counts its requests, throttles and retries
where the Caller uses it, and the Caller asks again and reports that error."""

from __future__ import annotations

import asyncio
import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from auditor import aws, caller_prefetch
from tests.collectors.collectors_estate import REGION, make_settings

_THROTTLED = (
    '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
    "<Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
    "<RequestId>r</RequestId></ErrorResponse>"
)


@pytest.fixture
def throttling_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A loopback STS that throttles every request; yields the requests' actions."""
    seen: list[str] = []

    class Throttling(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
            body = _THROTTLED.encode()
            self.send_response(400)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Throttling)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.server_address[1]}")
    # botocore's standard mode backs off up to a second between attempts: not in this test.
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda *_: 0)
    try:
        yield seen
    finally:
        server.shutdown()
        server.server_close()


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
