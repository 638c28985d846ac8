"""hidden labels: items.hidden_label and pools.labels_hidden (simulation mode)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("pools", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("labels_hidden", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hidden_label", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_column("hidden_label")
    with op.batch_alter_table("pools", schema=None) as batch_op:
        batch_op.drop_column("labels_hidden")
