"""Reading the warehouse back into the plain data the report builders take."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cellreports.periods import last_day
from cellreports.registry import Registry, Unit
from forms.dispatch import CELL_REPORT
from reports.model import CellStatus, MonthData, ValueKey
from validations.findings import Finding
from warehouse import models as m


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything is stored in UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def deadline(period: str, day: int, timezone: str) -> datetime:
    """The last moment a report for ``period`` counts as on time (the day is inclusive)."""
    last = last_day(period)  # "the 31st" in February means its last day
    return datetime.combine(last.replace(day=min(day, last.day)), time.max,
                            tzinfo=ZoneInfo(timezone))


def month_data(session: Session, registry: Registry, unit_code: str, period: str, *,
               deadline_day: int, timezone: str) -> MonthData:
    unit = registry.get(unit_code)
    if unit is None:
        raise KeyError(unit_code)
    due = deadline(period, deadline_day, timezone)
    cells = registry.reporting_cells(unit_code, period)
    statuses: list[CellStatus] = []
    values: dict[ValueKey, int] = {}
    latest_arrival: datetime | None = None
    for cell in cells:
        subs = list(session.scalars(
            select(m.Submission).where(m.Submission.unit_code == cell.code,
                                       m.Submission.period == period,
                                       m.Submission.kind == CELL_REPORT)
            .order_by(m.Submission.received_at, m.Submission.id)))
        status, in_use = _cell_status(cell, subs, due, ZoneInfo(timezone))
        statuses.append(status)
        if in_use is not None:
            arrival = as_utc(in_use.received_at)
            latest_arrival = max(latest_arrival or arrival, arrival)
            for v in session.scalars(select(m.IndicatorValue).where(
                    m.IndicatorValue.submission_id == in_use.id)):
                values[(cell.code, v.population, v.indicator, v.breakdown)] = v.value
    units_in_file = [*cells, unit]
    return MonthData(
        period=period, unit=unit,
        parents={u.code: u.parent_code for u in units_in_file},
        levels={u.code: u.level for u in units_in_file},
        cells=statuses, values=values,
        # the report is dated by its data, so a rebuild from the warehouse is identical
        generated_at=(latest_arrival or due).astimezone(ZoneInfo(timezone)),
    )


def _cell_status(cell: Unit, subs: list[m.Submission], due: datetime, zone: ZoneInfo,
                 ) -> tuple[CellStatus, m.Submission | None]:
    if not subs:
        return CellStatus(unit=cell), None
    in_use = next((s for s in subs if s.status == "accepted"), None)
    shown = in_use or subs[-1]
    first_valid = next((s for s in subs if s.error_count == 0), None)
    on_time = first_valid is not None and as_utc(first_valid.received_at) <= due
    return CellStatus(
        unit=cell, received=True, accepted=in_use is not None, on_time=on_time,
        version=shown.version, received_at=as_utc(shown.received_at).astimezone(zone),
        errors=shown.error_count, warnings=shown.warning_count), in_use


def earlier_version(session: Session, submission_id: int) -> tuple[int | None, list[Finding]]:
    """The version a submission replaces (same unit and month, the latest before it) and
    that version's findings — so feedback can say which of them are now fixed."""
    current = session.get(m.Submission, submission_id)
    if current is None or current.version in (None, 1):
        return None, []
    previous = session.scalar(
        select(m.Submission).where(m.Submission.unit_code == current.unit_code,
                                   m.Submission.period == current.period,
                                   m.Submission.kind == CELL_REPORT,
                                   m.Submission.id < current.id)
        .order_by(m.Submission.id.desc()).limit(1))
    if previous is None:
        return None, []
    rows = session.scalars(select(m.Finding).where(m.Finding.submission_id == previous.id))
    return previous.version, [Finding(f.rule_id, f.sheet, f.row, f.column, f.message,
                                      f.severity) for f in rows]
