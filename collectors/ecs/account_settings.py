"""ecs.account_settings: ListAccountSettings(effectiveSettings=True), exactly as AWS answers.

Setting names are kept as open strings: ``dualStackIPv6`` is missing from the model's enum.
"""

from __future__ import annotations

from auditor.store.resources import EcsAccountSetting
from collectors.calls import Api, Item
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable, text


async def fetch_account_settings(api: Api) -> list[Item]:
    return await api.items(
        "list_account_settings", "settings", effectiveSettings=True, maxResults=10
    )


def transform_account_setting(item: Item, account_id: str, region: str) -> EcsAccountSetting:
    return EcsAccountSetting(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        name=item["name"],
        value=item["value"],
        principal_arn=text(item.get("principalArn")),
        setting_type=text(item.get("type")),
    )


async def collect(ctx: Context) -> list[Record]:
    items = await fetch_account_settings(ctx.api)
    return [transform_account_setting(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="ecs.account_settings",
    records=(EcsAccountSetting,),
    purpose="effective settings such as `dualStackIPv6`",
    service="ecs",
    actions=("ecs:ListAccountSettings",),
    collect=collect,
)
