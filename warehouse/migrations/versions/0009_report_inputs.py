"""report_builds.inputs_sha256: what a month's output was built from (reports.inputs)

A run whose month, wording and code give the same digest as the outputs on disk leaves
them as they are. Builds recorded before this revision have none: they are rebuilt once.

Revision ID: 0009
Revises: 0008
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("report_builds") as batch:
        batch.add_column(sa.Column("inputs_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_builds") as batch:
        batch.drop_column("inputs_sha256")
