"""roster_facts.person_key: who a roster row is across months (history rules H01, H03, H07)

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("roster_facts") as batch_op:
        batch_op.add_column(sa.Column("person_key", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_roster_facts_person_key"), ["person_key"])


def downgrade() -> None:
    with op.batch_alter_table("roster_facts") as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_facts_person_key"))
        batch_op.drop_column("person_key")
