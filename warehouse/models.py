"""The warehouse schema (SQLAlchemy 2). Alembic migrations in warehouse/migrations own it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Unit(Base):
    """A mirror of the registry file, refreshed at every run."""

    __tablename__ = "units"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    level: Mapped[str] = mapped_column(String(32))
    parent_code: Mapped[str | None] = mapped_column(String(32))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    senders: Mapped[str] = mapped_column(Text, default="")


class TargetRow(Base):
    __tablename__ = "targets"
    unit_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    population: Mapped[str] = mapped_column(String(16), primary_key=True)
    target: Mapped[int] = mapped_column(Integer)


class RawFile(Base):
    """A received file, content-addressed: its bytes live in the archive under its hash."""

    __tablename__ = "raw_files"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    archive_path: Mapped[str] = mapped_column(String(255))


class Submission(Base):
    """One received file for one unit and period: every version is kept."""

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # the same bytes from two senders are two submissions: each sender gets its answer
    sha256: Mapped[str] = mapped_column(ForeignKey("raw_files.sha256"))
    filename: Mapped[str] = mapped_column(String(255))
    channel: Mapped[str] = mapped_column(String(32))
    sender: Mapped[str] = mapped_column(String(255), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(32))  # cell_report | course_register | unknown
    unit_code: Mapped[str | None] = mapped_column(String(32))
    period: Mapped[str | None] = mapped_column(String(7))
    version: Mapped[int | None] = mapped_column(Integer)
    # rejected | accepted | superseded | pending (a correction to an approved month, kept
    # until the month is reopened)
    status: Mapped[str] = mapped_column(String(16))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    warning_count: Mapped[int] = mapped_column(Integer, default=0)
    loaded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # set once the feedback is in the sender's outbox: a run killed before that sends it next
    feedback_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # where that feedback went: the file in the outbox, or the address it was mailed to
    feedback_path: Mapped[str | None] = mapped_column(String(1000))
    # where an accepted workbook's roster keeps the identification numbers: the sheet as
    # the workbook names it and the column's letter. H07's findings point there, and are
    # settled from the warehouse's rows without reading the file again (warehouse.settle)
    roster_sheet: Mapped[str | None] = mapped_column(String(64))
    pid_column: Mapped[str | None] = mapped_column(String(8))
    __table_args__ = (Index("ix_submissions_unit_period", "unit_code", "period"),
                      Index("ix_submissions_sha256", "sha256"),
                      UniqueConstraint("sha256", "channel", "sender",
                                       name="uq_submissions_sha256_channel_sender"))


class Finding(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    rule_id: Mapped[str] = mapped_column(String(8))
    severity: Mapped[str] = mapped_column(String(8))
    sheet: Mapped[str | None] = mapped_column(String(64))
    row: Mapped[int | None] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)


class RosterFact(Base):
    """One roster row of an accepted submission. The PID is stored only as a keyed hash."""

    __tablename__ = "roster_facts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    excel_row: Mapped[int] = mapped_column(Integer)
    stt: Mapped[int | None] = mapped_column(Integer)
    full_name: Mapped[str | None] = mapped_column(String(255))
    birth_date: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(8))
    pid_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # who the row is across months and cells (core.history.person_key), keyed
    person_key: Mapped[str | None] = mapped_column(String(64), index=True)
    ethnicity: Mapped[str | None] = mapped_column(String(64))
    religion: Mapped[str | None] = mapped_column(String(64))
    population: Mapped[str | None] = mapped_column(String(16))
    class_or_position: Mapped[str | None] = mapped_column(String(255))
    youth_union: Mapped[bool | None] = mapped_column(Boolean)
    stage: Mapped[int | None] = mapped_column(Integer)
    stage_date: Mapped[date | None] = mapped_column(Date)
    helper_1: Mapped[str | None] = mapped_column(String(255))
    helper_2: Mapped[str | None] = mapped_column(String(255))
    cert_no: Mapped[str | None] = mapped_column(String(64))
    cert_date: Mapped[date | None] = mapped_column(Date)
    resolution_date: Mapped[date | None] = mapped_column(Date)
    decision_no: Mapped[str | None] = mapped_column(String(64))
    decision_date: Mapped[date | None] = mapped_column(Date)
    full_member_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class IndicatorValue(Base):
    """An accepted submission's figure: declared totals and roster-derived breakdowns."""

    __tablename__ = "indicator_values"
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    population: Mapped[str] = mapped_column(String(16), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(32), primary_key=True)
    breakdown: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class CourseRecord(Base):
    """A line of the Political Center's course register (form BC-BDNTVĐ/1)."""

    __tablename__ = "course_records"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    excel_row: Mapped[int] = mapped_column(Integer)
    full_name: Mapped[str | None] = mapped_column(String(255))
    birth_date: Mapped[date | None] = mapped_column(Date)
    pid_hash: Mapped[str | None] = mapped_column(String(64))
    unit_code: Mapped[str | None] = mapped_column(String(32))
    course_code: Mapped[str | None] = mapped_column(String(64))
    date_from: Mapped[date | None] = mapped_column(Date)
    date_to: Mapped[date | None] = mapped_column(Date)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    cert_no: Mapped[str | None] = mapped_column(String(64))
    cert_date: Mapped[date | None] = mapped_column(Date)
    __table_args__ = (UniqueConstraint("submission_id", "excel_row"),)


class ReportedValue(Base):
    """A value of an accepted district (or commune) data file, as the district reported it:
    its cells' rows, its own rows and its REPORTS_* counts (shared spec EXPORT.md)."""

    __tablename__ = "reported_values"
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    unit_level: Mapped[str] = mapped_column(String(32))
    parent_code: Mapped[str | None] = mapped_column(String(32))
    population: Mapped[str] = mapped_column(String(16), primary_key=True)
    indicator: Mapped[str] = mapped_column(String(32), primary_key=True)
    breakdown: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Period(Base):
    """A month of one consolidating unit (a district, commune or province): open, or
    approved — then locked: later files wait as pending corrections until it is reopened."""

    __tablename__ = "periods"
    unit_code: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | approved
    approved_by: Mapped[str | None] = mapped_column(String(255))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class PeriodEvent(Base):
    """Every approval and reopening, by whom and when (the lock's audit trail)."""

    __tablename__ = "period_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_code: Mapped[str] = mapped_column(String(32))
    period: Mapped[str] = mapped_column(String(7))
    action: Mapped[str] = mapped_column(String(16))  # approved | reopened
    actor: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    applied: Mapped[int] = mapped_column(Integer, default=0)  # pending corrections applied
    __table_args__ = (Index("ix_period_events_unit_period", "unit_code", "period"),)


class FigureChange(Base):
    """A figure that changed after it was first reported: what, when, from which file."""

    __tablename__ = "figure_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    unit_code: Mapped[str] = mapped_column(String(32))
    population: Mapped[str] = mapped_column(String(16))
    indicator: Mapped[str] = mapped_column(String(32))
    breakdown: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[int | None] = mapped_column(Integer)
    new_value: Mapped[int | None] = mapped_column(Integer)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    replaced_id: Mapped[int | None] = mapped_column(ForeignKey("submissions.id"))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Settlement(Base):
    """A month's findings of a rule across its cells' files (H07), as last settled: over
    which inputs (one digest of the files in force, the registry, the key and the rule's
    code). A run whose inputs are the same has nothing to settle, and reads no file."""

    __tablename__ = "settlements"
    unit_code: Mapped[str] = mapped_column(String(32), primary_key=True)  # consolidating
    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    rule_id: Mapped[str] = mapped_column(String(8), primary_key=True)
    inputs: Mapped[str] = mapped_column(String(64))  # sha256, hex


class ReportBuild(Base):
    """One version of one output file of a month. A rebuild with the same bytes is not a
    new version; every version's copy is kept, so an old report stays retrievable."""

    __tablename__ = "report_builds"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_code: Mapped[str] = mapped_column(String(32))  # the consolidating unit
    period: Mapped[str] = mapped_column(String(7))
    kind: Mapped[str] = mapped_column(String(32))  # workbook | data_csv | data_json
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    copy_path: Mapped[str] = mapped_column(String(512))  # relative to the reports folder
    built_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # the submissions in use when it was built (ids, comma-separated): its lineage
    submission_ids: Mapped[str] = mapped_column(Text, default="")
    # the digest of what the month's outputs were last built from (reports.inputs); a run
    # with the same digest leaves them as they are
    inputs_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    __table_args__ = (Index("ix_report_builds_unit_period", "unit_code", "period", "kind"),)


class Account(Base):
    """Who may sign in to the web page: one account per cell (its unit code is its login),
    officers later. Only an argon2 hash of the password is kept."""

    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    unit_code: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))  # cell | district | province
    email: Mapped[str] = mapped_column(String(255), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    password_set_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Every sign-in (and refused attempt), upload and download of the web page."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    login: Mapped[str] = mapped_column(String(64))  # as typed, for a refused attempt
    action: Mapped[str] = mapped_column(String(32))  # login | login_refused | upload | …
    unit_code: Mapped[str | None] = mapped_column(String(32))
    submission_id: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(String(64), default="")  # the client's IP
