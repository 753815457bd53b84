"""CloudTrail ``LookupEvents`` for the demo's moto server, which does not implement it.

The demo records the management events its own seeding makes (``AssociateDhcpOptions``) in
moto's CloudTrail backend of this process; :func:`install` teaches moto's CloudTrail
responses to serve them with AWS's filters, time range, 90-day retention, ordering (newest
first) and pagination. Only requests to the ports of running :class:`~auditor.demo.server.DemoMoto`
servers are answered: any other moto server in the process still fails the call as moto
does (HTTP 500, "has not been implemented"), and :func:`uninstall` removes the handler when
the last demo server stops. Collectors and checks only see the ordinary AWS API.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

# Where the recorded events live: an attribute of moto's CloudTrail backend of the account
# and region, so ``/moto-api/reset`` (which rebuilds every backend) forgets them too.
_EVENTS_ATTRIBUTE = "auditor_demo_events"
ACTION = "lookup_events"
MAX_RESULTS = 50
# Event history keeps the management events of the last 90 days.
RETENTION = timedelta(days=90)
LOOKUP_KEYS = (
    "EventId",
    "EventName",
    "ReadOnly",
    "Username",
    "ResourceType",
    "ResourceName",
    "EventSource",
    "AccessKeyId",
)
DEMO_USER_AGENT = "auditor-demo-seed"
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"


@dataclass(frozen=True)
class TrailEvent:
    """One management event as LookupEvents reports it."""

    event_id: str
    event_name: str
    event_source: str
    event_time: datetime
    read_only: bool
    username: str
    access_key_id: str
    resources: tuple[tuple[str, str], ...]  # (ResourceType, ResourceName)
    document: dict[str, Any]

    def attribute(self, key: str) -> list[str]:
        """The values LookupAttributes ``key`` matches against."""
        if key == "ResourceType":
            return [kind for kind, _ in self.resources]
        if key == "ResourceName":
            return [name for _, name in self.resources]
        value = {
            "EventId": self.event_id,
            "EventName": self.event_name,
            "ReadOnly": "true" if self.read_only else "false",
            "Username": self.username,
            "EventSource": self.event_source,
            "AccessKeyId": self.access_key_id,
        }[key]
        return [value]

    def answer(self) -> dict[str, Any]:
        return {
            "EventId": self.event_id,
            "EventName": self.event_name,
            "ReadOnly": "true" if self.read_only else "false",
            "AccessKeyId": self.access_key_id,
            "EventTime": self.event_time.timestamp(),
            "EventSource": self.event_source,
            "Username": self.username,
            "Resources": [
                {"ResourceType": kind, "ResourceName": name} for kind, name in self.resources
            ],
            "CloudTrailEvent": json.dumps(self.document),
        }


def _cloudtrail_backend(account_id: str, region: str) -> Any:
    # Imported late: moto reads its settings from the environment when first imported.
    from moto.cloudtrail.models import cloudtrail_backends

    return cloudtrail_backends[account_id][region]


def recorded_events(account_id: str, region: str) -> list[TrailEvent]:
    """The events recorded for an account and region, oldest first (a live list)."""
    backend = _cloudtrail_backend(account_id, region)
    events: list[TrailEvent] | None = getattr(backend, _EVENTS_ATTRIBUTE, None)
    if events is None:
        events = []
        setattr(backend, _EVENTS_ATTRIBUTE, events)
    return events


def _user_identity(arn: str, account_id: str, user_id: str, access_key_id: str) -> dict[str, Any]:
    """CloudTrail's ``userIdentity`` for the caller ARN STS reports, and its user name."""
    resource = arn.split(":", 5)[-1]
    identity: dict[str, Any] = {
        "principalId": user_id,
        "arn": arn,
        "accountId": account_id,
        "accessKeyId": access_key_id,
    }
    if resource.startswith("assumed-role/"):
        _, role, _session = resource.split("/", 2)
        identity["type"] = "AssumedRole"
        identity["sessionContext"] = {
            "sessionIssuer": {
                "type": "Role",
                "principalId": user_id.split(":", 1)[0],
                "arn": f"arn:aws:iam::{account_id}:role/{role}",
                "accountId": account_id,
                "userName": role,
            },
            "attributes": {"mfaAuthenticated": "false"},
        }
    elif resource == "root":
        identity["type"] = "Root"
    else:
        identity["type"] = "IAMUser"
        identity["userName"] = resource.rsplit("/", 1)[-1]
    return identity


def _username(identity: dict[str, Any]) -> str:
    if identity["type"] == "AssumedRole":
        return str(identity["arn"]).rsplit("/", 1)[-1]  # the session name, as AWS reports
    if identity["type"] == "Root":
        return "root"
    return str(identity["userName"])


def record_dhcp_association(
    caller: dict[str, Any],
    access_key_id: str,
    region: str,
    *,
    vpc_id: str,
    dhcp_options_id: str,
    at: datetime,
    request_id: str | None = None,
) -> TrailEvent:
    """Record the ``AssociateDhcpOptions`` event AWS would log for a successful call.

    ``caller`` is the STS GetCallerIdentity answer for the credentials that made the call.
    CloudTrail times have whole seconds.
    """
    account_id = str(caller["Account"])
    identity = _user_identity(str(caller["Arn"]), account_id, str(caller["UserId"]), access_key_id)
    when = at.astimezone(UTC).replace(microsecond=0)
    event_id = str(uuid.uuid4())
    request_id = request_id or str(uuid.uuid4())
    document: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": identity,
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "ec2.amazonaws.com",
        "eventName": "AssociateDhcpOptions",
        "awsRegion": region,
        "sourceIPAddress": "198.51.100.24",
        "userAgent": DEMO_USER_AGENT,
        "requestParameters": {"dhcpOptionsId": dhcp_options_id, "vpcId": vpc_id},
        "responseElements": {"requestId": request_id, "_return": True},
        "requestID": request_id,
        "eventID": event_id,
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account_id,
        "eventCategory": "Management",
    }
    event = TrailEvent(
        event_id=event_id,
        event_name="AssociateDhcpOptions",
        event_source="ec2.amazonaws.com",
        event_time=when,
        read_only=False,
        username=_username(identity),
        access_key_id=access_key_id,
        resources=(("AWS::EC2::DHCPOptions", dhcp_options_id), ("AWS::EC2::VPC", vpc_id)),
        document=document,
    )
    events = recorded_events(account_id, region)
    events.append(event)
    events.sort(key=lambda e: e.event_time)
    return event


# ---------------------------------------------------------------------------------------
# LookupEvents


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)  # HTTP 400 with AWS's JSON error body


def _time(value: Any, name: str) -> datetime | None:
    """A request timestamp: botocore sends epoch seconds; accept ISO 8601 as well."""
    if value is None:
        return None
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(value, UTC)
        text = str(value)
        try:
            return datetime.fromtimestamp(float(text), UTC)
        except ValueError:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise _error("ValidationException", f"Invalid {name}: {value!r}") from exc


def _parameters_digest(params: dict[str, Any]) -> str:
    keys = ("LookupAttributes", "StartTime", "EndTime", "EventCategory")
    relevant = {key: params.get(key) for key in keys}
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()[:16]


def _next_token(offset: int, digest: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "d": digest}).encode()).decode()


def _offset(token: str | None, digest: str) -> int:
    if token is None:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = decoded["o"]
        same = decoded["d"] == digest
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise _error("InvalidNextTokenException", "Invalid NextToken.") from exc
    if not same or not isinstance(offset, int) or offset < 0:
        raise _error(
            "InvalidNextTokenException",
            "The NextToken must be used with the same parameters as the original call.",
        )
    return offset


def _matcher(attributes: Any) -> tuple[str, str] | None:
    if not attributes:
        return None
    if not isinstance(attributes, list) or len(attributes) != 1:
        raise _error(
            "InvalidLookupAttributesException", "You can specify only one lookup attribute."
        )
    (attribute,) = attributes
    key = attribute.get("AttributeKey") if isinstance(attribute, dict) else None
    value = attribute.get("AttributeValue") if isinstance(attribute, dict) else None
    if key not in LOOKUP_KEYS or not isinstance(value, str) or not value:
        raise _error(
            "InvalidLookupAttributesException",
            f"Invalid lookup attribute: {key!r} must be one of {', '.join(LOOKUP_KEYS)} "
            "with a non-empty value.",
        )
    return key, value


def lookup_events(account_id: str, region: str, params: dict[str, Any]) -> dict[str, Any]:
    """LookupEvents over the recorded events of an account and region, as AWS answers it."""
    matcher = _matcher(params.get("LookupAttributes"))
    start = _time(params.get("StartTime"), "StartTime")
    end = _time(params.get("EndTime"), "EndTime")
    if start is not None and end is not None and start > end:
        raise _error("InvalidTimeRangeException", "Start time must be before end time.")
    max_results = params.get("MaxResults", MAX_RESULTS)
    if type(max_results) is not int or not 1 <= max_results <= MAX_RESULTS:
        raise _error(
            "InvalidMaxResultsException", f"MaxResults must be between 1 and {MAX_RESULTS}."
        )
    category = params.get("EventCategory")
    if category is not None and category != "insight":
        raise _error("InvalidEventCategoryException", f"Invalid EventCategory: {category}.")
    digest = _parameters_digest(params)
    offset = _offset(params.get("NextToken"), digest)

    kept_since = datetime.now(UTC) - RETENTION
    matching = [
        event
        for event in reversed(recorded_events(account_id, region))  # newest first
        if category is None  # only management events are recorded, no Insights events
        and event.event_time >= kept_since
        and (start is None or event.event_time >= start)
        and (end is None or event.event_time <= end)
        and (matcher is None or matcher[1] in event.attribute(matcher[0]))
    ]
    page = matching[offset : offset + max_results]
    answer: dict[str, Any] = {"Events": [event.answer() for event in page]}
    if offset + max_results < len(matching):
        answer["NextToken"] = _next_token(offset + max_results, digest)
    return answer


# ---------------------------------------------------------------------------------------
# Installing the handler in moto's CloudTrail responses

_lock = threading.Lock()
_ports: set[int] = set()


def _not_implemented() -> NotImplementedError:
    # moto's own words, so other servers fail exactly as without the demo.
    return NotImplementedError(f"The {ACTION} action has not been implemented")


def _port_of(host: str | None) -> int | None:
    if not host or ":" not in host:
        return None
    try:
        return int(host.rsplit(":", 1)[1])
    except ValueError:
        return None


def _handle(response: Any) -> tuple[str, dict[str, str]]:
    """moto's dispatch calls this as ``CloudTrailResponse.lookup_events(self)``."""
    if _port_of(response.headers.get("Host")) not in _ports:
        raise _not_implemented()
    try:
        params = json.loads(response.body or "{}")
    except ValueError as exc:
        raise _error("SerializationException", "The request body is not JSON.") from exc
    if not isinstance(params, dict):
        raise _error("SerializationException", "The request body is not a JSON object.")
    answer = lookup_events(response.current_account, response.region, params)
    return json.dumps(answer), {"Content-Type": JSON_CONTENT_TYPE}


def _response_class() -> Any:
    from moto.cloudtrail.responses import CloudTrailResponse

    return CloudTrailResponse


def install(port: int) -> None:
    """Answer LookupEvents for requests to the demo server listening on ``port``."""
    with _lock:
        cls = _response_class()
        existing = cls.__dict__.get(ACTION)
        if existing is not None and existing is not _handle:
            raise RuntimeError(
                "moto's CloudTrail now implements LookupEvents: drop auditor.demo.cloudtrail"
            )
        _ports.add(port)
        setattr(cls, ACTION, _handle)


def uninstall(port: int) -> None:
    """Stop answering for ``port``; remove the handler once no demo server remains."""
    with _lock:
        _ports.discard(port)
        cls = _response_class()
        if not _ports and cls.__dict__.get(ACTION) is _handle:
            delattr(cls, ACTION)


def installed() -> bool:
    return _response_class().__dict__.get(ACTION) is _handle
