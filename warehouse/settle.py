"""A month's findings that depend on the other cells' rosters (H07), settled when the month
is consolidated: a cell whose file was taken in early was checked before the others arrived.

The rule itself is not here: the level runs the same validation over the rows this
module hands it (services.levels, validations.run.listed_elsewhere_stored): the rosters of
the files in force as loaded, and who the month's accepted rosters list. Nothing is read
from the archive again, except once for a file loaded before the warehouse kept where its
roster's numbers are (:func:`missing_layouts`). This module also puts the rule's findings
of each file in their place, in one transaction.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, delete, exists, select
from sqlalchemy.orm import Session, aliased

from core.findings import Finding
from core.history import ListedRow, StoredRoster
from core.kinds import CELL_REPORT
from warehouse import models as m
from warehouse.history import listed_in_force
from warehouse.load import add_findings
from warehouse.queries import as_finding, in_chunks
from warehouse.report_log import in_use_ids
from warehouse.versions import is_locked


def files_in_force(session: Session, unit_codes: list[str], period: str,
                   ) -> list[tuple[int, str]]:
    """(submission id, sha256) of each cell's accepted workbook in force for the month, in
    the order they arrived; none for a month its district has approved (locked)."""
    ids = in_use_ids(session, unit_codes, period, CELL_REPORT)
    if not ids:
        return []
    rows = session.execute(select(m.Submission.id, m.Submission.sha256, m.Submission.unit_code)
                           .where(m.Submission.id.in_(ids))
                           .order_by(m.Submission.received_at, m.Submission.id)).all()
    if is_locked(session, rows[0].unit_code, period):
        return []
    return [(row.id, row.sha256) for row in rows]


def replace_rule_findings(session: Session, rule_id: str,
                          findings: dict[int, list[Finding]]) -> int:
    """Each submission's findings of ``rule_id`` become those given (a warning rule: the
    verdict stays); the counts follow. Returns how many changed: those already exactly as
    given are only read, all of them in a few queries (a month's settling asks of every
    file in force, of which a correction changes a few: a query each took 0.44 s of
    1,000)."""
    stored: dict[int, list[tuple[object, ...]]] = {sid: [] for sid in findings}
    for part in in_chunks(list(findings)):
        for sid, *key in session.execute(select(
                m.Finding.submission_id, *(getattr(m.Finding, name) for name in _COMPARED))
                .where(m.Finding.submission_id.in_(part), m.Finding.rule_id == rule_id)):
            stored[sid].append(tuple(key))
    changed = [sid for sid, found in findings.items()
               if sorted(stored[sid]) != sorted(_compared(f) for f in found)]
    for sid in changed:
        _replace(session, sid, rule_id, findings[sid])
    return len(changed)


# what makes two findings of a rule the same, stored or made
_COMPARED = ("severity", "sheet", "row", "column", "message")


def _compared(finding: Finding) -> tuple[object, ...]:
    return tuple(getattr(finding, name) for name in _COMPARED)


def _replace(session: Session, submission_id: int, rule_id: str,
             findings: list[Finding]) -> None:
    session.execute(delete(m.Finding).where(m.Finding.submission_id == submission_id,
                                            m.Finding.rule_id == rule_id))
    add_findings(session, submission_id, findings)
    submission = session.get(m.Submission, submission_id)
    assert submission is not None
    counts = session.execute(select(m.Finding.severity).where(
        m.Finding.submission_id == submission_id)).scalars().all()
    submission.error_count = sum(1 for s in counts if s == "ERROR")
    submission.warning_count = len(counts) - submission.error_count


def accepted_files(session: Session, period: str) -> list[tuple[str, str]]:
    """(unit, sha256) of every accepted cell workbook of the month in the warehouse,
    whoever it is from: the rosters H07 compares with (warehouse.history,
    ``people_elsewhere``). Content, not ids: the same files give the same list in any
    warehouse."""
    return sorted(session.execute(select(m.Submission.unit_code, m.Submission.sha256).where(
        m.Submission.period == period, m.Submission.kind == CELL_REPORT,
        m.Submission.status == "accepted")).tuples())


def settled_inputs(session: Session, unit_code: str, period: str, rule_id: str) -> str | None:
    """The digest of the inputs the month's ``rule_id`` was last settled over (None: never)."""
    found = session.get(m.Settlement, (unit_code, period, rule_id))
    return found.inputs if found else None


def mark_settled(session: Session, unit_code: str, period: str, rule_id: str,
                 inputs: str) -> None:
    """Record that the month's ``rule_id`` findings are those of ``inputs``."""
    found = session.get(m.Settlement, (unit_code, period, rule_id))
    if found is None:
        session.add(m.Settlement(unit_code=unit_code, period=period, rule_id=rule_id,
                                 inputs=inputs))
    elif found.inputs != inputs:
        found.inputs = inputs


def stored_rosters(session: Session, ids: list[int],
                   shared_in: str | None = None) -> list[StoredRoster]:
    """The rosters of these submissions, in the order given: the rows with an
    identification number (H07 compares those), in the workbook's order. ``shared_in``
    (a month): only the rows whose person another unit's accepted roster of that month
    lists too — the only rows H07 can flag; a month's rosters hold ~60 rows a cell, of
    which a few are shared."""
    rosters: dict[int, StoredRoster] = {}
    for part in in_chunks(ids):
        for sid, unit, sheet, column in session.execute(select(
                m.Submission.id, m.Submission.unit_code, m.Submission.roster_sheet,
                m.Submission.pid_column).where(m.Submission.id.in_(part))):
            rosters[sid] = StoredRoster(unit or "", sheet, column)
        query = (select(m.RosterFact.submission_id, m.RosterFact.excel_row,
                        m.RosterFact.full_name, m.RosterFact.person_key)
                 .where(m.RosterFact.submission_id.in_(part),
                        m.RosterFact.pid_hash.is_not(None),
                        m.RosterFact.person_key.is_not(None)).order_by(m.RosterFact.id))
        if shared_in is not None:
            query = query.where(_listed_elsewhere(shared_in))
        for sid, row, name, who in session.execute(query):
            rosters[sid].rows.append(ListedRow(row, name, who))
    return [rosters[sid] for sid in ids]


def _listed_elsewhere(period: str) -> ColumnElement[bool]:
    """A roster row's person is listed in force in ``period`` (as
    warehouse.history.people_in_force counts them) by another unit than the row's own."""
    own, other, other_file = aliased(m.Submission), aliased(m.RosterFact), aliased(m.Submission)
    return exists().where(
        own.id == m.RosterFact.submission_id,
        other.person_key == m.RosterFact.person_key, other_file.id == other.submission_id,
        *listed_in_force(other, other_file, period), other_file.unit_code != own.unit_code)


def superseded(session: Session, ids: list[int], period: str) -> list[int]:
    """Those of these submissions that are cell workbooks of the month accepted once and
    superseded since (their rosters are in the warehouse), in the order given."""
    found: set[int] = set()
    for chunk in in_chunks(ids):
        found.update(session.scalars(select(m.Submission.id).where(
            m.Submission.id.in_(chunk), m.Submission.period == period,
            m.Submission.kind == CELL_REPORT, m.Submission.status == "superseded",
            # accepted when loaded (a rejected file superseded by its correction has no
            # roster in the warehouse: its H07 stays as it was checked)
            m.Submission.error_count == 0)))
    return [i for i in ids if i in found]


def rule_findings(session: Session, rule_id: str, ids: list[int]) -> dict[int, list[Finding]]:
    """The findings of ``rule_id`` of these submissions, in the order they were stored."""
    found: dict[int, list[Finding]] = {}
    for chunk in in_chunks(ids):
        for f in session.scalars(select(m.Finding).where(
                m.Finding.submission_id.in_(chunk), m.Finding.rule_id == rule_id)
                .order_by(m.Finding.id)):
            found.setdefault(f.submission_id, []).append(as_finding(f))
    return found


def missing_layouts(session: Session, ids: list[int]) -> list[tuple[int, str]]:
    """(id, sha256) of those submissions loaded before the warehouse kept their roster's
    layout (migration 0008)."""
    found: list[tuple[int, str]] = []
    for chunk in in_chunks(ids):
        found += session.execute(select(m.Submission.id, m.Submission.sha256).where(
            m.Submission.id.in_(chunk),
            m.Submission.roster_sheet.is_(None))).tuples()
    return sorted(found)


def set_layout(session: Session, submission_id: int, sheet: str, pid_column: str | None,
               ) -> None:
    submission = session.get(m.Submission, submission_id)
    assert submission is not None
    submission.roster_sheet, submission.pid_column = sheet, pid_column
