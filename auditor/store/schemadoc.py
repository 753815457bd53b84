"""Renders docs/schema.md from the table declarations, so the documented schema cannot drift.

python -m auditor.store.schemadoc > docs/schema.md
"""

from __future__ import annotations

import inspect as pyinspect

from sqlalchemy import Table

import auditor.store.models  # noqa: F401  (registers every table)
from auditor.store.base import Base
from collectors.registry import RESOURCE_TABLES

INTRO = """\
# The store schema

Every scan is a snapshot. `scans` has one row per account and scan; every other table ties its
rows to a scan through `scan_id`. Resource tables carry typed columns for what checks filter on
and the item exactly as the AWS API returned it in `raw` (JSON on SQLite, JSONB on PostgreSQL).
The schema is a public, SQL-queryable interface: columns are added, never renamed. It changes
only through Alembic migrations (`auditor db upgrade`). A new, empty database is built at the
newest schema in one step and stamped at the head migration (the migration tests keep the two
identical), so only existing databases replay migrations.

This page is generated from the table declarations (`python -m auditor.store.schemadoc`);
a test fails when it is stale.

## Example queries

The latest complete scan of each account:

```sql
SELECT account_id, id, started_at FROM scans s
WHERE status = 'complete' AND started_at = (
  SELECT max(started_at) FROM scans WHERE account_id = s.account_id AND status = 'complete');
```

Failing findings of one scan, most severe first:

```sql
SELECT severity, check_id, resource_name, message FROM findings
WHERE scan_id = :scan_id AND status = 'FAIL'
ORDER BY CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END;
```

Running Fargate tasks of a scan with their subnet and public IP (SQLite JSON syntax):

```sql
SELECT t.task_arn, t.subnet_id, e.public_ip, t.platform_version
FROM ecs_tasks t LEFT JOIN ec2_network_interfaces e
  ON e.scan_id = t.scan_id AND e.network_interface_id = t.eni_id
WHERE t.scan_id = :scan_id AND t.last_status = 'RUNNING';
```

How long has a finding been failing? `findings.first_seen` is the start of the first scan of
the current unbroken run of FAILs for that check and resource, scan to previous scan (the
newest earlier complete scan of the same account and regions; see
[reports.md](reports.md#the-previous-scan)).
"""


def _table_section(table: Table, doc: str | None) -> list[str]:
    lines = [f"### `{table.name}`", ""]
    if doc:
        lines += [" ".join(doc.split()), ""]
    lines += ["| column | type | null |", "| --- | --- | --- |"]
    for column in table.columns:
        kind = "JSON" if "JSON" in repr(column.type) else str(column.type.compile())
        lines.append(f"| `{column.name}` | {kind} | {'yes' if column.nullable else 'no'} |")
    lines.append("")
    return lines


def render() -> str:
    lines = [INTRO, "## Scan tables", ""]
    resource_names = {cls.table_name() for cls in RESOURCE_TABLES}
    mappers = {m.class_.__tablename__: m.class_ for m in Base.registry.mappers}
    for name, table in sorted(Base.metadata.tables.items()):
        if name not in resource_names:
            mapped = mappers.get(name)
            lines += _table_section(table, pyinspect.getdoc(mapped) if mapped else None)
    lines += ["## Resource tables", ""]
    for cls in sorted(RESOURCE_TABLES, key=lambda cls: cls.table_name()):
        table = Base.metadata.tables[cls.table_name()]
        lines += _table_section(table, pyinspect.getdoc(cls))
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(render(), end="")
