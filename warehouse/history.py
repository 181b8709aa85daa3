"""Reading what earlier months hold, for the history rules (core.history)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from core.history import History, PastPerson, PastReport, certificate_key
from core.kinds import CELL_REPORT
from warehouse import models as m
from warehouse.queries import in_chunks


def load_history(session: Session, wanted: Iterable[tuple[str, str]],
                 people: Collection[str] | None = None) -> History:
    """History for the (unit, period) pairs of a batch: each unit's latest accepted report
    of an earlier period, the people on accepted rosters of those periods (of ``people``,
    the batch's own, when given: H07 asks about no one else), and the certificates of the
    course register."""
    wanted = sorted(set(wanted))
    history = History()
    for unit, period in wanted:
        previous = _latest_before(session, unit, period)
        if previous is not None:
            history.previous[(unit, period)] = previous
    for period in sorted({p for _u, p in wanted}):
        for who, units in people_in_force(session, period, people).items():
            history.people_elsewhere[(period, who)] = units
    history.certificates = _certificates(session)
    return history


def people_in_force(session: Session, period: str,
                    among: Collection[str] | None = None) -> dict[str, set[str]]:
    """Who the month's accepted rosters list, by number (a person's key -> the units
    listing them): H07's other cells, for a batch's check and for the month's settling.
    ``among``: only these people. A streamed month's batch asks about its own people only:
    asking about everyone made each batch read every roster the batches before it loaded
    (quadratic: 22 s of a 10,000-file month, docs/benchmarks.md)."""
    query = (select(m.RosterFact.person_key, m.Submission.unit_code)
             .join(m.Submission, m.Submission.id == m.RosterFact.submission_id)
             .where(*listed_in_force(m.RosterFact, m.Submission, period)))
    parts = [query] if among is None else [
        query.where(m.RosterFact.person_key.in_(chunk)) for chunk in in_chunks(sorted(among))]
    found: dict[str, set[str]] = {}
    for part in parts:
        for who, unit in session.execute(part):
            found.setdefault(who, set()).add(unit)
    return found


def listed_in_force(fact: Any, submission: Any, period: str) -> tuple[ColumnElement[bool], ...]:
    """The conditions under which a roster row (``fact``, of the file ``submission``: the
    models or aliases of them, joined) lists a person in force in ``period``: a row with a
    number, on an accepted roster of the month (H07's other cells)."""
    return (submission.period == period, submission.status == "accepted",
            fact.pid_hash.is_not(None))


def _latest_before(session: Session, unit: str, period: str) -> PastReport | None:
    submission = session.scalar(
        select(m.Submission)
        .where(m.Submission.unit_code == unit, m.Submission.period < period,
               m.Submission.kind == CELL_REPORT, m.Submission.status == "accepted")
        .order_by(m.Submission.period.desc()).limit(1))
    if submission is None:
        return None
    figures = {(v.population, v.indicator): v.value for v in session.scalars(
        select(m.IndicatorValue).where(m.IndicatorValue.submission_id == submission.id,
                                       m.IndicatorValue.breakdown == "tong"))}
    people = tuple(
        PastPerson(person_key=r.person_key, full_name=r.full_name or "", stage=r.stage)
        for r in session.scalars(select(m.RosterFact).where(
            m.RosterFact.submission_id == submission.id).order_by(m.RosterFact.excel_row))
        if r.person_key)
    return PastReport(unit, submission.period or "", figures, people)


def _certificates(session: Session):  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(m.CourseRecord.cert_no, m.CourseRecord.cert_date)
        .join(m.Submission, m.Submission.id == m.CourseRecord.submission_id)
        .where(m.Submission.status == "accepted", m.CourseRecord.passed.is_(True)))
    found = {(certificate_key(no), day) for no, day in rows if no}
    return found or None
