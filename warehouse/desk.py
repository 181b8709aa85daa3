"""What a unit's page shows of the warehouse: its submissions, one of them with its
findings. Rows out, always scoped to the unit asked for (a page never reads another's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from core.findings import Finding
from core.kinds import CELL_REPORT, UNKNOWN, WEB
from warehouse import models as m
from warehouse.queries import as_finding, as_utc


@dataclass(frozen=True)
class SubmissionView:
    submission_id: int
    filename: str
    channel: str
    period: str | None
    version: int | None
    status: str  # accepted | rejected | superseded | pending
    received_at: datetime  # UTC
    errors: int
    warnings: int
    feedback_path: str | None


def _view(row: m.Submission) -> SubmissionView:
    return SubmissionView(row.id, row.filename, row.channel, row.period, row.version,
                          row.status, as_utc(row.received_at), row.error_count,
                          row.warning_count, row.feedback_path)


def _the_units(unit_code: str):  # type: ignore[no-untyped-def]
    """The unit's submissions as its page shows them: those filed under it (but not an
    upload of another unit's account that claims to be it) and every upload of its own
    account, whatever it was filed under (an unreadable file, a workbook of another unit)."""
    s = m.Submission
    return or_(and_(s.unit_code == unit_code, or_(s.channel != WEB, s.sender == unit_code)),
               and_(s.channel == WEB, s.sender == unit_code))


def unit_submissions(session: Session, unit_code: str, limit: int = 200,
                     ) -> list[SubmissionView]:
    """The unit's workbooks (and its files that could not be read), newest first."""
    rows = session.scalars(select(m.Submission).where(
        _the_units(unit_code), m.Submission.kind.in_((CELL_REPORT, UNKNOWN)))
        .order_by(m.Submission.received_at.desc(), m.Submission.id.desc()).limit(limit))
    return [_view(r) for r in rows]


def unit_submission(session: Session, unit_code: str, submission_id: int,
                    ) -> tuple[SubmissionView, list[Finding]] | None:
    """One submission of the unit with its findings; None when it is not the unit's."""
    row = session.scalar(select(m.Submission).where(m.Submission.id == submission_id,
                                                    _the_units(unit_code)))
    if row is None:
        return None
    findings = [as_finding(f) for f in session.scalars(select(m.Finding).where(
                    m.Finding.submission_id == submission_id).order_by(m.Finding.id))]
    return _view(row), findings


def accepted_figures(session: Session, unit_code: str, period: str,
                     ) -> tuple[int, dict[tuple[str, str], int]] | None:
    """The unit's accepted workbook of the month (its version) and its totals by
    (indicator, population); None when it has none."""
    row = session.scalar(select(m.Submission).where(
        m.Submission.unit_code == unit_code, m.Submission.period == period,
        m.Submission.kind == CELL_REPORT, m.Submission.status == "accepted"))
    if row is None:
        return None
    values = session.execute(select(m.IndicatorValue).where(
        m.IndicatorValue.submission_id == row.id,
        m.IndicatorValue.breakdown == "tong")).scalars()
    return row.version or 0, {(v.indicator, v.population): v.value for v in values}
