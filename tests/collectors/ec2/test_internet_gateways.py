"""ec2.internet_gateways: attachment states kept as AWS says them."""

from __future__ import annotations

from auditor.store.resources import Ec2InternetGateway
from collectors.ec2.internet_gateways import transform_internet_gateway
from tests.collectors.collectors_estate import SeededCollection

ACCOUNT = "123456789012"


REGION = "eu-west-1"


def test_internet_gateway_attachment_state_kept_as_aws_says() -> None:
    igw = transform_internet_gateway(
        {"InternetGatewayId": "igw-1", "Attachments": [{"VpcId": "vpc-1", "State": "available"}]},
        ACCOUNT,
        REGION,
    )
    assert igw.attachments == [{"vpc_id": "vpc-1", "state": "available"}]


def test_collects_the_gateway_with_its_attachment(seeded_collection: SeededCollection) -> None:
    estate = seeded_collection.estate
    gateways = {
        g.internet_gateway_id: g.attachments for g in seeded_collection.records(Ec2InternetGateway)
    }
    assert gateways[estate.igw_id] == [{"vpc_id": estate.vpc_id, "state": "available"}]
