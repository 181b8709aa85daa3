"""Versions of a unit's month, for every kind of submission (cell workbooks, district data
files): numbering, superseding, the approval lock and the record of changed figures."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from warehouse import models as m

FigureKey = tuple[str, str, str, str]  # (unit, population, indicator, breakdown)
IN_FORCE = ("accepted", "rejected")  # statuses a newly accepted version supersedes


def _same_month(kind: str, unit_code: str | None, period: str | None) -> tuple:  # type: ignore[type-arg]
    return (m.Submission.unit_code == unit_code, m.Submission.period == period,
            m.Submission.kind == kind)


def next_version(session: Session, kind: str, unit_code: str | None,
                 period: str | None) -> int | None:
    """1 for a unit's first file of a month, then 2, 3…; None when the month is unknown."""
    if not unit_code or not period:
        return None
    earlier = session.scalar(select(func.count()).select_from(m.Submission).where(
        *_same_month(kind, unit_code, period)))
    return (earlier or 0) + 1


def consolidating_unit(session: Session, unit_code: str | None) -> str | None:
    """The unit whose month a submission belongs to: its parent in the registry mirror."""
    unit = session.get(m.Unit, unit_code) if unit_code else None
    return unit.parent_code if unit else None


def is_locked(session: Session, unit_code: str | None, period: str | None) -> bool:
    """Has the unit above approved this month? Then nothing may change its figures."""
    scope = consolidating_unit(session, unit_code)
    if scope is None or period is None:
        return False
    found = session.get(m.Period, (scope, period))
    return found is not None and found.status == "approved"


def accepted_status(session: Session, submission: m.Submission) -> str:
    """``accepted``, or ``pending`` while the month is approved (a correction that waits)."""
    return "pending" if is_locked(session, submission.unit_code, submission.period) \
        else "accepted"


def put_in_force(session: Session, submission: m.Submission, moment: datetime, *,
                 alone: bool = False) -> None:
    """Make a newly accepted version the one in use: supersede the earlier versions of its
    month and record each figure it changes (against the version it replaces, or — for a
    late first file — against a month whose report was already built). ``alone``: the
    caller knows its month holds no other submission of its kind (a first version numbered
    in this transaction): nothing to look up or supersede."""
    submission.status = "accepted"
    if submission.version is None:
        return  # not a month's report (the course register): nothing to supersede
    previous = None if alone else _supersede_earlier(session, submission)
    if previous is not None:
        _record_changes(session, submission, previous.id, values_of(session, previous),
                        values_of(session, submission), moment)
    elif already_reported(session, submission):
        _record_changes(session, submission, None, {}, values_of(session, submission), moment)


def _supersede_earlier(session: Session, submission: m.Submission) -> m.Submission | None:
    """The earlier versions of the submission's month superseded, the latest of them
    recorded as the one it supersedes; the version that was accepted until now, if any."""
    same = (*_same_month(submission.kind, submission.unit_code, submission.period),
            m.Submission.id != submission.id)
    previous = session.scalar(select(m.Submission).where(*same, m.Submission.status == "accepted"))
    latest = session.scalar(select(func.max(m.Submission.id)).where(
        *same, m.Submission.id < submission.id))
    submission.supersedes_id = latest
    # earlier versions only: a correction applied on reopening leaves newer files alone
    session.execute(update(m.Submission).where(*same, m.Submission.id < submission.id,
                                               m.Submission.status.in_(IN_FORCE))
                    .values(status="superseded"))
    return previous


def already_reported(session: Session, submission: m.Submission) -> bool:
    scope = consolidating_unit(session, submission.unit_code)
    return session.scalar(select(func.count()).select_from(m.ReportBuild).where(
        m.ReportBuild.unit_code == scope, m.ReportBuild.period == submission.period)) > 0


def values_of(session: Session, submission: m.Submission) -> dict[FigureKey, int]:
    """The figures a submission contributes, whatever its kind."""
    if submission.kind == "district_data":
        return {(v.unit_code, v.population, v.indicator, v.breakdown): v.value
                for v in session.scalars(select(m.ReportedValue).where(
                    m.ReportedValue.submission_id == submission.id))}
    unit = submission.unit_code or ""
    return {(unit, v.population, v.indicator, v.breakdown): v.value
            for v in session.scalars(select(m.IndicatorValue).where(
                m.IndicatorValue.submission_id == submission.id))}


def _record_changes(session: Session, submission: m.Submission, replaced_id: int | None,
                    old: dict[FigureKey, int], new: dict[FigureKey, int],
                    moment: datetime) -> None:
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if (before or 0) == (after or 0):
            continue  # a zero that appears or disappears changes no total
        unit, population, indicator, breakdown = key
        session.add(m.FigureChange(
            period=submission.period or "", unit_code=unit, population=population,
            indicator=indicator, breakdown=breakdown, old_value=before, new_value=after,
            submission_id=submission.id, replaced_id=replaced_id, changed_at=moment))


def now() -> datetime:
    return datetime.now(UTC)


def changes_of(session: Session, period: str) -> list[tuple[m.FigureChange, m.Submission]]:
    """Every figure of ``period`` changed after it was first reported, oldest first, with
    the submission that changed it."""
    return list(session.execute(
        select(m.FigureChange, m.Submission).join(
            m.Submission, m.Submission.id == m.FigureChange.submission_id)
        .where(m.FigureChange.period == period).order_by(m.FigureChange.id)).tuples())
