"""round_selections.prediction: the checkpoint's predicted class and top-k probabilities for
each selected item (what a labeling tool pre-annotates with)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 03:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("round_selections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prediction", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("round_selections", schema=None) as batch_op:
        batch_op.drop_column("prediction")
