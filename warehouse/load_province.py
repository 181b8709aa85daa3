"""Loading one district data file at the province: one transaction, all or nothing.

The same semantics as warehouse.load for the cells' workbooks: the same file twice is one
submission; every version of a district's month is kept; a newly accepted version
supersedes the earlier ones. The file is a ``submissions`` row of kind ``district_data``
whose unit is the district; its values go to ``reported_values``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from warehouse import models as m
from warehouse.load import (
    FAILED,
    LoadResult,
    SubmissionRecord,
    add_findings,
    add_submission,
    already_loaded,
    known_submissions,
    one_file,
    settle,
)

__all__ = ["FAILED", "LoadResult", "known_submissions", "load_district_file"]


def load_district_file(session: Session, record: SubmissionRecord) -> LoadResult:
    """Record the submission, its findings and, if accepted, its values — atomically."""
    with one_file(session):
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
