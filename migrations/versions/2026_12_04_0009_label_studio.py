"""ls_connections, ls_annotations: a project's Label Studio connection (its ML backend /setup) and
the Label Studio annotations labelq turned into labels (ANNOTATIONS_DELETED names only their ids)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 03:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ls_connections",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("ls_project", sa.Integer(), nullable=False),
        sa.Column("hostname", sa.String(length=1000), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("from_name", sa.String(length=255), nullable=False),
        sa.Column("to_name", sa.String(length=255), nullable=False),
        sa.Column("data_key", sa.String(length=255), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("project_id"),
    )
    op.create_table(
        "ls_annotations",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("annotation_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("project_id", "annotation_id"),
    )


def downgrade() -> None:
    op.drop_table("ls_annotations")
    op.drop_table("ls_connections")
