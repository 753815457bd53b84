"""The demo's moto server: loopback only, quiet about moto's unimplemented actions."""

from __future__ import annotations

import logging

import boto3  # type: ignore[import-untyped]

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
    assert not server.running
