"""checkpoint versions are given when a checkpoint is ready: checkpoints.version nullable

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 02:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkpoints", schema=None) as batch_op:
        batch_op.alter_column("version", existing_type=sa.Integer(), nullable=True)
    # refused checkpoints never held a version worth keeping
    op.execute("UPDATE checkpoints SET version = NULL WHERE status <> 'ready'")


def downgrade() -> None:
    op.execute(
        "UPDATE checkpoints SET version = -id WHERE version IS NULL"  # unique and visibly not real
    )
    with op.batch_alter_table("checkpoints", schema=None) as batch_op:
        batch_op.alter_column("version", existing_type=sa.Integer(), nullable=False)
