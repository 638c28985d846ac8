"""jobs.request_id, jobs.units, jobs.seconds: the request that made a job (logs trace a slow
round from the request to its worker) and the work a finished job did (GET /metrics)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 02:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("units", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("seconds", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("seconds")
        batch_op.drop_column("units")
        batch_op.drop_column("request_id")
