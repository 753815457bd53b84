"""findings: the root cause (decisive hop) of path-check FAILs and UNKNOWNs

Revision ID: 5b1e7c2d9a40
Revises: 03c5a08ed894
Create Date: 2026-12-01 20:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b1e7c2d9a40"
down_revision: str | None = "03c5a08ed894"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("root_cause_kind", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("root_cause_id", sa.String(length=2048), nullable=True))
        batch_op.add_column(sa.Column("root_cause_detail", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_column("root_cause_detail")
        batch_op.drop_column("root_cause_id")
        batch_op.drop_column("root_cause_kind")
