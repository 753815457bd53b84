"""Network ACLs on the paths: the task subnet, the NAT gateway's subnet (both legs), endpoint
subnets and the S3 prefix list; PASS, FAIL and UNKNOWN for each, naming the NACL and rule."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from checks.base import Result, Status
from checks.paths.image_pull_path import evaluate
from checks.reachability.acl_hops import between_subnets
from checks.reachability.network import NetworkView
from checks.support import EC2_NETWORK_ACLS
from tests.checks.checks_factories import (
    DOCKER_HUB,
    S3_CIDRS,
    InventoryEstate,
    acl_entry,
    image_pull,
)


def acl_hops(result: Result) -> list[dict[str, Any]]:
    return [
        hop
        for source in result.evidence["sources"]
        for leg in source["legs"]
        for path in leg["paths"]
        for hop in path["hops"]
        if hop["step"] == "network-acl"
    ]


def open_rules(*, egress: bool, number: int = 100) -> dict[str, Any]:
    return acl_entry(number, "allow", egress=egress)


def https_only(egress: bool) -> dict[str, Any]:
    return acl_entry(100, "allow", egress=egress, protocol="6", ports=(443, 443))


def public_task(estate: InventoryEstate) -> None:
    estate.public_vpc()
    estate.task(definition=estate.task_definition(image=DOCKER_HUB), public_ip="54.1.2.3")


def test_default_nacl_passes_with_both_directions_in_evidence(estate: InventoryEstate) -> None:
    public_task(estate)
    result = image_pull(estate)
    assert result.status is Status.PASS
    details = [h["detail"] for h in acl_hops(result)]
    assert details == [
        "default network ACL acl-default-vpc-1 of task subnet subnet-1: outbound TCP 443 to "
        "the internet allowed by rule 100",
        "default network ACL acl-default-vpc-1 of task subnet subnet-1: inbound TCP "
        "1024-65535 from the internet allowed by rule 100",
    ]


def test_deny_all_nacl_on_the_task_subnet_fails_naming_the_rule(estate: InventoryEstate) -> None:
    public_task(estate)
    estate.network_acl(acl_id="acl-deny")
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert (
        "network ACL acl-deny of task subnet subnet-1: outbound TCP 443 to the internet denied "
        "by the closing * rule" in result.message
    )
    assert result.root_cause is not None
    assert (result.root_cause.kind, result.root_cause.resource_id) == ("network-acl", "acl-deny")


def test_explicit_deny_rule_is_named(estate: InventoryEstate) -> None:
    public_task(estate)
    estate.network_acl(
        entries=[
            acl_entry(50, "deny", egress=True, protocol="6", ports=(443, 443)),
            open_rules(egress=True),
            open_rules(egress=False),
        ]
    )
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert "denied by rule 50" in result.message


def test_443_out_without_the_ephemeral_return_fails(estate: InventoryEstate) -> None:
    public_task(estate)
    estate.network_acl(entries=[https_only(True), https_only(False)])
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert "inbound TCP 32768-61000 from the internet denied by" in result.message
    outbound = acl_hops(result)[0]
    assert outbound["ok"] is True


def test_linux_ephemeral_range_passes_with_a_caveat(estate: InventoryEstate) -> None:
    public_task(estate)
    estate.network_acl(
        entries=[
            open_rules(egress=True),
            acl_entry(100, "allow", egress=False, protocol="6", ports=(32768, 65535)),
        ]
    )
    result = image_pull(estate)
    assert result.status is Status.PASS
    assert any("not documented" in h["detail"] for h in acl_hops(result))


def nat_task(estate: InventoryEstate) -> None:
    estate.nat_vpc()
    estate.task(definition=estate.task_definition(image=DOCKER_HUB))


def test_nat_subnet_nacl_both_legs_pass_by_default(estate: InventoryEstate) -> None:
    nat_task(estate)
    result = image_pull(estate)
    assert result.status is Status.PASS
    nat_side = [h["detail"] for h in acl_hops(result) if "NAT gateway subnet" in h["detail"]]
    assert [d.split(": ", 1)[1] for d in nat_side] == [
        "inbound TCP 443 from subnet subnet-1 (10.0.1.0/24) allowed by rule 100",
        "outbound TCP 443 to the internet allowed by rule 100",
        "inbound TCP 1024-65535 from the internet allowed by rule 100",
        "outbound TCP 1024-65535 to subnet subnet-1 (10.0.1.0/24) allowed by rule 100",
    ]


def test_nat_subnet_needing_all_nat_ports_fails_on_the_linux_range_only(
    estate: InventoryEstate,
) -> None:
    nat_task(estate)
    estate.network_acl(
        acl_id="acl-pub",
        subnets=["subnet-pub"],
        entries=[
            open_rules(egress=True),
            acl_entry(100, "allow", egress=False, cidr="10.0.0.0/16"),
            acl_entry(110, "allow", egress=False, protocol="6", ports=(32768, 65535)),
        ],
    )
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert (
        "network ACL acl-pub of NAT gateway subnet subnet-pub: inbound TCP 1024-65535 from "
        "the internet: ports 1024-32767 are denied by the closing * rule" in result.message
    )


def test_nat_subnet_not_admitting_the_task_fails(estate: InventoryEstate) -> None:
    nat_task(estate)
    estate.network_acl(
        acl_id="acl-pub",
        subnets=["subnet-pub"],
        entries=[
            acl_entry(90, "deny", egress=False, cidr="10.0.1.0/24"),
            open_rules(egress=True),
            open_rules(egress=False),
        ],
    )
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert "inbound TCP 443 from subnet subnet-1 (10.0.1.0/24) denied by rule 90" in result.message


def test_nacls_not_collected_are_unknown_but_a_broken_route_still_fails(
    estate: InventoryEstate,
) -> None:
    public_task(estate)
    estate.fail(EC2_NETWORK_ACLS)
    result = image_pull(estate)
    assert result.status is Status.UNKNOWN
    assert "network ACLs were not collected (ec2.network_acls (denied" in result.message
    broken = InventoryEstate()
    broken.public_vpc()
    broken.task(definition=broken.task_definition(image=DOCKER_HUB))  # no public IP
    broken.fail(EC2_NETWORK_ACLS)
    assert image_pull(broken).status is Status.FAIL


def test_subnet_in_no_nacl_is_unknown(estate: InventoryEstate) -> None:
    public_task(estate)
    # On AWS every subnet is in some NACL's associations; one that is not was not collected.
    inventory = replace(estate.inventory(), network_acls=[])
    assert NetworkView(inventory).network_acl_of("subnet-1") == (
        None,
        "no collected network ACL lists the subnet in its associations",
    )
    result = next(iter(evaluate(inventory)))
    assert result.status is Status.UNKNOWN


def endpoint_estate(estate: InventoryEstate, endpoint_subnet: str) -> None:
    estate.private_vpc()
    estate.subnet(subnet_id="subnet-endpoints", cidr="10.0.9.0/24")
    estate.ecr_endpoints()
    for endpoint in estate.records["vpc_endpoints"]:
        if endpoint.endpoint_type == "Interface":
            endpoint.subnet_ids = [endpoint_subnet]
    estate.task()


def test_endpoint_subnet_nacl_must_admit_the_task(estate: InventoryEstate) -> None:
    endpoint_estate(estate, "subnet-endpoints")
    estate.network_acl(
        acl_id="acl-endpoints",
        subnets=["subnet-endpoints"],
        entries=[
            open_rules(egress=True),
            acl_entry(100, "allow", egress=False, cidr="10.9.0.0/16"),
        ],
    )
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert (
        "network ACL acl-endpoints of endpoint vpce-ecrdkr subnet subnet-endpoints: inbound TCP "
        "443 from subnet subnet-1 (10.0.1.0/24) denied by the closing * rule" in result.message
    )


def test_endpoint_subnet_default_nacl_passes(estate: InventoryEstate) -> None:
    endpoint_estate(estate, "subnet-endpoints")
    assert image_pull(estate).status is Status.PASS


def test_same_subnet_crosses_no_nacl(estate: InventoryEstate) -> None:
    endpoint_estate(estate, "subnet-1")
    net = NetworkView(estate.inventory())
    assert between_subnets(net, "subnet-1", "subnet-1", port=2049) == []
    nfs = between_subnets(net, "subnet-1", "subnet-endpoints", port=2049, server_role="EFS")
    assert [h.detail.split(": ", 1)[1] for h in nfs] == [
        "outbound TCP 2049 to subnet subnet-endpoints (10.0.9.0/24) allowed by rule 100",
        "inbound TCP 1024-65535 from subnet subnet-endpoints (10.0.9.0/24) allowed by rule 100",
        "inbound TCP 2049 from subnet subnet-1 (10.0.1.0/24) allowed by rule 100",
        "outbound TCP 1024-65535 to subnet subnet-1 (10.0.1.0/24) allowed by rule 100",
    ]


def test_s3_prefix_list_addresses_must_pass_the_task_nacl(estate: InventoryEstate) -> None:
    endpoint_estate(estate, "subnet-1")
    vpc_only = [
        acl_entry(100, "allow", egress=True, cidr="10.0.0.0/16"),
        acl_entry(100, "allow", egress=False, cidr="10.0.0.0/16"),
    ]
    estate.network_acl(entries=vpc_only)
    result = image_pull(estate)
    assert result.status is Status.FAIL
    assert "outbound TCP 443 to S3 (pl-63a5400a) denied by the closing * rule" in result.message
    # One of the list's two CIDRs allowed: which address S3 answers from is not known.
    partly = InventoryEstate()
    endpoint_estate(partly, "subnet-1")
    partly.network_acl(
        entries=[
            *vpc_only,
            acl_entry(110, "allow", egress=True, cidr=S3_CIDRS[0]),
            acl_entry(110, "allow", egress=False, cidr=S3_CIDRS[0]),
        ]
    )
    assert image_pull(partly).status is Status.UNKNOWN
