"""reported_values: the values of accepted district data files (province level)

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reported_values",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("unit_level", sa.String(length=32), nullable=False),
        sa.Column("parent_code", sa.String(length=32), nullable=True),
        sa.Column("population", sa.String(length=16), nullable=False),
        sa.Column("indicator", sa.String(length=32), nullable=False),
        sa.Column("breakdown", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"],
                                name=op.f("fk_reported_values_submission_id_submissions")),
        sa.PrimaryKeyConstraint("submission_id", "unit_code", "population", "indicator",
                                "breakdown", name=op.f("pk_reported_values")),
    )


def downgrade() -> None:
    op.drop_table("reported_values")
