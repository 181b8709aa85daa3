"""submissions: one per file and sender (the same bytes from two senders are two
submissions, each answered), and where each submission's feedback went

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_constraint("uq_submissions_sha256", type_="unique")
        batch.create_unique_constraint("uq_submissions_sha256_channel_sender",
                                       ["sha256", "channel", "sender"])
        batch.add_column(sa.Column("feedback_path", sa.String(length=1000), nullable=True))
    op.create_index("ix_submissions_sha256", "submissions", ["sha256"])


def downgrade() -> None:
    op.drop_index("ix_submissions_sha256", table_name="submissions")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("feedback_path")
        batch.drop_constraint("uq_submissions_sha256_channel_sender", type_="unique")
        batch.create_unique_constraint("uq_submissions_sha256", ["sha256"])
