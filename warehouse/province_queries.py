"""Reading the warehouse back into ProvinceMonth: the districts' files at the province."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.export_format import TOTAL
from core.kinds import DISTRICT_DATA
from core.layout import POPULATIONS
from core.month import ValueKey
from core.province_month import DistrictStatus, ProvinceMonth
from core.registry import Registry, Unit
from warehouse import models as m
from warehouse.queries import as_utc, deadline


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
    statuses: list[DistrictStatus] = []
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
        status, in_use = _district_status(unit, subs, due, zone, cells)
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


def _district_status(unit: Unit, subs: list[m.Submission], due: datetime, zone: ZoneInfo,
                     cells: int) -> tuple[DistrictStatus, m.Submission | None]:
    if not subs:
        return DistrictStatus(unit=unit, registry_cells=cells, cells_expected=cells), None
    in_use = next((s for s in subs if s.status == "accepted"), None)
    shown = in_use or subs[-1]
    first_valid = next((s for s in subs if s.error_count == 0), None)
    on_time = first_valid is not None and as_utc(first_valid.received_at) <= due
    return DistrictStatus(
        unit=unit, received=True, accepted=in_use is not None, on_time=on_time,
        version=shown.version, received_at=as_utc(shown.received_at).astimezone(zone),
        errors=shown.error_count, warnings=shown.warning_count, registry_cells=cells,
        cells_expected=cells), in_use
