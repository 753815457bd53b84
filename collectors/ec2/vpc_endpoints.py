"""ec2.vpc_endpoints: DescribeVpcEndpoints."""

from __future__ import annotations

from auditor.store.resources import Ec2VpcEndpoint
from collectors.calls import Api, Item
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable, text


async def fetch_vpc_endpoints(api: Api) -> list[Item]:
    return await api.items("describe_vpc_endpoints", "VpcEndpoints", MaxResults=1000)


def transform_vpc_endpoint(item: Item, account_id: str, region: str) -> Ec2VpcEndpoint:
    return Ec2VpcEndpoint(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        owner_id=text(item.get("OwnerId")),
        vpc_endpoint_id=item["VpcEndpointId"],
        vpc_id=item["VpcId"],
        service_name=item["ServiceName"],
        endpoint_type=item["VpcEndpointType"],
        state=text(item.get("State")),
        private_dns_enabled=bool(item.get("PrivateDnsEnabled", False)),
        subnet_ids=list(item.get("SubnetIds", [])),
        route_table_ids=list(item.get("RouteTableIds", [])),
        security_group_ids=[group["GroupId"] for group in item.get("Groups", [])],
    )


async def collect(ctx: Context) -> list[Record]:
    items = await fetch_vpc_endpoints(ctx.api)
    return [transform_vpc_endpoint(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="ec2.vpc_endpoints",
    records=(Ec2VpcEndpoint,),
    purpose="ECR, S3, logs and secrets endpoints",
    service="ec2",
    actions=("ec2:DescribeVpcEndpoints",),
    collect=collect,
)
