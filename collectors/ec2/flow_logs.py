"""ec2.flow_logs: DescribeFlowLogs."""

from __future__ import annotations

from auditor.store.resources import Ec2FlowLog
from collectors.calls import Api, Item
from collectors.declaration import Collector, Context, Record
from collectors.fields import jsonable, text


async def fetch_flow_logs(api: Api) -> list[Item]:
    return await api.items("describe_flow_logs", "FlowLogs", MaxResults=1000)


def transform_flow_log(item: Item, account_id: str, region: str) -> Ec2FlowLog:
    return Ec2FlowLog(
        account_id=account_id,
        region=region,
        raw=jsonable(item),
        flow_log_id=item["FlowLogId"],
        resource_id=item["ResourceId"],
        flow_log_status=text(item.get("FlowLogStatus")),
        deliver_logs_status=text(item.get("DeliverLogsStatus")),
        traffic_type=text(item.get("TrafficType")),
        log_destination_type=text(item.get("LogDestinationType")),
    )


async def collect(ctx: Context) -> list[Record]:
    items = await fetch_flow_logs(ctx.api)
    return [transform_flow_log(item, ctx.account_id, ctx.region) for item in items]


COLLECTOR = Collector(
    name="ec2.flow_logs",
    records=(Ec2FlowLog,),
    purpose="whether task traffic is logged",
    service="ec2",
    actions=("ec2:DescribeFlowLogs",),
    collect=collect,
)
