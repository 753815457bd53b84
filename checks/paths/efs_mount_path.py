"""efs-mount-path: tasks with EFS volumes have a working NFS path to their file systems."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.inventory import Inventory
from auditor.store.resources import EcsTaskDefinition
from checks.base import CheckMeta, ResourceType, Result, Severity, register
from checks.paths.common import Leg, SourceLegs, evaluate_task_paths, evidence_of, verdict_for
from checks.platform import Platform
from checks.reachability import NetworkView, Source
from checks.reachability.efs import efs_reach, efs_volumes_of, task_zone
from checks.reachability.model import decisive_hop
from checks.support import (
    EC2_DHCP_OPTIONS,
    EC2_NETWORK_ACLS,
    EC2_NETWORK_INTERFACES,
    EC2_SECURITY_GROUPS,
    EC2_SUBNETS,
    EC2_VPCS,
    ECS_TASK_DEFINITIONS,
    ECS_TASKS,
    EFS_ACCESS_POINTS,
    EFS_FILE_SYSTEMS,
    EFS_MOUNT_TARGETS,
    Verdict,
)

META = CheckMeta(
    id="efs-mount-path",
    title="Tasks with EFS volumes can reach a mount target over NFS",
    severity=Severity.HIGH,
    scope="Running Fargate tasks whose task definition has EFS (efsVolumeConfiguration) volumes.",
    seed_quote=(
        "Amazon EFS ファイルシステムトラフィック / 利用不可 / タスク ENI / タスク ENI / "
        "タスク IAM ロール"
    ),
    seed_english=(
        "Amazon EFS file system traffic: not available on Linux platform 1.3.0 and older; over "
        "the task ENI on Linux 1.4.0 and on Windows 1.0.0; IAM permissions: the task IAM role "
        "(traffic table of the seed page)."
    ),
    rationale=(
        "A task mounts each EFS volume before its containers start; if the mount fails the "
        "task stops with ResourceInitializationError. Fargate mounts by the file system's DNS "
        "name, which resolves (through the VPC's resolver, with DNS support on) to the mount "
        "target in the task's own Availability Zone only: that mount target must exist and be "
        "available, a One Zone file system must live in the task's zone, the task's security "
        "groups must allow TCP 2049 out to the mount target and the mount target's groups "
        "must allow TCP 2049 in from the task, and where the two are in different subnets "
        "both subnets' network ACLs must pass the request and its reply. With IAM "
        "authorization the task role signs the mount, so the definition needs one; a named "
        "access point must exist. Linux platform 1.3.0 and older cannot mount EFS at all."
    ),
    remediation=(
        "Create a mount target in every Availability Zone the service's subnets use (or run "
        "the tasks in the One Zone file system's zone), allow TCP 2049 from the task's group "
        "on the mount target's group, set a task role when IAM authorization is on, and run "
        "platform 1.4.0 or LATEST."
    ),
    console_steps=(
        "EFS console > File systems > the file system > Network > Manage: add a mount target "
        "in the task's Availability Zone (subnet) with a security group allowing NFS (TCP "
        "2049) from the task's security group.",
        "EC2 console > Security Groups > the task's group > Outbound rules: allow TCP 2049 to "
        "the mount target's group (or keep the default all-traffic rule).",
        "ECS console > Task definitions > Create new revision: set the Task role when EFS IAM "
        "authorization is enabled; set the service's platform version to LATEST.",
    ),
    cli_steps=(
        "aws efs create-mount-target --file-system-id FS_ID --subnet-id SUBNET_ID "
        "--security-groups MOUNT_TARGET_SG_ID",
        "aws ec2 authorize-security-group-ingress --group-id MOUNT_TARGET_SG_ID "
        "--protocol tcp --port 2049 --source-group TASK_SG_ID",
        "aws ecs update-service --cluster CLUSTER --service SERVICE --platform-version LATEST "
        "--force-new-deployment",
    ),
    needs=(
        ECS_TASKS,
        ECS_TASK_DEFINITIONS,
        EC2_VPCS,
        EC2_SUBNETS,
        EC2_NETWORK_INTERFACES,
        EC2_SECURITY_GROUPS,
        EFS_FILE_SYSTEMS,
        EFS_MOUNT_TARGETS,
    ),
    # Access points matter only to volumes that name one, custom DNS only to the DNS hop,
    # network ACLs only between two subnets: without them those hops alone are UNKNOWN.
    optional_needs=(EFS_ACCESS_POINTS, EC2_DHCP_OPTIONS, EC2_NETWORK_ACLS),
    limitations=(
        "Network ACLs are judged only between different subnets (none applies inside one); "
        "replies allowed only on the Linux ephemeral range 32768-61000 pass with a caveat.",
        "A mount target in another VPC (peering with a private hosted zone) gives UNKNOWN.",
        "A VPC whose DHCP option set names only custom DNS servers gives UNKNOWN: whether they "
        "forward the file system's name to the Route 53 Resolver cannot be seen.",
        "File system policies (resource policies) and the task role's EFS permissions are not "
        "read.",
        "A file system owned by another account is not visible and gives UNKNOWN.",
    ),
    resource_types=(ResourceType.ECS_TASK,),
    references=(
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html",
        "https://docs.aws.amazon.com/efs/latest/ug/network-access.html",
        "https://docs.aws.amazon.com/efs/latest/ug/mounting-fs-mount-cmd-dns-name.html",
    ),
)

# The fix for the hop that broke a volume's path (its step), in the order a reader acts.
_FIXES = {
    "platform-version": "run platform 1.4.0 or LATEST",
    "file-system": "mount an available file system",
    "file-system-zone": "run the tasks in the One Zone file system's Availability Zone (or "
    "use a Regional file system)",
    "access-point": "create the access point on that file system or correct accessPointId",
    "task-role": "set taskRoleArn to a role allowed to mount the file system",
    "mount-target": "create a mount target in the task's Availability Zone",
    "mount-target-state": "wait for the mount target to become available, or recreate it",
    "vpc-dns": "enable DNS resolution (enableDnsSupport) on the VPC",
    "security-group-egress": "allow TCP 2049 out of the task's security group to the mount target",
    "mount-target-security-group-ingress": "allow TCP 2049 from the task's security group on "
    "the mount target's security group",
    "network-acl": "allow TCP 2049 and its replies (1024-65535) through both subnets' network ACLs",
}
_GENERAL_FIX = (
    "create an available mount target in the task's Availability Zone and allow TCP 2049 from "
    "the task to it"
)


def _fix(legs: tuple[Leg, ...]) -> str:
    steps = [
        hop.step
        for leg in legs
        if leg.reach.reachable is False and (hop := decisive_hop(leg.reach)) is not None
    ]
    fixes = list(dict.fromkeys(_FIXES[s] for s in steps if s in _FIXES))
    return "; ".join(fixes) or _GENERAL_FIX


def _judge(
    net: NetworkView,
    label: str,
    source: Source,
    definition: EcsTaskDefinition,
    platform: Platform,
) -> Verdict:
    zone = task_zone(net, source, None)
    volumes = efs_volumes_of(definition)
    legs = tuple(
        Leg(
            purpose=f"EFS volume {volume.name}",
            reach=efs_reach(net, source, volume, definition, platform, zone=zone),
        )
        for volume in volumes
    )
    group = SourceLegs(source=source, legs=legs)
    return verdict_for(
        label=label,
        what="its EFS file systems",
        legs=[group],
        fix=_fix(legs),
        evidence=evidence_of(
            [group],
            task_definition=definition.task_definition_arn,
            platform=platform.evidence(),
            availability_zone=zone,
            volumes=[volume.evidence() for volume in volumes],
        ),
    )


@register(META)
def evaluate(inventory: Inventory) -> Iterator[Result]:
    yield from evaluate_task_paths(META, inventory, _judge, efs_volumes_of)
