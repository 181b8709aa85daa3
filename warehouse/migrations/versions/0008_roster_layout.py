"""submissions.roster_sheet, .pid_column: where an accepted roster's numbers are

H07 is settled from the warehouse's roster rows; its findings name the sheet and column of
the workbook itself. Submissions loaded before this revision have neither: the settling
reads those files once and fills them in (services.levels).

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("roster_sheet", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("pid_column", sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("pid_column")
        batch.drop_column("roster_sheet")
