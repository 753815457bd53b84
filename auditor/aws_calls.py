"""What every botocore client of this project shares, async (auditor.aws) or not (the
prefetched first call, auditor.caller_prefetch): call counting, the retry layer's extensions,
the client options, and the regions. botocore only: no aiobotocore, no aiohttp, so the first
AWS call of a scan can leave before those are imported.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import ParseError, XMLParser

import botocore.loaders
from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError
from botocore.retries.standard import RetryEventAdapter, ThrottlingErrorDetector

from auditor import __version__

if TYPE_CHECKING:
    from auditor.config import Settings

CallKey = tuple[str, str, str]  # (region, service, operation)


class CallCounter(Counter[CallKey]):
    """HTTP requests sent, by (region, service, operation), retries included; and what
    botocore's retry layer saw of them: ``throttles`` (answers that were throttling errors,
    as botocore's own detector classes them) and ``retries`` (attempts after the first)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.throttles: Counter[CallKey] = Counter()
        self.retries: Counter[CallKey] = Counter()


# Where the account-level calls (STS) go when the environment names no region.
DEFAULT_REGION = "us-east-1"

# An endpoint that does not answer: give up on a TCP connect after this long, and after this
# many attempts that could not connect (refused, unresolvable, timed out), however many
# attempts throttling would still be allowed. Reaching AWS takes milliseconds; an endpoint
# that refuses three times in a row is down or mistyped, and the user hears it in seconds.
CONNECT_TIMEOUT_SECONDS = 3
CONNECTION_ATTEMPTS = 3
_CONNECTION_ERRORS = (EndpointConnectionError, ConnectTimeoutError)
# Protocols whose error documents botocore parses as XML without a fallback.
_XML_ERROR_PROTOCOLS = frozenset({"query", "ec2"})


def _is_xml(body: bytes) -> bool:
    parser = XMLParser()  # noqa: S314  (botocore feeds the same bytes to the same parser next)
    try:
        parser.feed(body)
        parser.close()
    except ParseError:
        return False
    return True


def _blank_unparseable_5xx(response_dict: dict[str, Any], operation_model: Any, **_: Any) -> None:
    """A ``before-parse`` handler: a 5xx whose body is not XML gets botocore's generic error.

    A proxy or load balancer in front of AWS answers 503 with plain text or HTML of its own.
    botocore parses bodies that start with ``<html>`` (or are empty) as a generic HTTP error,
    which its retry policy retries like any 5xx; any other non-XML body on the query and EC2
    protocols raises ResponseParserError, which nothing retries. Emptying such a body hands it
    to that generic path, so the one retry layer treats every 5xx alike.
    """
    status = int(response_dict.get("status_code") or 0)
    body = response_dict.get("body")
    if status < 500 or not isinstance(body, bytes | bytearray) or not body.strip():
        return
    if operation_model.service_model.resolved_protocol not in _XML_ERROR_PROTOCOLS:
        return  # JSON protocols already turn a non-JSON error body into a message
    if not _is_xml(bytes(body)):
        response_dict["body"] = b""


def _connection_budget(
    *, caught_exception: Exception | None = None, request_dict: dict[str, Any], **_: Any
) -> None:
    """A ``needs-retry`` handler, run before botocore's: stop retrying an unreachable endpoint.

    Throttling keeps the whole attempt budget; attempts that could not connect have their own
    budget of CONNECTION_ATTEMPTS. Raising the connection error here ends the retries with the
    error botocore itself would raise once out of attempts.
    """
    if not isinstance(caught_exception, _CONNECTION_ERRORS):
        return
    context = request_dict.setdefault("context", {})
    failures = int(context.get("auditor_connection_failures", 0)) + 1
    context["auditor_connection_failures"] = failures
    if failures >= CONNECTION_ATTEMPTS:
        raise caught_exception


def extend_retries(client: Any) -> None:
    """Where botocore's retry layer stops short: unparseable 5xx bodies, unreachable endpoints."""
    service = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"before-parse.{service}", _blank_unparseable_5xx)
    client.meta.events.register_first(f"needs-retry.{service}", _connection_budget)


def environment_region() -> str:
    """The region named by the environment (``AWS_REGION`` too, which botocore ignores)."""
    return os.environ.get("AWS_DEFAULT_REGION") or os.environ.get("AWS_REGION") or DEFAULT_REGION


def _count_requests(counter: CallCounter, region: str, service: str) -> Any:
    """A ``before-send`` handler: runs once per HTTP attempt, so retries are counted."""

    def handler(event_name: str, **_: Any) -> None:
        counter[(region, service, event_name.rsplit(".", 1)[-1])] += 1

    return handler


_throttling = ThrottlingErrorDetector(RetryEventAdapter())


def _count_retry_layer(counter: CallCounter, region: str, service: str) -> tuple[Any, Any]:
    """A ``needs-retry`` handler counting throttles, and a ``request-created`` handler
    counting retries. They observe botocore's standard retry mode and decide nothing."""

    def answered(event_name: str, **kwargs: Any) -> None:
        if _throttling.is_throttling_error(**kwargs):
            counter.throttles[(region, service, event_name.rsplit(".", 1)[-1])] += 1

    def created(event_name: str, request: Any, **_: Any) -> None:
        # botocore numbers each attempt in the request's context before building it.
        if int(request.context.get("retries", {}).get("attempt", 1)) > 1:
            counter.retries[(region, service, event_name.rsplit(".", 1)[-1])] += 1

    return answered, created


def client_options(
    settings: Settings, *, pool_size: int | None = None, max_attempts: int | None = None
) -> dict[str, Any]:
    """The botocore configuration every client shares (see ``auditor.aws.client_config``),
    as keyword arguments of botocore's ``Config`` (and aiobotocore's ``AioConfig``)."""
    attempts = min(max_attempts or settings.max_attempts, settings.max_attempts)
    # ``total_max_attempts`` counts the first attempt; botocore's ``max_attempts`` key counts
    # retries only, so it would make Settings.max_attempts=10 mean eleven requests.
    return {
        "retries": {"mode": "standard", "total_max_attempts": attempts},
        "max_pool_connections": pool_size or settings.concurrency,
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "user_agent_extra": f"auditor/{__version__}",
    }


def count_calls(client: Any, counter: CallCounter, region: str, service: str) -> None:
    """Count ``client``'s requests, throttles and retries in ``counter`` under ``region``,
    and extend its retry layer (``extend_retries``)."""
    client.meta.events.register("before-send", _count_requests(counter, region, service))
    answered, created = _count_retry_layer(counter, region, service)
    client.meta.events.register("needs-retry", answered)
    client.meta.events.register("request-created", created)
    extend_retries(client)


def add_counts(counter: CallCounter, counted: CallCounter) -> None:
    """Add what ``counted`` counted (requests, throttles and retries) to ``counter``."""
    counter.update(counted)
    counter.throttles.update(counted.throttles)
    counter.retries.update(counted.retries)


@cache
def known_regions() -> frozenset[str]:
    """Every region botocore's bundled partition data knows, in every partition (no network).

    partitions.json (7 KB) lists the same regions as endpoints.json (1.2 MB, which took most
    of a second to load at start-up), plus pseudo-regions such as ``aws-global``.
    """
    partitions = botocore.loaders.create_loader().load_data("partitions")["partitions"]
    return frozenset(
        region
        for partition in partitions
        for region in partition.get("regions", {})
        if not region.endswith("-global")
    )


class UnknownRegionError(ValueError):
    """A region name botocore does not know; the message is one line."""


def validate_regions(names: Iterable[str]) -> None:
    unknown = sorted(set(names) - known_regions())
    if unknown:
        raise UnknownRegionError(f"unknown AWS region(s): {', '.join(unknown)}")
