"""ec2.network_acls: the transform on a documented item, and a collection on moto."""

from __future__ import annotations

import pytest

from auditor.store.resources import Ec2NetworkAcl
from auditor.store.scans import OutcomeStatus
from collectors.ec2.network_acls import transform_network_acl
from collectors.run import collect_account
from tests.checks.checks_factories import acl_entry
from tests.collectors.collectors_estate import ACCOUNT_ID, REGION, Boto3Factory, open_moto_account
from tests.moto_seeding import custom_network_acl

# Shaped like the DescribeNetworkAcls example in the EC2 API reference
# (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkAcls.html),
# with a TCP port range, an ICMP type/code and an IPv6 rule added.
DOCUMENTED_ITEM = {
    "Associations": [
        {
            "NetworkAclAssociationId": "aclassoc-66ea5f0b",
            "NetworkAclId": "acl-9aeb5ef7",
            "SubnetId": "subnet-65ea5f08",
        }
    ],
    "Entries": [
        {
            "CidrBlock": "10.0.0.0/16",
            "Egress": False,
            "PortRange": {"From": 443, "To": 443},
            "Protocol": "6",
            "RuleAction": "allow",
            "RuleNumber": 100,
        },
        {
            "CidrBlock": "0.0.0.0/0",
            "Egress": True,
            "IcmpTypeCode": {"Code": -1, "Type": 3},
            "Protocol": "1",
            "RuleAction": "allow",
            "RuleNumber": 110,
        },
        {
            "Ipv6CidrBlock": "::/0",
            "Egress": True,
            "Protocol": "-1",
            "RuleAction": "deny",
            "RuleNumber": 32768,
        },
        {
            "CidrBlock": "0.0.0.0/0",
            "Egress": True,
            "Protocol": "-1",
            "RuleAction": "deny",
            "RuleNumber": 32767,
        },
    ],
    "IsDefault": False,
    "NetworkAclId": "acl-5fb85d36",
    "Tags": [],
    "VpcId": "vpc-a01106c2",
    "OwnerId": "111122223333",
}


def test_transform_normalises_entries_and_associations() -> None:
    acl = transform_network_acl(DOCUMENTED_ITEM, ACCOUNT_ID, REGION)
    assert (acl.network_acl_id, acl.vpc_id, acl.owner_id, acl.is_default) == (
        "acl-5fb85d36",
        "vpc-a01106c2",
        "111122223333",
        False,
    )
    assert acl.subnet_ids == ["subnet-65ea5f08"]
    assert acl.entries == [
        {
            "rule_number": 100,
            "egress": False,
            "protocol": "6",
            "rule_action": "allow",
            "cidr_block": "10.0.0.0/16",
            "ipv6_cidr_block": None,
            "port_from": 443,
            "port_to": 443,
            "icmp_type": None,
            "icmp_code": None,
        },
        {
            "rule_number": 110,
            "egress": True,
            "protocol": "1",
            "rule_action": "allow",
            "cidr_block": "0.0.0.0/0",
            "ipv6_cidr_block": None,
            "port_from": None,
            "port_to": None,
            "icmp_type": 3,
            "icmp_code": -1,
        },
        {
            "rule_number": 32768,
            "egress": True,
            "protocol": "-1",
            "rule_action": "deny",
            "cidr_block": None,
            "ipv6_cidr_block": "::/0",
            "port_from": None,
            "port_to": None,
            "icmp_type": None,
            "icmp_code": None,
        },
        {
            "rule_number": 32767,
            "egress": True,
            "protocol": "-1",
            "rule_action": "deny",
            "cidr_block": "0.0.0.0/0",
            "ipv6_cidr_block": None,
            "port_from": None,
            "port_to": None,
            "icmp_type": None,
            "icmp_code": None,
        },
    ]
    assert acl.raw == DOCUMENTED_ITEM


def test_transform_without_associations_or_entries() -> None:
    item = {"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": True}
    acl = transform_network_acl(item, ACCOUNT_ID, REGION)
    assert (acl.subnet_ids, acl.entries, acl.owner_id, acl.is_default) == ([], [], None, True)


def test_transform_missing_a_required_field_fails_loudly() -> None:
    with pytest.raises(KeyError):
        transform_network_acl({"NetworkAclId": "acl-1"}, ACCOUNT_ID, REGION)
    entry_without_action = {"RuleNumber": 1, "Egress": False, "Protocol": "-1"}
    with pytest.raises(KeyError):
        transform_network_acl(
            {"NetworkAclId": "acl-1", "VpcId": "vpc-1", "Entries": [entry_without_action]},
            ACCOUNT_ID,
            REGION,
        )


@pytest.mark.asyncio
async def test_collects_every_acl_with_its_subnets_and_rules(boto3_client: Boto3Factory) -> None:
    ec2 = boto3_client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.1.1.0/24")["Subnet"]["SubnetId"]
    https_out = acl_entry(100, "allow", egress=True, protocol="6", ports=(443, 443))
    custom = custom_network_acl(ec2, vpc, [subnet], [https_out])

    account = await open_moto_account()
    collected = await collect_account(account, [REGION], concurrency=4)

    [outcome] = [o for o in collected.outcomes if o.collector == "ec2.network_acls"]
    assert outcome.status == OutcomeStatus.OK
    acls = {r.network_acl_id: r for r in collected.records if isinstance(r, Ec2NetworkAcl)}
    assert set(acls) == {acl["NetworkAclId"] for acl in ec2.describe_network_acls()["NetworkAcls"]}
    ours = {acl_id: acl for acl_id, acl in acls.items() if acl.vpc_id == vpc}
    assert {(acl.is_default, tuple(acl.subnet_ids)) for acl in ours.values()} == {
        (True, ()),
        (False, (subnet,)),
    }
    assert {
        (e["rule_number"], e["egress"], e["protocol"], e["rule_action"], e["port_from"])
        for e in ours[custom].entries
        if e["rule_number"] == 100
    } == {(100, True, "6", "allow", 443)}
    assert collected.api_calls[(REGION, "ec2", "DescribeNetworkAcls")] == 1
