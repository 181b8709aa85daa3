"""Loading one district data file at the province: one transaction, all or nothing.

The same semantics as warehouse.load for the cells' workbooks: the same file twice is one
submission; every version of a district's month is kept; a newly accepted version
supersedes the earlier ones. The file is a ``submissions`` row of kind ``district_data``
whose unit is the district; its values go to ``reported_values``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from forms.dispatch import UNKNOWN
from forms.export_reader import ExportRow
from validations.findings import Finding
from warehouse import models as m
from warehouse.archive import StoredFile
from warehouse.load import FAILED, LoadResult, add_findings, already_loaded, known_submissions

DISTRICT_DATA = "district_data"
__all__ = ["DISTRICT_DATA", "FAILED", "DistrictRecord", "LoadResult", "known_submissions",
           "load_district_file"]


@dataclass
class DistrictRecord:
    """Everything known about one received data file once it has been read and validated."""

    stored: StoredFile
    filename: str
    channel: str
    sender: str
    received_at: datetime
    kind: str = UNKNOWN  # district_data when it could be read
    unit_code: str | None = None  # the district (or commune) the file is for
    period: str | None = None
    rows: tuple[ExportRow, ...] = ()
    findings: list[Finding] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return self.kind == DISTRICT_DATA and not any(f.is_error for f in self.findings)


def load_district_file(session: Session, record: DistrictRecord) -> LoadResult:
    """Record the submission, its findings and, if accepted, its values — atomically."""
    with session.begin():
        seen = already_loaded(session, record.stored)
        if seen is not None:
            return seen
        submission = _add_submission(session, record)
        add_findings(session, submission.id, record.findings)
        if submission.status == "accepted":
            _supersede_earlier(session, submission)
            session.add_all(m.ReportedValue(
                submission_id=submission.id, unit_code=r.unit_code, unit_level=r.unit_level,
                parent_code=r.parent_code, population=r.population, indicator=r.indicator,
                breakdown=r.breakdown, value=r.value) for r in record.rows)
        return LoadResult(submission.id, submission.status, submission.version, new=True)


def _same_month(unit_code: str | None, period: str | None) -> tuple:  # type: ignore[type-arg]
    return (m.Submission.unit_code == unit_code, m.Submission.period == period,
            m.Submission.kind == DISTRICT_DATA)


def _add_submission(session: Session, record: DistrictRecord) -> m.Submission:
    version = None
    if record.kind == DISTRICT_DATA and record.unit_code and record.period:
        earlier = session.scalar(select(func.count()).select_from(m.Submission).where(
            *_same_month(record.unit_code, record.period)))
        version = (earlier or 0) + 1
    errors = sum(1 for f in record.findings if f.is_error)
    submission = m.Submission(
        sha256=record.stored.sha256, filename=record.filename, channel=record.channel,
        sender=record.sender, received_at=record.received_at.astimezone(UTC), kind=record.kind,
        unit_code=record.unit_code, period=record.period, version=version,
        status="accepted" if record.accepted else "rejected",
        error_count=errors, warning_count=len(record.findings) - errors)
    session.add(submission)
    session.flush()
    return submission


def _supersede_earlier(session: Session, submission: m.Submission) -> None:
    """A newly accepted version replaces every earlier version of the district's month."""
    if submission.version in (None, 1):
        return
    same = (*_same_month(submission.unit_code, submission.period),
            m.Submission.id != submission.id)
    submission.supersedes_id = session.scalar(select(func.max(m.Submission.id)).where(*same))
    session.execute(update(m.Submission).where(*same, m.Submission.status.in_(
        ("accepted", "rejected"))).values(status="superseded"))
