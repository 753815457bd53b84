"""A moto server that enforces IAM, for tests of denied calls (AccessDenied and friends)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import boto3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def enforcing_moto_server(free_requests: int = 3) -> Iterator[str]:
    """A moto server that checks IAM after its first ``free_requests`` (seeding) requests."""
    port = free_port()
    env = dict(
        os.environ,
        INITIAL_NO_AUTH_ACTION_COUNT=str(free_requests),
        MOTO_EC2_LOAD_DEFAULT_AMIS="false",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/moto-api/data.json", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.2)
        freeze = json.dumps(
            {
                "model_name": "ecs::task",
                "transition": {"progression": "manual", "times": 1_000_000_000},
            }
        ).encode()
        request = urllib.request.Request(
            f"{url}/moto-api/state-manager/set-transition", data=freeze, method="POST"
        )
        with urllib.request.urlopen(request, timeout=10):
            pass  # tasks stay where the seeding put them
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def restricted_user(
    url: str, denied_actions: Sequence[str], region: str = "us-east-1"
) -> dict[str, str]:
    """Keys of an IAM user allowed everything but ``denied_actions`` (uses 3 free requests)."""
    iam = boto3.client("iam", region_name=region, endpoint_url=url)
    iam.create_user(UserName="auditor")
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": list(denied_actions), "Resource": "*"},
        ],
    }
    iam.put_user_policy(UserName="auditor", PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="auditor")["AccessKey"]
    return {
        "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
    }
