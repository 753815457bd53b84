"""The demo's AWS environment is aimed at moto while it runs and put back afterwards."""

from __future__ import annotations

import os

import pytest

from auditor.demo.environment import CLEARED, DEMO_ENVIRONMENT, aws_environment


def test_environment_is_set_inside_and_restored_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "prod-admin")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    before = dict(os.environ)

    with aws_environment("http://127.0.0.1:5999"):
        assert os.environ["AWS_ENDPOINT_URL"] == "http://127.0.0.1:5999"
        assert {name: os.environ[name] for name in DEMO_ENVIRONMENT} == DEMO_ENVIRONMENT
        assert not any(name in os.environ for name in CLEARED)

    assert dict(os.environ) == before


def test_environment_is_restored_when_the_demo_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with pytest.raises(RuntimeError), aws_environment("http://127.0.0.1:5999"):
        raise RuntimeError("seeding failed")
    assert os.environ["AWS_REGION"] == "eu-west-3"
    assert "AWS_ENDPOINT_URL" not in os.environ
