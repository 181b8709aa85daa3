"""What the officers' pages of one unit read that the reports do not: the findings of many
submissions at once, the submission each cell's month is judged by, and a cell's roster
counted by stage. Rows out; the figures themselves come from warehouse.queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.findings import Finding
from core.kinds import CELL_REPORT
from warehouse import models as m
from warehouse.queries import as_finding, as_utc, in_chunks, received_reports


@dataclass(frozen=True)
class Judged:
    """The submission a cell's month is judged by, with its findings."""

    unit_code: str
    submission_id: int
    version: int | None
    status: str  # accepted (in force) | rejected
    received_at: datetime  # UTC
    findings: tuple[Finding, ...]


def findings_of(session: Session, submission_ids: list[int]) -> dict[int, list[Finding]]:
    """Each submission's findings in the order they were stored (a few queries in all)."""
    found: dict[int, list[Finding]] = {i: [] for i in submission_ids}
    for chunk in in_chunks(submission_ids):
        for f in session.scalars(select(m.Finding).where(m.Finding.submission_id.in_(chunk))
                                 .order_by(m.Finding.submission_id, m.Finding.id)):
            found[f.submission_id].append(as_finding(f))
    return found


def judged_submissions(session: Session, cells: list[str], period: str) -> list[Judged]:
    """For each cell with a workbook of the month: the one in force, else its latest — the
    choice ``queries.unit_status`` makes for the board and the reports' status sheet
    (pending corrections of an approved month are not the month's yet)."""
    received = received_reports(session, set(cells), period)
    shown = {code: next((s for s in subs if s.status == "accepted"), subs[-1])
             for code, subs in received.items()}
    findings = findings_of(session, [s.id for s in shown.values()])
    return [Judged(code, s.id, s.version, s.status, as_utc(s.received_at),
                   tuple(findings[s.id])) for code, s in sorted(shown.items())]


def stage_counts(session: Session, unit_code: str, period: str,
                 ) -> dict[tuple[int | None, str | None], int]:
    """The rows of the cell's accepted roster of the month by (stage, population); empty
    when the month has no accepted workbook of the cell."""
    accepted = select(m.Submission.id).where(
        m.Submission.unit_code == unit_code, m.Submission.period == period,
        m.Submission.kind == CELL_REPORT, m.Submission.status == "accepted")
    rows = session.execute(
        select(m.RosterFact.stage, m.RosterFact.population, func.count())
        .where(m.RosterFact.submission_id.in_(accepted))
        .group_by(m.RosterFact.stage, m.RosterFact.population))
    return {(stage, population): count for stage, population, count in rows}
