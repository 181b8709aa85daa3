"""periods, period_events, figure_changes, report_builds; submissions.loaded_at and
feedback_sent_at: history of figures and reports, approval and lock, crash recovery

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MOMENT = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("loaded_at", MOMENT, nullable=True))
        batch.add_column(sa.Column("feedback_sent_at", MOMENT, nullable=True))
    op.create_table(
        "periods",
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("approved_by", sa.String(length=255), nullable=True),
        sa.Column("approved_at", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("unit_code", "period", name=op.f("pk_periods")),
    )
    op.create_table(
        "period_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("at", MOMENT, nullable=False),
        sa.Column("applied", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_period_events")),
    )
    op.create_index("ix_period_events_unit_period", "period_events", ["unit_code", "period"])
    op.create_table(
        "figure_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("population", sa.String(length=16), nullable=False),
        sa.Column("indicator", sa.String(length=32), nullable=False),
        sa.Column("breakdown", sa.String(length=32), nullable=False),
        sa.Column("old_value", sa.Integer(), nullable=True),
        sa.Column("new_value", sa.Integer(), nullable=True),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("replaced_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submissions.id"],
                                name=op.f("fk_figure_changes_submission_id_submissions")),
        sa.ForeignKeyConstraint(["replaced_id"], ["submissions.id"],
                                name=op.f("fk_figure_changes_replaced_id_submissions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure_changes")),
    )
    op.create_index(op.f("ix_figure_changes_period"), "figure_changes", ["period"])
    op.create_index(op.f("ix_figure_changes_submission_id"), "figure_changes",
                    ["submission_id"])
    op.create_table(
        "report_builds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit_code", sa.String(length=32), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("copy_path", sa.String(length=512), nullable=False),
        sa.Column("built_at", MOMENT, nullable=False),
        sa.Column("submission_ids", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_builds")),
    )
    op.create_index("ix_report_builds_unit_period", "report_builds",
                    ["unit_code", "period", "kind"])


def downgrade() -> None:
    op.drop_index("ix_report_builds_unit_period", table_name="report_builds")
    op.drop_table("report_builds")
    op.drop_index(op.f("ix_figure_changes_submission_id"), table_name="figure_changes")
    op.drop_index(op.f("ix_figure_changes_period"), table_name="figure_changes")
    op.drop_table("figure_changes")
    op.drop_index("ix_period_events_unit_period", table_name="period_events")
    op.drop_table("period_events")
    op.drop_table("periods")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_column("feedback_sent_at")
        batch.drop_column("loaded_at")
