"""cloudtrail.dhcp_associations: event parameters from the CloudTrail event document."""

from __future__ import annotations

from datetime import UTC, datetime

from collectors.cloudtrail.dhcp_associations import transform_event

ACCOUNT = "123456789012"


REGION = "eu-west-1"


def test_cloudtrail_event_parameters_come_from_the_event_document() -> None:
    document = (
        '{"eventName": "AssociateDhcpOptions", "errorCode": "Client.InvalidDhcpOptionsID.NotFound",'
        ' "errorMessage": "no such set",'
        ' "requestParameters": {"dhcpOptionsId": "dopt-9", "vpcId": "vpc-1"}}'
    )
    item = {
        "EventId": "e-1",
        "EventName": "AssociateDhcpOptions",
        "EventTime": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "CloudTrailEvent": document,
    }
    event = transform_event(item, ACCOUNT, REGION)
    assert (event.vpc_id, event.dhcp_options_id, event.error_code, event.details) == (
        "vpc-1",
        "dopt-9",
        "Client.InvalidDhcpOptionsID.NotFound",
        "no such set",
    )
    assert event.event_time == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_cloudtrail_event_with_unreadable_document() -> None:
    item = {
        "EventId": "e-2",
        "EventTime": datetime(2026, 1, 2, tzinfo=UTC),
        "CloudTrailEvent": "{not json",
    }
    event = transform_event(item, ACCOUNT, REGION)
    assert (event.vpc_id, event.dhcp_options_id, event.error_code) == (None, None, None)
