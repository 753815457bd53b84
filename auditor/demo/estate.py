"""The demo estate: seed it into a moto server, then change it between two scans.

Two accounts (``123456789012`` is the caller; ``210987654321`` is reached by AssumeRole of
``auditor-readonly``, as a real multi-account scan reaches it), two regions, 53 running
Fargate tasks, FARGATE_SPOT among them, images from private ECR, another region's ECR, Docker
Hub, public.ecr.aws and ghcr.io. ``auditor.demo.coverage`` lists which part of the estate is
meant to PASS and which to FAIL each check. Between the scans ``apply_changes`` replaces
internal-services' DHCP option set (recording the CloudTrail ``AssociateDhcpOptions`` event
AWS would log, which the demo server serves through LookupEvents) and starts one
ledger-core task after it, deletes payments-nat-b and stops an ingest-worker task.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from auditor.demo import cloudtrail, moto_gaps, sites
from auditor.demo.clients import CALLER_ACCOUNT, AwsClients, caller_clients
from auditor.demo.site import Site

SECOND_ACCOUNT = "210987654321"
ROLE_NAME = "auditor-readonly"
REGIONS = ["us-east-1", "eu-west-1"]
ACCOUNT_NAMES = {CALLER_ACCOUNT: "acme-prod", SECOND_ACCOUNT: "acme-data"}
ECS_SERVICE_LINKED_ROLE_PATH = "/aws-service-role/ecs.amazonaws.com/"
SEED_SESSION = "demo-seed"


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _trust(principal: dict[str, str]) -> str:
    return _policy({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal})


# Anyone in the caller's account may assume the read-only role (moto does not enforce it).
_TRUST_CALLER = _trust({"AWS": f"arn:aws:iam::{CALLER_ACCOUNT}:root"})
_TRUST_ECS = _trust({"Service": "ecs.amazonaws.com"})
_TRUST_ECS_TASKS = _trust({"Service": "ecs-tasks.amazonaws.com"})
_READ_ONLY_POLICY = _policy(
    {
        "Effect": "Allow",
        "Resource": "*",
        "Action": [
            "ec2:Describe*",
            "ec2:GetManagedPrefixListEntries",
            "ecs:Describe*",
            "ecs:List*",
            "elasticloadbalancing:Describe*",
            "elasticfilesystem:Describe*",
            "iam:GetRole",
            "cloudtrail:LookupEvents",
            "network-firewall:Describe*",
            "network-firewall:List*",
        ],
    }
)


@dataclass(frozen=True)
class SiteSummary:
    account_id: str
    region: str
    vpcs: list[str]
    running_tasks: int
    stopped_tasks: int


@dataclass
class DemoEstate:
    """What was seeded, and what ``apply_changes`` needs to find again."""

    accounts: list[str]
    regions: list[str]
    role_name: str
    dhcp_vpc: sites.VpcRef
    after_dhcp_change: sites.TaskLaunch
    nat_to_delete: sites.NatRef
    task_to_stop: sites.TaskRef
    summaries: list[SiteSummary] = field(default_factory=list)

    @property
    def running_tasks(self) -> int:
        return sum(site.running_tasks for site in self.summaries)

    def description(self) -> list[str]:
        """Lines for the CLI banner: what was seeded where."""
        lines = [
            f"Demo estate: {len(self.accounts)} accounts, {len(self.regions)} regions, "
            f"{self.running_tasks} running Fargate tasks (moto, in-process)."
        ]
        for site in self.summaries:
            name = ACCOUNT_NAMES.get(site.account_id, site.account_id)
            how = "caller" if site.account_id == CALLER_ACCOUNT else f"AssumeRole {self.role_name}"
            lines.append(
                f"  {name} {site.account_id} ({how}) {site.region}: VPCs {', '.join(site.vpcs)}; "
                f"{site.running_tasks} running, {site.stopped_tasks} stopped tasks"
            )
        return lines


def _seed_iam(clients: AwsClients, *, service_linked_role: bool) -> None:
    iam = clients.client("iam")
    iam.create_role(RoleName="ecsTaskExecutionRole", AssumeRolePolicyDocument=_TRUST_ECS_TASKS)
    if service_linked_role:
        # create_service_linked_role names the role wrongly in moto; model it directly.
        iam.create_role(
            RoleName="AWSServiceRoleForECS",
            Path=ECS_SERVICE_LINKED_ROLE_PATH,
            AssumeRolePolicyDocument=_TRUST_ECS,
        )


def _summary(site: Site) -> SiteSummary:
    site.finish()
    return SiteSummary(
        account_id=site.account_id,
        region=site.region,
        vpcs=list(site.net.vpc_names.values()),
        running_tasks=len(site.running),
        stopped_tasks=len(site.stopped),
    )


def seed_estate(endpoint_url: str) -> DemoEstate:
    """Seed the whole estate into the (empty) moto server of this process at ``endpoint_url``."""
    now = datetime.now(UTC)
    prod = caller_clients(endpoint_url)
    data = prod.assume_role(SECOND_ACCOUNT, ROLE_NAME, SEED_SESSION)
    data.client("iam").create_role(RoleName=ROLE_NAME, AssumeRolePolicyDocument=_TRUST_CALLER)
    data.client("iam").put_role_policy(
        RoleName=ROLE_NAME, PolicyName="auditor-read", PolicyDocument=_READ_ONLY_POLICY
    )
    _seed_iam(prod, service_linked_role=True)
    _seed_iam(data, service_linked_role=False)

    prod_us = Site.open(prod, "us-east-1", now)
    nat_to_delete = sites.prod_us_east_1(prod_us)
    prod_eu = Site.open(prod, "eu-west-1", now)
    dhcp_vpc, after_dhcp_change = sites.prod_eu_west_1(prod_eu)
    data_us = Site.open(data, "us-east-1", now)
    task_to_stop = sites.data_us_east_1(data_us)
    data_eu = Site.open(data, "eu-west-1", now)
    sites.data_eu_west_1(data_eu)

    return DemoEstate(
        accounts=[CALLER_ACCOUNT, SECOND_ACCOUNT],
        regions=list(REGIONS),
        role_name=ROLE_NAME,
        dhcp_vpc=dhcp_vpc,
        after_dhcp_change=after_dhcp_change,
        nat_to_delete=nat_to_delete,
        task_to_stop=task_to_stop,
        summaries=[_summary(site) for site in (prod_us, prod_eu, data_us, data_eu)],
    )


def _clients_for(endpoint_url: str, estate: DemoEstate, account_id: str) -> AwsClients:
    caller = caller_clients(endpoint_url)
    if account_id == caller.account_id:
        return caller
    return caller.assume_role(account_id, estate.role_name, SEED_SESSION)


def _replace_dhcp_options(endpoint_url: str, estate: DemoEstate) -> str:
    """Associate a new option set, then scale the service out by one task."""
    vpc = estate.dhcp_vpc
    clients = _clients_for(endpoint_url, estate, vpc.account_id)
    site = Site.open(clients, vpc.region)
    options_id = site.net.dhcp_options(f"{vpc.name}-corp-dns", f"{vpc.region}.corp.acme.internal")
    changed_at = datetime.now(UTC)
    site.net.ec2.associate_dhcp_options(DhcpOptionsId=options_id, VpcId=vpc.vpc_id)
    # What CloudTrail would have logged; the demo server answers LookupEvents with it.
    cloudtrail.record_dhcp_association(
        clients.client("sts").get_caller_identity(),
        clients.credentials.access_key_id,
        vpc.region,
        vpc_id=vpc.vpc_id,
        dhcp_options_id=options_id,
        at=changed_at,
    )
    launch = estate.after_dhcp_change
    service = site.ecs.describe_services(cluster=launch.cluster, services=[launch.service])
    site.ecs.update_service(
        cluster=launch.cluster,
        service=launch.service,
        desiredCount=service["services"][0]["desiredCount"] + 1,
    )
    (new_task,) = site.run(
        launch.cluster,
        launch.task_definition,
        launch.placement,
        count=1,
        group=f"service:{launch.service}",
        started_at=datetime.now(UTC),
    )
    site.finish()
    return (
        f"{vpc.account_id} {vpc.region}: VPC {vpc.name} ({vpc.vpc_id}) now uses DHCP option set "
        f"{options_id}; one {launch.service} task started after the change "
        f"({new_task.arn.rsplit('/', 1)[-1]})"
    )


def _delete_nat_gateway(endpoint_url: str, estate: DemoEstate) -> str:
    # moto leaves the routes to it active (AWS marks them blackhole); the checks judge by the
    # NAT gateway's state, as they must on AWS too.
    nat = estate.nat_to_delete
    ec2 = _clients_for(endpoint_url, estate, nat.account_id).client("ec2", nat.region)
    ec2.delete_nat_gateway(NatGatewayId=nat.nat_gateway_id)
    return f"{nat.account_id} {nat.region}: NAT gateway {nat.name} ({nat.nat_gateway_id}) deleted"


def _stop_task(endpoint_url: str, estate: DemoEstate) -> str:
    stop = estate.task_to_stop
    ecs = _clients_for(endpoint_url, estate, stop.account_id).client("ecs", stop.region)
    ecs.stop_task(
        cluster=stop.cluster, task=stop.task_arn, reason="Your Spot Task was interrupted."
    )
    moto_gaps.stamp_stopped_task(
        stop.account_id,
        stop.region,
        stop.cluster,
        stop.task_arn,
        stop_code="SpotInterruption",
        at=datetime.now(UTC),
    )
    return (
        f"{stop.account_id} {stop.region}: {stop.service} task "
        f"{stop.task_arn.rsplit('/', 1)[-1]} stopped (Spot interruption)"
    )


def apply_changes(endpoint_url: str, estate: DemoEstate) -> list[str]:
    """Change the estate between the two scans; returns one human line per change."""
    return [
        _replace_dhcp_options(endpoint_url, estate),
        _delete_nat_gateway(endpoint_url, estate),
        _stop_task(endpoint_url, estate),
    ]
