"""cloudtrail.dhcp_associations: AssociateDhcpOptions events of the last 90 days.

LookupEvents allows one lookup attribute, 50 events a page and 2 requests/s per region; the
standard retry mode backs off and retries its throttling. The request parameters live in the
``CloudTrailEvent`` JSON string.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from auditor.store.resources import DhcpOptionsAssociationEvent
from collectors.calls import Api, Item
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable, text, utc

EVENT_NAME = "AssociateDhcpOptions"
LOOKBACK = timedelta(days=90)


async def fetch_dhcp_association_events(api: Api, now: datetime) -> list[Item]:
    return await api.items(
        "lookup_events",
        "Events",
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": EVENT_NAME}],
        StartTime=now - LOOKBACK,
        EndTime=now,
        MaxResults=50,
    )


def parse_cloudtrail_event(document: str | None) -> dict[str, Any]:
    if not document:
        return {}
    try:
        parsed = json.loads(document)
    except json.JSONDecodeError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def transform_event(item: Item, account_id: str, region: str) -> DhcpOptionsAssociationEvent:
    event = parse_cloudtrail_event(item.get("CloudTrailEvent"))
    parameters = event.get("requestParameters") or {}
    event_time = utc(item["EventTime"])
    assert event_time is not None
    return DhcpOptionsAssociationEvent(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        event_id=item["EventId"],
        vpc_id=text(parameters.get("vpcId")),
        dhcp_options_id=text(parameters.get("dhcpOptionsId")),
        event_time=event_time,
        error_code=text(event.get("errorCode")),
        details=text(event.get("errorMessage")),
    )


async def collect(ctx: Context) -> list[Record]:
    items = await fetch_dhcp_association_events(ctx.api, datetime.now(UTC))
    return [transform_event(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="cloudtrail.dhcp_associations",
    records=(DhcpOptionsAssociationEvent,),
    purpose="`AssociateDhcpOptions` events of the last 90 days (optional)",
    service="cloudtrail",
    actions=("cloudtrail:LookupEvents",),
    collect=collect,
    optional=True,
    # Optional precision, and LookupEvents allows 2 requests/s: a struggling CloudTrail API
    # gets three attempts rather than a minute of backoff before the scan can finish.
    max_attempts=3,
)
