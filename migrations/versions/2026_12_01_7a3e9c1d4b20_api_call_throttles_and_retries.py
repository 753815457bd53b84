"""api_call_counts: throttling answers and retried attempts per region, service, operation

Revision ID: 7a3e9c1d4b20
Revises: e0d20034c78a
Create Date: 2026-12-01 23:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a3e9c1d4b20"
down_revision: str | None = "e0d20034c78a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_call_counts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("throttles", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("retries", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("api_call_counts", schema=None) as batch_op:
        batch_op.drop_column("retries")
        batch_op.drop_column("throttles")
