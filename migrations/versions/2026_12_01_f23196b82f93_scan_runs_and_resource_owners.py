"""scans: the run they belong to; network records: their owner account

Revision ID: f23196b82f93
Revises: 4dcd702f2aa6
Create Date: 2026-12-01 20:42:45.661555
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f23196b82f93"
down_revision: str | None = "4dcd702f2aa6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ec2_internet_gateways", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.String(length=12), nullable=True))

    with op.batch_alter_table("ec2_network_interfaces", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.String(length=12), nullable=True))

    with op.batch_alter_table("ec2_route_tables", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.String(length=12), nullable=True))

    with op.batch_alter_table("ec2_security_groups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.String(length=12), nullable=True))

    with op.batch_alter_table("ec2_subnets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.String(length=12), nullable=True))

    with op.batch_alter_table("ec2_vpc_endpoints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.String(length=12), nullable=True))

    with op.batch_alter_table("ec2_vpcs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner_id", sa.String(length=12), nullable=True))

    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("run_id", sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f("ix_scans_run_id"), ["run_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scans_run_id"))
        batch_op.drop_column("run_id")

    with op.batch_alter_table("ec2_vpcs", schema=None) as batch_op:
        batch_op.drop_column("owner_id")

    with op.batch_alter_table("ec2_vpc_endpoints", schema=None) as batch_op:
        batch_op.drop_column("owner_id")

    with op.batch_alter_table("ec2_subnets", schema=None) as batch_op:
        batch_op.drop_column("owner_id")

    with op.batch_alter_table("ec2_security_groups", schema=None) as batch_op:
        batch_op.drop_column("owner_id")

    with op.batch_alter_table("ec2_route_tables", schema=None) as batch_op:
        batch_op.drop_column("owner_id")

    with op.batch_alter_table("ec2_network_interfaces", schema=None) as batch_op:
        batch_op.drop_column("owner_id")

    with op.batch_alter_table("ec2_internet_gateways", schema=None) as batch_op:
        batch_op.drop_column("owner_id")
