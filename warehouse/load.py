"""Loading one submission: all or nothing (its own transaction, or a savepoint in the
caller's); the same file twice is a no-op."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from core import layout
from core.export_format import ExportRow
from core.figures import submission_figures
from core.findings import Finding
from core.form import CellReport, RosterRow
from core.history import person_key
from core.kinds import CELL_REPORT, UNKNOWN
from core.register import CourseRegister, RegisterRow
from core.registry import Registry
from warehouse import models as m
from warehouse.archive import StoredFile
from warehouse.queries import in_chunks
from warehouse.versions import is_locked, next_version, now, put_in_force

FAILED = "failed"  # the database refused the file: not loaded, left in the inbox


@dataclass
class SubmissionRecord:
    """Everything known about one received file once it has been read and validated."""

    stored: StoredFile
    filename: str
    channel: str
    sender: str
    received_at: datetime
    kind: str = UNKNOWN
    unit_code: str | None = None
    period: str | None = None
    report: CellReport | None = None
    register: CourseRegister | None = None
    rows: tuple[ExportRow, ...] = ()  # a district's upward data file, as read
    findings: list[Finding] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.kind != UNKNOWN and not any(f.is_error for f in self.findings)


@dataclass(frozen=True)
class LoadResult:
    submission_id: int
    status: str
    version: int | None
    new: bool  # False when this exact file was already in the warehouse


def pid_hash(pid: str | None, key: bytes) -> str | None:
    """A keyed hash: the number itself is never stored, duplicates still match (H07)."""
    if not pid:
        return None
    return hmac.new(key, pid.encode(), hashlib.sha256).hexdigest()


# a received file as the warehouse tells submissions apart: its content, and who sent it
# through which channel (the same bytes from two cells are two submissions, each answered)
Arrival = tuple[str, str, str]  # (sha256, channel, sender)


def known_submissions(session: Session, arrivals: list[Arrival]) -> dict[Arrival, m.Submission]:
    """The submissions already made of these exact files from these same senders."""
    hashes = sorted({sha for sha, _channel, _sender in arrivals})
    found: dict[Arrival, m.Submission] = {}
    for chunk in in_chunks(hashes):
        for row in session.scalars(select(m.Submission).where(
                m.Submission.sha256.in_(chunk))):
            found[(row.sha256, row.channel, row.sender)] = row
    return found


def already_loaded(session: Session, stored: StoredFile, channel: str,
                   sender: str) -> LoadResult | None:
    """The result of this exact file's earlier load from the same sender; else None, with
    its raw file recorded (content-addressed, once) so the new submission can point at it."""
    existing = session.scalar(select(m.Submission).where(
        m.Submission.sha256 == stored.sha256, m.Submission.channel == channel,
        m.Submission.sender == sender))
    if existing is not None:
        return LoadResult(existing.id, existing.status, existing.version, new=False)
    if session.get(m.RawFile, stored.sha256) is None:
        session.add(m.RawFile(sha256=stored.sha256, size=stored.size,
                              archive_path=stored.relative_path))
    return None


def add_findings(session: Session, submission_id: int, findings: list[Finding]) -> None:
    insert_rows(session, m.Finding, [
        {"submission_id": submission_id, "rule_id": f.rule_id, "severity": f.severity,
         "sheet": f.sheet, "row": f.row, "column": f.column, "message": f.message}
        for f in findings])


def insert_rows(session: Session, model: type[m.Base], rows: list[dict[str, Any]]) -> None:
    """Many rows of one table in one executemany, in their order (Core, on the table: the
    ORM's unit of work, and even its bulk INSERT, sent about 60 statements a file)."""
    if rows:
        session.execute(insert(model.__table__), rows)  # type: ignore[arg-type]


def one_file(session: Session) -> Any:
    """The file's unit of work: its own transaction, or a savepoint within the caller's
    (flows.common.load_each groups files in one transaction; a refused one is rolled back
    alone)."""
    return session.begin_nested() if session.in_transaction() else session.begin()


def load_submission(session: Session, record: SubmissionRecord, pid_key: bytes) -> LoadResult:
    """Record the submission, its findings and, if accepted, its figures — atomically."""
    with one_file(session):
        seen = already_loaded(session, record.stored, record.channel, record.sender)
        if seen is not None:
            return seen
        submission = add_submission(session, record, record.accepted,
                                    versioned=record.kind == CELL_REPORT)
        add_findings(session, submission.id, record.findings)
        if record.report is not None:
            submission.roster_sheet, submission.pid_column = roster_layout(record.report)
        if record.accepted:
            if record.report is not None:
                _add_figures(session, submission.id, record.report, pid_key)
            for row in record.register.rows if record.register else []:
                session.add(m.CourseRecord(submission_id=submission.id,
                                           **_register_values(row, pid_key)))
            settle(session, submission)
        return LoadResult(submission.id, submission.status, submission.version, new=True)


def roster_layout(report: CellReport) -> tuple[str, str | None]:
    """The roster's sheet as the workbook names it, and its identification numbers'
    column letter: where an H07 finding points (warehouse.settle)."""
    return report.sheet(layout.SHEET_ROSTER), report.roster_columns.get("pid")


def add_submission(session: Session, record: Any, accepted: bool, *,
                   versioned: bool) -> m.Submission:
    """The submission row of a received file (a cell workbook or a district data file);
    ``rejected`` until :func:`settle` decides between accepted and pending."""
    version = next_version(session, record.kind, record.unit_code, record.period) \
        if versioned else None
    errors = sum(1 for f in record.findings if f.is_error)
    submission = m.Submission(
        sha256=record.stored.sha256, filename=record.filename, channel=record.channel,
        sender=record.sender, received_at=record.received_at.astimezone(UTC), kind=record.kind,
        unit_code=record.unit_code, period=record.period, version=version,
        status="rejected", error_count=errors, warning_count=len(record.findings) - errors,
        loaded_at=now())
    session.add(submission)
    session.flush()
    return submission


def settle(session: Session, submission: m.Submission) -> None:
    """An accepted file goes in force — unless its month is approved: then it waits as a
    pending correction until the month is reopened (warehouse.approval.reopen)."""
    session.flush()
    if is_locked(session, submission.unit_code, submission.period):
        submission.status = "pending"
    else:
        # version 1 was numbered in this transaction: its month held no other file then
        put_in_force(session, submission, submission.loaded_at or now(),
                     alone=submission.version == 1)


def _add_figures(session: Session, submission_id: int, report: CellReport, key: bytes) -> None:
    insert_rows(session, m.RosterFact, [{"submission_id": submission_id,
                                         **_roster_values(row, key)} for row in report.roster])
    insert_rows(session, m.IndicatorValue, [
        {"submission_id": submission_id, "population": population, "indicator": indicator,
         "breakdown": breakdown, "value": value}
        for (population, indicator, breakdown), value in submission_figures(report).items()])


def _roster_values(row: RosterRow, key: bytes) -> dict[str, object]:
    values = {f.name: getattr(row, f.name) for f in fields(row)
              if f.name not in ("invalid", "pid")}
    values["pid_hash"] = pid_hash(row.pid, key)
    values["person_key"] = person_key(row.pid, row.full_name, row.birth_date, key)
    return values


def _register_values(row: RegisterRow, key: bytes) -> dict[str, object]:
    values = {f.name: getattr(row, f.name) for f in fields(row)
              if f.name not in ("invalid", "pid")}
    values["pid_hash"] = pid_hash(row.pid, key)
    return values


def sync_registry(session: Session, registry: Registry) -> None:
    """Mirror the registry files into the warehouse (they stay the source of truth): what
    ``session.merge`` of every unit and target does, with the rows already there read in
    one query each instead of one per unit (a second a run at 1,000 units), and written
    only where they differ."""
    with session.begin():
        _mirror(session, m.Unit, ("code",), [
            {"code": u.code, "name": u.name, "level": u.level, "parent_code": u.parent_code,
             "valid_from": u.valid_from, "valid_to": u.valid_to,
             "senders": ";".join(u.senders)} for u in registry.units.values()])
        _mirror(session, m.TargetRow, ("unit_code", "year", "population"), [
            {"unit_code": t.unit_code, "year": t.year, "population": t.population,
             "target": t.target} for t in registry.targets])


def _mirror(session: Session, model: type[Any], key: tuple[str, ...],
            rows: list[dict[str, Any]]) -> None:
    """Insert the rows missing from ``model``'s table, update those that differ."""
    existing = {tuple(getattr(row, k) for k in key): row for row in session.scalars(select(model))}
    for values in rows:
        ident = tuple(values[k] for k in key)
        row = existing.get(ident)
        if row is None:
            row = existing[ident] = model(**values)
            session.add(row)
            continue
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
