"""iam.service_linked_role: GetRole for AWSServiceRoleForECS, once per account.

NoSuchEntity is an answer ("the role does not exist": no record, outcome ok); AccessDenied
is not, and fails the collector like any other denial.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from auditor.store.resources import IamRole
from collectors.calls import Api, Item
from collectors.declaration import Collector, Context, Record, Scope
from collectors.fields import jsonable, text

ROLE_NAME = "AWSServiceRoleForECS"


async def fetch_role(api: Api, role_name: str) -> Item | None:
    try:
        response = await api.call("get_role", RoleName=role_name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "NoSuchEntity":
            return None
        raise
    role: Item = response["Role"]
    return role


def transform_role(item: Item, account_id: str, region: str) -> IamRole:
    return IamRole(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        role_name=item["RoleName"],
        arn=item["Arn"],
        path=text(item.get("Path")),
    )


async def collect(ctx: Context) -> list[Record]:
    item = await fetch_role(ctx.api, ROLE_NAME)
    return [] if item is None else [transform_role(item, ctx.account_id, ctx.region)]


COLLECTOR = Collector(
    name="iam.service_linked_role",
    records=(IamRole,),
    purpose="whether `AWSServiceRoleForECS` exists (once per account)",
    service="iam",
    actions=("iam:GetRole",),
    collect=collect,
    scope=Scope.GLOBAL,
)
