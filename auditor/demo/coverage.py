"""Which part of the demo estate each check (docs/checks.md) is meant to PASS and to FAIL.

"2nd scan" marks results that only show after ``apply_changes``. The demo server answers
CloudTrail ``LookupEvents`` with the ``AssociateDhcpOptions`` event the demo records (moto has
no LookupEvents), so ``stale-dhcp-options`` dates the change from CloudTrail.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Exercise:
    passes: str
    fails: str


COVERAGE: dict[str, Exercise] = {
    "image-pull-path": Exercise(
        passes="payments-api (NAT), storefront-web (public IP), ledger-core (all endpoints), "
        "reporting-export (1.3.0 needs no ecr.api), analytics-reports-job (central egress: "
        "analytics-hub transit gateway to shared-egress's NAT gateway, a custom network ACL), "
        "inventory-sync (AWS Network Firewall inspected-egress: its domain allowlist names the "
        "ECR hosts)",
        fails="promo-banner (public subnet, no public IP), fx-rates (another region's ECR "
        "behind endpoints only), reporting-api (no ecr.api), notebook-runner (no S3 gateway), "
        "analytics-batch-job (analytics-hub transit gateway has no return route to its spoke), "
        "geo-enricher (rule group inspected-egress-allow does not list registry-1.docker.io); "
        "2nd scan: tasks in payments-app-b (payments-nat-b deleted)",
    ),
    "log-delivery-path": Exercise(
        passes="payments-api (NAT), ledger-core and reporting-api (logs endpoint)",
        fails="notebook-runner (no logs endpoint, no internet), promo-banner (no public IP); "
        "2nd scan: tasks in payments-app-b (payments-nat-b deleted)",
    ),
    "secrets-path": Exercise(
        passes="payments-api (NAT), fraud-model (repositoryCredentials via NAT), "
        "ledger-core (secretsmanager and ssm endpoints)",
        fails="reporting-api (no secretsmanager endpoint); 2nd scan: payments-api and "
        "fraud-model tasks in payments-app-b (payments-nat-b deleted)",
    ),
    "recent-pull-failures": Exercise(
        passes="stopped payments-api (scaling), stopped etl-scheduler (container exited)",
        fails="stopped promo-banner (CannotPullContainerError), "
        "stopped reporting-api (ResourceInitializationError)",
    ),
    "dualstack-ipv6-disabled": Exercise(
        passes="123456789012 us-east-1 (identity VPC; setting enabled)",
        fails="210987654321 eu-west-1 (edge VPC; setting disabled)",
    ),
    "task-missing-ipv6": Exercise(
        passes="identity-api (IPv6 on its ENIs)",
        fails="identity-session-cleanup (platform 1.3.0), edge-proxy (setting disabled)",
    ),
    "stale-dhcp-options": Exercise(
        passes="every task in both scans whose VPC CloudTrail shows no DHCP change in 90 days; "
        "2nd scan: the ledger-core task started after the recorded AssociateDhcpOptions event",
        fails="2nd scan: ledger-core and fx-rates tasks in internal-services that started "
        "before the recorded AssociateDhcpOptions event",
    ),
    "legacy-platform-version": Exercise(
        passes="every 1.4.0 task and service",
        fails="checkout-worker (service and tasks), identity-session-cleanup, reporting-export",
    ),
    "non-jumbo-path": Exercise(
        passes="storefront-web (internet routes only), ledger-core, edge-proxy",
        fails="tasks in payments-app-a/b (transit gateway, 8500), data-pipeline tasks "
        "(VPN gateway, 1500), every 1.3.0 task",
    ),
    "vpc-flow-logs": Exercise(
        passes="payments, identity, internal-services, edge",
        fails="data-pipeline and analytics-sandbox (no flow log), reporting (flow log on "
        "subnet reporting-a only; tasks also run in reporting-b)",
    ),
    "vpc-dns-attributes": Exercise(
        passes="payments, identity, internal-services, reporting, analytics-sandbox, edge",
        fails="data-pipeline (DNS hostnames off)",
    ),
    "execution-role-missing": Exercise(
        passes="every other task definition",
        fails="etl-scheduler (awslogs, no executionRoleArn)",
    ),
    "ecs-service-linked-role": Exercise(
        passes="123456789012 (AWSServiceRoleForECS exists)",
        fails="210987654321 (AWSServiceRoleForECS missing)",
    ),
    "fargate-load-balancer": Exercise(
        passes="payments-api, storefront-web (ip target groups)",
        fails="checkout-worker (instance target group), ledger-sync (Classic Load Balancer)",
    ),
    "efs-mount-path": Exercise(
        passes="document-store (mount targets in both AZs, access point, IAM with a task "
        "role), the statement-renderer task in us-east-1a",
        fails="the statement-renderer task in us-east-1b (payments-statements has a mount "
        "target only in us-east-1a)",
    ),
    "firelens-delivery": Exercise(
        passes="event-forwarder (cloudwatch_logs over the NAT gateway, task role)",
        fails="audit-shipper (no task role: FireLens signs with the task IAM role)",
    ),
}
