"""Loading one district data file at the province: one transaction, all or nothing.

The same semantics as warehouse.load for the cells' workbooks: the same file twice is one
submission; every version of a district's month is kept; a newly accepted version
supersedes the earlier ones. The file is a ``submissions`` row of kind ``district_data``
whose unit is the district; its values go to ``reported_values``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from core.export_format import ExportRow
from core.findings import Finding
from core.kinds import DISTRICT_DATA, UNKNOWN
from warehouse import models as m
from warehouse.archive import StoredFile
from warehouse.load import (
    FAILED,
    LoadResult,
    add_findings,
    add_submission,
    already_loaded,
    known_submissions,
    settle,
)

__all__ = ["FAILED", "DistrictRecord", "LoadResult", "known_submissions",
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
        seen = already_loaded(session, record.stored, record.channel, record.sender)
        if seen is not None:
            return seen
        submission = add_submission(session, record, record.accepted, versioned=True)
        add_findings(session, submission.id, record.findings)
        if record.accepted:
            session.add_all(m.ReportedValue(
                submission_id=submission.id, unit_code=r.unit_code, unit_level=r.unit_level,
                parent_code=r.parent_code, population=r.population, indicator=r.indicator,
                breakdown=r.breakdown, value=r.value) for r in record.rows)
            settle(session, submission)
        return LoadResult(submission.id, submission.status, submission.version, new=True)
