"""Approval and lock of a month (as DHIS2 locks approved data).

``approve`` freezes a consolidating unit's month: files that arrive later are loaded as
``pending`` corrections and change nothing until ``reopen``, which puts them in force,
oldest first, and records who did it and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import CellreportsError
from warehouse import models as m
from warehouse.versions import now, put_in_force


class AlreadyApproved(CellreportsError):
    """The month was approved before; it must be reopened before it can be approved again."""

    heading = "Already approved"
    exit_code = 1


class NotApproved(CellreportsError):
    """Only an approved month can be reopened."""

    heading = "Nothing to reopen"
    exit_code = 1


@dataclass(frozen=True)
class PeriodState:
    unit_code: str
    period: str
    status: str  # open | approved
    approved_by: str | None
    approved_at: datetime | None
    pending: int  # corrections waiting for the month to be reopened


def approve(session: Session, unit_code: str, period: str, actor: str) -> None:
    """Lock the month; who and when are stored (the row and an event)."""
    with session.begin():
        row = session.get(m.Period, (unit_code, period), with_for_update=True)
        if row is not None and row.status == "approved":
            raise AlreadyApproved(f"{unit_code} {period} was approved by {row.approved_by} "
                                  f"on {row.approved_at:%Y-%m-%d %H:%M}")
        moment = now()
        if row is None:
            row = m.Period(unit_code=unit_code, period=period)
            session.add(row)
        row.status, row.approved_by, row.approved_at = "approved", actor, moment
        session.add(m.PeriodEvent(unit_code=unit_code, period=period, action="approved",
                                  actor=actor, at=moment, applied=0))


def reopen(session: Session, unit_code: str, period: str, actor: str) -> list[m.Submission]:
    """Unlock the month and apply its pending corrections, oldest first, in one transaction.
    Returns the corrections now in force."""
    with session.begin():
        row = session.get(m.Period, (unit_code, period), with_for_update=True)
        if row is None or row.status != "approved":
            raise NotApproved(f"{unit_code} {period} is not approved")
        moment = now()
        row.status = "open"
        waiting = pending(session, unit_code, period)
        for submission in waiting:
            put_in_force(session, submission, moment)
        session.add(m.PeriodEvent(unit_code=unit_code, period=period, action="reopened",
                                  actor=actor, at=moment, applied=len(waiting)))
        return waiting


def pending(session: Session, unit_code: str, period: str | None = None) -> list[m.Submission]:
    """Corrections waiting for an approved month of ``unit_code``'s units."""
    query = (select(m.Submission).join(m.Unit, m.Unit.code == m.Submission.unit_code)
             .where(m.Unit.parent_code == unit_code, m.Submission.status == "pending")
             .order_by(m.Submission.received_at, m.Submission.id))
    if period is not None:
        query = query.where(m.Submission.period == period)
    return list(session.scalars(query))


def states(session: Session, unit_code: str) -> list[PeriodState]:
    """Every month of the unit that has submissions or an approval, newest first."""
    periods = set(session.scalars(
        select(m.Submission.period).join(m.Unit, m.Unit.code == m.Submission.unit_code)
        .where(m.Unit.parent_code == unit_code, m.Submission.period.is_not(None))))
    rows = {r.period: r for r in session.scalars(
        select(m.Period).where(m.Period.unit_code == unit_code))}
    waiting = dict(session.execute(
        select(m.Submission.period, func.count()).join(m.Unit,
                                                       m.Unit.code == m.Submission.unit_code)
        .where(m.Unit.parent_code == unit_code, m.Submission.status == "pending")
        .group_by(m.Submission.period)).all())
    found = []
    for period in sorted(periods | rows.keys(), reverse=True):
        row = rows.get(period)
        approved = row is not None and row.status == "approved"
        found.append(PeriodState(unit_code, period, "approved" if approved else "open",
                                 row.approved_by if approved and row else None,
                                 row.approved_at if approved and row else None,
                                 waiting.get(period, 0)))
    return found


def events(session: Session, unit_code: str, period: str) -> list[m.PeriodEvent]:
    return list(session.scalars(select(m.PeriodEvent).where(
        m.PeriodEvent.unit_code == unit_code, m.PeriodEvent.period == period)
        .order_by(m.PeriodEvent.id)))
