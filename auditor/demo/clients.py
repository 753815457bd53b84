"""Plain boto3 clients aimed at the demo's moto server, for the caller and assumed roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3  # boto3 ships no type information
from botocore.config import Config

# moto's default account: the identity the fake credentials below resolve to.
CALLER_ACCOUNT = "123456789012"
FAKE_KEY = "demo"
# Seeding talks to a local server: fail fast rather than retry a moto 500 for seconds.
SEED_CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"})


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str | None = None


CALLER_CREDENTIALS = Credentials(FAKE_KEY, FAKE_KEY)


@dataclass
class AwsClients:
    """A client factory for one account (one set of credentials) at the moto endpoint."""

    endpoint_url: str
    account_id: str
    credentials: Credentials
    _made: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)

    def client(self, service: str, region: str = "us-east-1") -> Any:
        key = (service, region)
        if key not in self._made:
            self._made[key] = self._new_client(service, region)
        return self._made[key]

    def _new_client(self, service: str, region: str) -> Any:
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.credentials.access_key_id,
            aws_secret_access_key=self.credentials.secret_access_key,
            aws_session_token=self.credentials.session_token,
            config=SEED_CONFIG,
        )

    def assume_role(self, account_id: str, role_name: str, session_name: str) -> AwsClients:
        """Clients for another account, reached the way the real scan reaches it."""
        answer = self.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{account_id}:role/{role_name}", RoleSessionName=session_name
        )
        issued = answer["Credentials"]
        return AwsClients(
            endpoint_url=self.endpoint_url,
            account_id=account_id,
            credentials=Credentials(
                issued["AccessKeyId"], issued["SecretAccessKey"], issued["SessionToken"]
            ),
        )


def caller_clients(endpoint_url: str) -> AwsClients:
    return AwsClients(endpoint_url, CALLER_ACCOUNT, CALLER_CREDENTIALS)
