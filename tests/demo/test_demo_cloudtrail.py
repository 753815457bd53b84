"""The demo server's CloudTrail LookupEvents: the events the demo records, served as AWS would.

moto has no LookupEvents; only the demo's own server answers it (other moto servers in the
process keep failing it), and the real collector reads the DHCP change through it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from auditor.aws import open_account
from auditor.config import Settings
from auditor.demo import DemoEstate, DemoMoto, apply_changes, cloudtrail, seed_estate
from auditor.demo.estate import ROLE_NAME, SECOND_ACCOUNT
from auditor.store.resources import DhcpOptionsAssociationEvent
from auditor.store.scans import OutcomeStatus
from collectors.run import collect_account

PROD = "123456789012"
REGIONS = ["us-east-1", "eu-west-1"]
COLLECTOR = "cloudtrail.dhcp_associations"
# Synthetic events go to an account and region the estate does not use.
OTHER_ACCOUNT, OTHER_REGION = "111122223333", "ap-southeast-2"
T0 = (datetime.now(UTC) - timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
DHCP_EVENT = [{"AttributeKey": "EventName", "AttributeValue": "AssociateDhcpOptions"}]


@dataclass
class Changed:
    server: DemoMoto
    estate: DemoEstate
    changed_after: datetime
    changed_before: datetime


@pytest.fixture(scope="module")
def changed() -> Iterator[Changed]:
    with DemoMoto() as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ENDPOINT_URL", server.url)
        estate = seed_estate(server.url)
        after = datetime.now(UTC)
        apply_changes(server.url, estate)
        yield Changed(server, estate, after, datetime.now(UTC))


def _client(url: str, region: str = "eu-west-1", account: str | None = None) -> Any:
    # moto maps a request to an account by the x-moto-account-id header when given.
    client = boto3.client(
        "cloudtrail",
        region_name=region,
        endpoint_url=url,
        aws_access_key_id="demo",
        aws_secret_access_key="demo",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )
    if account is not None:
        client.meta.events.register(
            "before-sign.cloudtrail.*",
            lambda request, **_: request.headers.__setitem__("x-moto-account-id", account),
        )
    return client


def _other(url: str) -> Any:
    return _client(url, OTHER_REGION, OTHER_ACCOUNT)


def _synthetic(count: int) -> list[cloudtrail.TrailEvent]:
    """``count`` events an hour apart from T0 in the other account, oldest first."""
    caller = {
        "Account": OTHER_ACCOUNT,
        "Arn": f"arn:aws:sts::{OTHER_ACCOUNT}:assumed-role/netops/alice",
        "UserId": "AROAEXAMPLE:alice",
    }
    cloudtrail.recorded_events(OTHER_ACCOUNT, OTHER_REGION).clear()
    return [
        cloudtrail.record_dhcp_association(
            caller,
            "ASIAEXAMPLE",
            OTHER_REGION,
            vpc_id=f"vpc-{index:04d}",
            dhcp_options_id=f"dopt-{index:04d}",
            at=T0 + timedelta(hours=index, microseconds=123),
        )
        for index in range(count)
    ]


def test_the_dhcp_change_is_served_as_a_cloudtrail_event(changed: Changed) -> None:
    vpc = changed.estate.dhcp_vpc
    ec2 = boto3.client(
        "ec2",
        region_name=vpc.region,
        endpoint_url=changed.server.url,
        aws_access_key_id="demo",
        aws_secret_access_key="demo",
    )
    options_id = ec2.describe_vpcs(VpcIds=[vpc.vpc_id])["Vpcs"][0]["DhcpOptionsId"]

    answer = _client(changed.server.url, vpc.region).lookup_events(LookupAttributes=DHCP_EVENT)

    (event,) = answer["Events"]
    assert "NextToken" not in answer
    assert event["EventName"] == "AssociateDhcpOptions"
    assert event["EventSource"] == "ec2.amazonaws.com"
    assert event["ReadOnly"] == "false"
    # CloudTrail times have whole seconds; the change happened during apply_changes.
    when = event["EventTime"]
    assert changed.changed_after.replace(microsecond=0) <= when <= changed.changed_before
    assert when.microsecond == 0
    assert {(r["ResourceType"], r["ResourceName"]) for r in event["Resources"]} == {
        ("AWS::EC2::DHCPOptions", options_id),
        ("AWS::EC2::VPC", vpc.vpc_id),
    }
    document = json.loads(event["CloudTrailEvent"])
    assert document["eventVersion"] == "1.08"
    assert document["eventName"] == "AssociateDhcpOptions"
    assert document["eventSource"] == "ec2.amazonaws.com"
    assert document["awsRegion"] == vpc.region
    assert document["eventID"] == event["EventId"]
    assert document["recipientAccountId"] == vpc.account_id
    assert document["requestParameters"] == {"dhcpOptionsId": options_id, "vpcId": vpc.vpc_id}
    assert document["responseElements"]["_return"] is True
    assert datetime.fromisoformat(document["eventTime"]) == when
    # Nothing was recorded for the other regions and accounts.
    assert _client(changed.server.url, "us-east-1").lookup_events()["Events"] == []


@pytest.mark.asyncio
async def test_the_collector_reads_the_recorded_event(changed: Changed) -> None:
    settings = Settings(max_attempts=2, concurrency=8, role_name=ROLE_NAME)
    vpc = changed.estate.dhcp_vpc
    for account_id in (PROD, SECOND_ACCOUNT):
        account = await open_account(account_id, settings)
        collected = await collect_account(account, REGIONS, concurrency=settings.concurrency)
        outcomes = {(o.region, o.status) for o in collected.outcomes if o.collector == COLLECTOR}
        assert outcomes == {(region, OutcomeStatus.OK) for region in REGIONS}
        events = [r for r in collected.records if isinstance(r, DhcpOptionsAssociationEvent)]
        if account_id != vpc.account_id:
            assert events == []
            continue
        (event,) = events
        assert (event.region, event.vpc_id) == (vpc.region, vpc.vpc_id)
        assert event.dhcp_options_id is not None and event.dhcp_options_id.startswith("dopt-")
        assert event.error_code is None
        assert changed.changed_after.replace(microsecond=0) <= event.event_time
        assert event.event_time <= changed.changed_before


def test_newest_first_with_event_name_and_resource_filters(changed: Changed) -> None:
    recorded = _synthetic(3)
    client = _other(changed.server.url)

    events = client.lookup_events()["Events"]

    assert [e["EventId"] for e in events] == [e.event_id for e in reversed(recorded)]
    assert events[0]["Username"] == "alice"  # the session name of an assumed role
    identity = json.loads(events[0]["CloudTrailEvent"])["userIdentity"]
    assert identity["type"] == "AssumedRole"
    assert identity["sessionContext"]["sessionIssuer"]["userName"] == "netops"
    assert client.lookup_events(LookupAttributes=DHCP_EVENT)["Events"] == events
    other_name = [{"AttributeKey": "EventName", "AttributeValue": "CreateVpc"}]
    assert client.lookup_events(LookupAttributes=other_name)["Events"] == []
    by_vpc = [{"AttributeKey": "ResourceName", "AttributeValue": "vpc-0001"}]
    assert [e["EventId"] for e in client.lookup_events(LookupAttributes=by_vpc)["Events"]] == [
        recorded[1].event_id
    ]
    assert client.lookup_events(EventCategory="insight")["Events"] == []


def test_start_and_end_time_are_inclusive(changed: Changed) -> None:
    recorded = _synthetic(4)
    client = _other(changed.server.url)
    # Recorded at whole seconds: T0 + 1h and T0 + 2h are exactly the bounds.
    events = client.lookup_events(
        StartTime=T0 + timedelta(hours=1), EndTime=T0 + timedelta(hours=2)
    )["Events"]
    assert [e["EventId"] for e in events] == [recorded[2].event_id, recorded[1].event_id]
    assert events[0]["EventTime"] == T0 + timedelta(hours=2)
    later = client.lookup_events(StartTime=T0 + timedelta(hours=3, seconds=1))["Events"]
    assert later == []


def test_events_older_than_90_days_are_gone(changed: Changed) -> None:
    (recent,) = _synthetic(1)
    caller = {"Account": OTHER_ACCOUNT, "Arn": f"arn:aws:iam::{OTHER_ACCOUNT}:root", "UserId": "x"}
    cloudtrail.record_dhcp_association(
        caller,
        "AKIAEXAMPLE",
        OTHER_REGION,
        vpc_id="vpc-old",
        dhcp_options_id="dopt-old",
        at=datetime.now(UTC) - timedelta(days=91),
    )
    events = _other(changed.server.url).lookup_events(StartTime=T0 - timedelta(days=365))
    assert [e["EventId"] for e in events["Events"]] == [recent.event_id]


def test_pagination_follows_max_results_and_next_token(changed: Changed) -> None:
    recorded = _synthetic(5)
    client = _other(changed.server.url)
    window = {"StartTime": T0 - timedelta(days=1), "EndTime": T0 + timedelta(days=1)}

    first = client.lookup_events(LookupAttributes=DHCP_EVENT, MaxResults=2, **window)
    second = client.lookup_events(
        LookupAttributes=DHCP_EVENT, MaxResults=2, NextToken=first["NextToken"], **window
    )
    third = client.lookup_events(
        LookupAttributes=DHCP_EVENT, MaxResults=2, NextToken=second["NextToken"], **window
    )

    pages = [first, second, third]
    assert [len(page["Events"]) for page in pages] == [2, 2, 1]
    assert "NextToken" not in third
    assert [e["EventId"] for page in pages for e in page["Events"]] == [
        e.event_id for e in reversed(recorded)
    ]
    paginated = client.get_paginator("lookup_events").paginate(
        LookupAttributes=DHCP_EVENT, PaginationConfig={"PageSize": 3}
    )
    assert [len(page["Events"]) for page in paginated] == [3, 2]
    with pytest.raises(ClientError) as changed_parameters:
        client.lookup_events(MaxResults=2, NextToken=first["NextToken"])
    assert changed_parameters.value.response["Error"]["Code"] == "InvalidNextTokenException"


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"MaxResults": 51}, "InvalidMaxResultsException"),
        ({"StartTime": T0, "EndTime": T0 - timedelta(seconds=1)}, "InvalidTimeRangeException"),
        ({"LookupAttributes": DHCP_EVENT * 2}, "InvalidLookupAttributesException"),
        (
            {"LookupAttributes": [{"AttributeKey": "VpcId", "AttributeValue": "vpc-1"}]},
            "InvalidLookupAttributesException",
        ),
        ({"NextToken": "not-a-token"}, "InvalidNextTokenException"),
        ({"EventCategory": "data"}, "InvalidEventCategoryException"),
    ],
)
def test_invalid_requests_fail_as_on_aws(
    changed: Changed, arguments: dict[str, Any], code: str
) -> None:
    with pytest.raises(ClientError) as error:
        _other(changed.server.url).lookup_events(**arguments)
    assert error.value.response["Error"]["Code"] == code
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_only_demo_servers_answer_lookup_events(changed: Changed) -> None:
    other = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    other.start()
    try:
        host, port = other.get_host_and_port()
        plain = _client(f"http://{host}:{port}")
        with pytest.raises(ClientError) as error:
            plain.lookup_events()
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
        # Still served by the demo server meanwhile.
        assert _client(changed.server.url).lookup_events(LookupAttributes=DHCP_EVENT)["Events"]
    finally:
        other.stop()


def test_the_handler_stays_until_the_last_demo_server_stops(changed: Changed) -> None:
    assert cloudtrail.installed()
    spare_port = changed.server.port + 1
    cloudtrail.install(spare_port)
    cloudtrail.uninstall(spare_port)
    assert cloudtrail.installed()  # the module's server still runs


def test_recorded_events_are_forgotten_on_reset(changed: Changed) -> None:
    _synthetic(1)
    assert cloudtrail.recorded_events(OTHER_ACCOUNT, OTHER_REGION)
    # Do not reset the estate's backends: reset only the CloudTrail backend of that account.
    from moto.cloudtrail.models import cloudtrail_backends

    cloudtrail_backends[OTHER_ACCOUNT][OTHER_REGION].reset()
    assert cloudtrail.recorded_events(OTHER_ACCOUNT, OTHER_REGION) == []
