"""vpc-dns-attributes: VPCs hosting Fargate tasks have DNS support and host names on."""

from __future__ import annotations

from collections.abc import Iterator

from auditor.inventory import Inventory
from checks.base import CheckMeta, ResourceType, Result, Severity, register
from checks.support import (
    EC2_SUBNETS,
    EC2_VPCS,
    ECS_TASKS,
    Verdict,
    failed,
    judge_scope,
    passed,
    unknown,
    vpc_label,
)
from checks.vpc.hosting import HostingVpc, hosting_vpcs

META = CheckMeta(
    id="vpc-dns-attributes",
    title="VPCs hosting tasks have DNS support and DNS host names on",
    severity=Severity.LOW,
    scope="VPCs that host running Fargate tasks.",
    seed_quote=(
        "これらのオプションが有効になっていない場合、タスクの DNS ホスト名はランダムな"
        "ホスト名になります。"
    ),
    seed_english=(
        "When both enableDnsHostnames and enableDnsSupport are on, ECS gives the task the "
        "Amazon-provided (internal) DNS host name; if these options are not on, the task's DNS "
        "host name is a random one."
    ),
    rationale=(
        "Without both attributes tasks get random host names, and interface endpoints' "
        "private DNS names do not resolve, so tasks that rely on ECR, logs or secrets "
        "endpoints fail (ResourceInitializationError names a VPC without DNS resolution as a "
        "common cause)."
    ),
    remediation="Turn on enableDnsSupport and enableDnsHostnames on the VPC.",
    console_steps=(
        "VPC console > Your VPCs > the VPC > Actions > Edit VPC settings: check Enable DNS "
        "resolution and Enable DNS hostnames.",
    ),
    cli_steps=(
        "aws ec2 modify-vpc-attribute --vpc-id VPC_ID --enable-dns-support '{\"Value\":true}'",
        "aws ec2 modify-vpc-attribute --vpc-id VPC_ID --enable-dns-hostnames '{\"Value\":true}'",
    ),
    needs=(ECS_TASKS, EC2_SUBNETS, EC2_VPCS),
    resource_types=(ResourceType.VPC,),
    references=("https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html",),
)


def _judge(inventory: Inventory, hosting: HostingVpc) -> Verdict:
    vpc = inventory.vpc_by_id.get(hosting.vpc_id)
    label = vpc_label(hosting.vpc_id, vpc)
    if vpc is None:
        return unknown(f"Cannot evaluate {label}: it is not in the inventory.")
    evidence = {
        "enableDnsSupport": vpc.enable_dns_support,
        "enableDnsHostnames": vpc.enable_dns_hostnames,
        "running_tasks": hosting.task_count,
    }
    off = [name for name, value in evidence.items() if value is False]
    if off:
        commands = " and ".join(
            f"aws ec2 modify-vpc-attribute --vpc-id {vpc.vpc_id} "
            f"--{'enable-dns-support' if n == 'enableDnsSupport' else 'enable-dns-hostnames'} "
            "'{\"Value\":true}'"
            for n in off
        )
        return failed(
            f"{label} hosts running Fargate tasks with {' and '.join(off)} off, so tasks get "
            f"random host names and endpoint private DNS does not resolve; fix: {commands}.",
            **evidence,
        )
    if vpc.enable_dns_support is None or vpc.enable_dns_hostnames is None:
        return unknown(
            f"Cannot evaluate {label}: its DNS attributes were not read "
            "(ec2:DescribeVpcAttribute).",
            **evidence,
        )
    return passed(f"{label} has enableDnsSupport and enableDnsHostnames on.", **evidence)


@register(META)
def evaluate(inventory: Inventory) -> Iterator[Result]:
    yield from judge_scope(
        META,
        inventory,
        scope_needs=(ECS_TASKS, EC2_SUBNETS),
        items=hosting_vpcs(inventory),
        judge=lambda vpc: _judge(inventory, vpc),
    )
