"""The demo's moto server: loopback only, quiet about moto's unimplemented actions, and
answering CloudTrail LookupEvents only while it runs."""

from __future__ import annotations

import logging
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from auditor.demo import cloudtrail
from auditor.demo.server import DemoMoto, _HideUnimplementedActions


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("werkzeug", logging.ERROR, __file__, 1, message, None, None)


def test_only_unimplemented_action_tracebacks_are_hidden() -> None:
    quiet = _HideUnimplementedActions()
    hidden = (
        "Error on request:\nNotImplementedError: The lookup_events action has not been implemented"
    )
    assert quiet.filter(_record(hidden)) is False
    assert quiet.filter(_record("Error on request:\nKeyError: 'securityGroups'")) is True


def test_server_answers_on_loopback_and_stops() -> None:
    with DemoMoto() as server:
        assert server.running
        assert server.url == f"http://127.0.0.1:{server.port}"
        sts = boto3.client(
            "sts",
            region_name="us-east-1",
            endpoint_url=server.url,
            aws_access_key_id="demo",
            aws_secret_access_key="demo",
        )
        assert sts.get_caller_identity()["Account"] == "123456789012"
        assert logging.getLogger("werkzeug").level == logging.ERROR
        assert cloudtrail.installed()
    assert not server.running
    assert not cloudtrail.installed()


def test_lookup_events_is_unimplemented_again_after_the_demo_stops() -> None:
    with DemoMoto() as server:
        served = _cloudtrail(server.url).lookup_events()
        assert served["Events"] == []
    other = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    other.start()
    try:
        host, port = other.get_host_and_port()
        with pytest.raises(ClientError) as error:
            _cloudtrail(f"http://{host}:{port}").lookup_events()
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    finally:
        other.stop()


def _cloudtrail(url: str) -> Any:
    return boto3.client(
        "cloudtrail",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="demo",
        aws_secret_access_key="demo",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )
