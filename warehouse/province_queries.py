"""Reading the warehouse back into ProvinceMonth: the districts' files at the province."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.export_format import TOTAL
from core.findings import Finding
from core.kinds import DISTRICT_DATA
from core.layout import POPULATIONS
from core.month import UnitStatus, ValueKey
from core.province_month import ProvinceMonth
from core.registry import Registry, Unit
from warehouse import models as m
from warehouse.queries import as_finding, as_utc, deadline, unit_status


def expected_districts(registry: Registry, province_code: str, period: str) -> list[Unit]:
    """The units directly below the province, active in the period, with reporting cells
    below them: each owes the province a data file (a commune without a school cell does
    not)."""
    return [u for u in registry.children(province_code, period)
            if registry.reporting_cells(u.code, period)]


def province_month(session: Session, registry: Registry, province_code: str, period: str, *,
                   deadline_day: int, timezone: str) -> ProvinceMonth:
    province = registry.get(province_code)
    if province is None:
        raise KeyError(province_code)
    zone = ZoneInfo(timezone)
    due = deadline(period, deadline_day, timezone)
    statuses: list[UnitStatus] = []
    values: dict[ValueKey, int] = {}
    latest: datetime | None = None
    for unit in expected_districts(registry, province_code, period):
        subs = list(session.scalars(
            select(m.Submission).where(m.Submission.unit_code == unit.code,
                                       m.Submission.period == period,
                                       m.Submission.kind == DISTRICT_DATA,
                                       m.Submission.status != "pending")
            .order_by(m.Submission.received_at, m.Submission.id)))
        cells = len(registry.reporting_cells(unit.code, period))
        status, in_use = unit_status(unit, subs, due, zone, cells=cells)
        if in_use is not None:
            latest = max(latest or as_utc(in_use.received_at), as_utc(in_use.received_at))
            for v in session.scalars(select(m.ReportedValue).where(
                    m.ReportedValue.submission_id == in_use.id,
                    m.ReportedValue.unit_code == unit.code)):
                values[(unit.code, v.population, v.indicator, v.breakdown)] = v.value
            status = replace(
                status,
                cells_accepted=values.get((unit.code, TOTAL, "REPORTS_ACCEPTED", TOTAL), 0),
                cells_expected=values.get((unit.code, TOTAL, "REPORTS_EXPECTED", TOTAL), cells))
        statuses.append(status)
    year = int(period[:4])
    return ProvinceMonth(
        period=period, unit=province, districts=statuses, values=values,
        expected_cells=len(registry.reporting_cells(province_code, period)),
        # dated by its data, so a rebuild from the warehouse is identical
        generated_at=(latest or due).astimezone(zone),
        targets={(s.unit.code, p): t for s in statuses for p in POPULATIONS
                 if (t := registry.target_below(s.unit.code, year, p, period)) is not None})


@dataclass(frozen=True)
class DataFileView:
    """The data file a unit's status of the month is drawn from, with its findings."""

    unit_code: str
    submission_id: int
    filename: str
    version: int | None
    status: str  # accepted | rejected | superseded
    findings: tuple[Finding, ...]


def shown_files(session: Session, unit_codes: list[str], period: str,
                ) -> dict[str, DataFileView]:
    """Each unit's data file of the month that its status is drawn from (``unit_status``:
    the one in use, else the latest), with its findings — what the province's board lists
    beside each district's status. Two queries for the whole province."""
    if not unit_codes:
        return {}
    shown: dict[str, m.Submission] = {}
    for sub in session.scalars(select(m.Submission).where(
            m.Submission.unit_code.in_(unit_codes), m.Submission.period == period,
            m.Submission.kind == DISTRICT_DATA, m.Submission.status != "pending")
            .order_by(m.Submission.received_at, m.Submission.id)):
        current = shown.get(sub.unit_code or "")
        if current is None or current.status != "accepted":
            shown[sub.unit_code or ""] = sub
    findings: dict[int, list[Finding]] = {s.id: [] for s in shown.values()}
    for f in session.scalars(select(m.Finding).where(m.Finding.submission_id.in_(findings))
                             .order_by(m.Finding.id)):
        findings[f.submission_id].append(as_finding(f))
    return {code: DataFileView(code, s.id, s.filename, s.version, s.status,
                               tuple(findings[s.id])) for code, s in shown.items()}
