"""settlements: the inputs each month's cross-file rule (H07) was last settled over

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settlements",
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("rule_id", sa.String(length=8), nullable=False),
        sa.Column("inputs", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("unit_code", "period", "rule_id", name=op.f("pk_settlements")),
    )


def downgrade() -> None:
    op.drop_table("settlements")
