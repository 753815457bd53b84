"""Build ECS Fargate workloads (task definitions, services, tasks) in one account and region."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CPU = "256"
MEMORY = "512"
FIRELENS_MEMORY = "1024"


@dataclass(frozen=True, kw_only=True)
class EfsMount:
    """An EFS volume of the task, mounted into the container at ``path``."""

    volume: str
    file_system_id: str
    path: str
    access_point_id: str | None = None
    iam: bool = False

    def volume_definition(self) -> dict[str, Any]:
        config: dict[str, Any] = {"fileSystemId": self.file_system_id}
        if self.access_point_id or self.iam:
            config["transitEncryption"] = "ENABLED"
            config["authorizationConfig"] = {
                **({"accessPointId": self.access_point_id} if self.access_point_id else {}),
                "iam": "ENABLED" if self.iam else "DISABLED",
            }
        return {"name": self.volume, "efsVolumeConfiguration": config}


@dataclass(frozen=True, kw_only=True)
class ContainerSpec:
    """What a task definition's single container needs; the defaults are a healthy app."""

    image: str
    port: int = 8080
    awslogs: bool = True
    # Environment variable name -> Secrets Manager or SSM Parameter Store ARN.
    secrets: dict[str, str] = field(default_factory=dict)
    # Secrets Manager ARN holding private registry credentials.
    repository_credentials: str | None = None
    efs: tuple[EfsMount, ...] = ()
    # Fluent Bit output options for the awsfirelens log driver (instead of awslogs); the task
    # gets an aws-for-fluent-bit log router container.
    firelens: dict[str, str] | None = None


@dataclass(frozen=True)
class RunningTask:
    arn: str
    eni_id: str
    subnet_id: str


@dataclass(frozen=True, kw_only=True)
class Placement:
    """Where and how tasks run: awsvpc network settings and the Fargate platform."""

    subnet_ids: list[str]
    security_group_ids: list[str]
    public_ip: bool = False
    platform_version: str = "1.4.0"
    capacity_provider: str = "FARGATE"

    def network_configuration(self, subnet_ids: list[str] | None = None) -> dict[str, Any]:
        return {
            "awsvpcConfiguration": {
                "subnets": subnet_ids or self.subnet_ids,
                "securityGroups": self.security_group_ids,
                "assignPublicIp": "ENABLED" if self.public_ip else "DISABLED",
            }
        }


def _eni_of(task: dict[str, Any]) -> tuple[str, str]:
    attachment = next(a for a in task["attachments"] if a["type"] == "ElasticNetworkInterface")
    details = {detail["name"]: detail["value"] for detail in attachment["details"]}
    return details["networkInterfaceId"], details["subnetId"]


@dataclass
class Workloads:
    """ECS and ELBv2 building blocks for one account and region."""

    ecs: Any
    elbv2: Any
    account_id: str
    region: str

    def cluster(self, name: str) -> str:
        cluster_arn: str = self.ecs.create_cluster(
            clusterName=name,
            capacityProviders=["FARGATE", "FARGATE_SPOT"],
            settings=[{"name": "containerInsights", "value": "enabled"}],
        )["cluster"]["clusterArn"]
        return cluster_arn

    def role_arn(self, name: str) -> str:
        return f"arn:aws:iam::{self.account_id}:role/{name}"

    def ecr_image(self, repository: str, tag: str, *, region: str | None = None) -> str:
        registry = f"{self.account_id}.dkr.ecr.{region or self.region}.amazonaws.com"
        return f"{registry}/{repository}:{tag}"

    def secret_arn(self, name: str) -> str:
        return f"arn:aws:secretsmanager:{self.region}:{self.account_id}:secret:{name}-AbCdEf"

    def parameter_arn(self, name: str) -> str:
        return f"arn:aws:ssm:{self.region}:{self.account_id}:parameter/{name}"

    def log_router(self) -> dict[str, Any]:
        return {
            "name": "log-router",
            "image": self.ecr_image("aws-for-fluent-bit", "2.32.4"),
            "memory": 128,
            "essential": True,
            "firelensConfiguration": {"type": "fluentbit"},
        }

    def task_definition(
        self,
        family: str,
        container: ContainerSpec,
        *,
        execution_role: bool = True,
        task_role: bool = True,
    ) -> str:
        definition: dict[str, Any] = {
            "name": family,
            "image": container.image,
            "memory": int(MEMORY),  # moto's RunTask needs a container-level memory
            "essential": True,
            "portMappings": [{"containerPort": container.port, "protocol": "tcp"}],
        }
        if container.firelens is not None:
            definition["logConfiguration"] = {
                "logDriver": "awsfirelens",
                "options": container.firelens,
            }
        elif container.awslogs:
            definition["logConfiguration"] = {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": f"/ecs/{family}",
                    "awslogs-region": self.region,
                    "awslogs-stream-prefix": "ecs",
                },
            }
        if container.secrets:
            definition["secrets"] = [
                {"name": name, "valueFrom": arn} for name, arn in container.secrets.items()
            ]
        if container.repository_credentials:
            definition["repositoryCredentials"] = {
                "credentialsParameter": container.repository_credentials
            }
        if container.efs:
            definition["mountPoints"] = [
                {"sourceVolume": mount.volume, "containerPath": mount.path}
                for mount in container.efs
            ]
        containers = [definition]
        if container.firelens is not None:
            containers.append(self.log_router())
        arguments: dict[str, Any] = {
            "family": family,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": CPU,
            # The log router's 128 MiB on top of the app's 512 needs the next Fargate size.
            "memory": MEMORY if container.firelens is None else FIRELENS_MEMORY,
            "runtimePlatform": {"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"},
            "containerDefinitions": containers,
        }
        if task_role:
            arguments["taskRoleArn"] = self.role_arn(f"{family}-task")
        if container.efs:
            arguments["volumes"] = [mount.volume_definition() for mount in container.efs]
        if execution_role:
            arguments["executionRoleArn"] = self.role_arn("ecsTaskExecutionRole")
        arn: str = self.ecs.register_task_definition(**arguments)["taskDefinition"][
            "taskDefinitionArn"
        ]
        return arn

    def target_group(self, name: str, vpc_id: str, *, target_type: str, port: int) -> str:
        arn: str = self.elbv2.create_target_group(
            Name=name, Protocol="HTTP", Port=port, VpcId=vpc_id, TargetType=target_type
        )["TargetGroups"][0]["TargetGroupArn"]
        return arn

    def service(
        self,
        cluster: str,
        name: str,
        task_definition: str,
        placement: Placement,
        *,
        desired_count: int,
        load_balancers: list[dict[str, Any]] | None = None,
    ) -> str:
        """Create the service; returns the deployment ID its tasks are ``startedBy``."""
        arguments: dict[str, Any] = {
            "cluster": cluster,
            "serviceName": name,
            "taskDefinition": task_definition,
            "desiredCount": desired_count,
            "launchType": "FARGATE",
            "platformVersion": placement.platform_version,
            "networkConfiguration": placement.network_configuration(),
            "loadBalancers": load_balancers or [],
        }
        service = self.ecs.create_service(**arguments)["service"]
        deployment_id: str = service["deployments"][0]["id"]
        return deployment_id

    def run_tasks(
        self,
        cluster: str,
        task_definition: str,
        placement: Placement,
        *,
        count: int,
        group: str | None = None,
        started_by: str | None = None,
    ) -> list[RunningTask]:
        """Run tasks spread over the placement's subnets, one RunTask call per subnet."""
        by_subnet = [placement.subnet_ids[i % len(placement.subnet_ids)] for i in range(count)]
        started: list[RunningTask] = []
        for subnet_id in dict.fromkeys(by_subnet):
            arguments: dict[str, Any] = {
                "cluster": cluster,
                "taskDefinition": task_definition,
                "count": by_subnet.count(subnet_id),
                "platformVersion": placement.platform_version,
                "networkConfiguration": placement.network_configuration([subnet_id]),
            }
            if placement.capacity_provider == "FARGATE":
                arguments["launchType"] = "FARGATE"
            else:
                arguments["capacityProviderStrategy"] = [
                    {"capacityProvider": placement.capacity_provider, "weight": 1}
                ]
            if group:
                arguments["group"] = group
            if started_by:
                arguments["startedBy"] = started_by
            for task in self.ecs.run_task(**arguments)["tasks"]:
                started.append(RunningTask(task["taskArn"], *_eni_of(task)))
        return started

    def stop_task(self, cluster: str, task_arn: str, reason: str) -> None:
        self.ecs.stop_task(cluster=cluster, task=task_arn, reason=reason)
