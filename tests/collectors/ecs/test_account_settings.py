"""ecs.account_settings: the transform keeps setting names the model does not know."""

from __future__ import annotations

from auditor.store.resources import EcsAccountSetting
from collectors.ecs.account_settings import transform_account_setting
from tests.collectors.collectors_estate import SeededCollection

ACCOUNT = "123456789012"


REGION = "eu-west-1"


def test_account_setting_keeps_names_outside_the_model_enum() -> None:
    item = {
        "name": "dualStackIPv6",
        "value": "enabled",
        "principalArn": "arn:aws:iam::123456789012:root",
        "type": "user",
    }
    setting = transform_account_setting(item, ACCOUNT, REGION)
    assert (setting.name, setting.value, setting.principal_arn, setting.setting_type) == (
        "dualStackIPv6",
        "enabled",
        "arn:aws:iam::123456789012:root",
        "user",
    )


def test_collects_the_accounts_settings(seeded_collection: SeededCollection) -> None:
    assert {(s.name, s.value) for s in seeded_collection.records(EcsAccountSetting)} == {
        ("dualStackIPv6", "enabled")
    }
