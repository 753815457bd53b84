"""Destinations: which registry an image is pulled from, which service a secret is read from."""

from __future__ import annotations

import pytest

from auditor.store.resources import EcsTaskDefinition
from checks.reachability.destinations import (
    EndpointService,
    RegistryKind,
    classify_image,
    secrets_of,
)


@pytest.mark.parametrize(
    ("image", "kind", "region"),
    [
        ("nginx", RegistryKind.DOCKER_HUB, None),
        ("library/nginx:1", RegistryKind.DOCKER_HUB, None),
        ("docker.io/library/nginx:1", RegistryKind.DOCKER_HUB, None),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1",
            RegistryKind.ECR_PRIVATE,
            "us-east-1",
        ),
        (
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app",
            RegistryKind.ECR_PRIVATE,
            "cn-north-1",
        ),
        ("public.ecr.aws/nginx/nginx", RegistryKind.ECR_PUBLIC, None),
        ("quay.io/org/app", RegistryKind.OTHER, None),
        ("localhost:5000/app", RegistryKind.OTHER, None),
    ],
)
def test_classify_image(image: str, kind: RegistryKind, region: str | None) -> None:
    ref = classify_image(image)
    assert (ref.kind, ref.region) == (kind, region)


def test_secret_references_name_their_service_and_region() -> None:
    definition = EcsTaskDefinition(
        account_id="1" * 12,
        region="us-east-1",
        task_definition_arn="arn:td/a:1",
        family="a",
        revision=1,
        container_definitions=[
            {
                "name": "app",
                "secrets": [
                    {"name": "A", "valueFrom": "arn:aws:secretsmanager:eu-west-1:1:secret:x"},
                    {"name": "B", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/y"},
                    {"name": "C", "valueFrom": "plain-name"},
                ],
                "repositoryCredentials": {
                    "credentialsParameter": "arn:aws:secretsmanager:us-east-1:1:secret:reg"
                },
            }
        ],
    )
    assert [(s.service, s.region, s.purpose) for s in secrets_of(definition)] == [
        (EndpointService.SECRETS_MANAGER, "eu-west-1", "secret A"),
        (EndpointService.SSM, "us-east-1", "secret B"),
        (EndpointService.SSM, None, "secret C"),
        (EndpointService.SECRETS_MANAGER, "us-east-1", "registry credentials"),
    ]
