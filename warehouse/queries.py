"""Reading the warehouse back into the plain data the report builders take."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from core.findings import Finding
from core.kinds import CELL_REPORT
from core.layout import POPULATIONS
from core.month import (
    ADMISSIONS,
    AGE_BANDS,
    AttentionItem,
    EarlierKey,
    MonthData,
    UnitStatus,
    ValueKey,
)
from core.pace import behind_pace_from
from core.periods import last_day, previous_period
from core.registry import Registry, Unit
from warehouse import models as m

T = TypeVar("T")


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
    statuses: list[UnitStatus] = []
    values: dict[ValueKey, int] = {}
    latest_arrival: datetime | None = None
    received = received_reports(session, {c.code for c in cells}, period)
    unit_of: dict[int, str] = {}  # the submission in use -> its cell
    for cell in cells:
        status, in_use = unit_status(cell, received.get(cell.code, []), due,
                                     ZoneInfo(timezone))
        statuses.append(status)
        if in_use is not None:
            arrival = as_utc(in_use.received_at)
            latest_arrival = max(latest_arrival or arrival, arrival)
            unit_of[in_use.id] = cell.code
    # zeros left out: every reader takes a missing value as 0 (two thirds of a month's
    # values are zeros, mostly breakdowns a school has nobody in)
    # one string object per population, indicator and breakdown, as each cell's code is
    # one: the driver makes new ones for every row, and 342,000 keys of 10,000 cells held
    # 126 MB instead of 35 here and again in the worker the month is pickled to
    shared: dict[str, str] = {}
    one = shared.setdefault
    for v in _rows_of(session, m.IndicatorValue, unit_of, m.IndicatorValue.value != 0,
                      columns=("submission_id", "population", "indicator", "breakdown",
                               "value")):
        values[(unit_of[v.submission_id], one(v.population, v.population),
                one(v.indicator, v.indicator), one(v.breakdown, v.breakdown))] = v.value
    units_in_file = [*cells, unit]
    in_use = {s.unit.code: s for s in statuses if s.accepted}
    expected = [c.code for c in cells]
    year = int(period[:4])
    return MonthData(
        period=period, unit=unit,
        parents={u.code: u.parent_code for u in units_in_file},
        levels={u.code: u.level for u in units_in_file},
        cells=statuses, values=values,
        # the report is dated by its data, so a rebuild from the warehouse is identical
        generated_at=(latest_arrival or due).astimezone(ZoneInfo(timezone)),
        targets={(c.code, p): t for c in cells for p in POPULATIONS
                 if (t := registry.target(c.code, year, p)) is not None},
        monthly_admissions=_monthly_admissions(session, expected, period),
        last_month=_earlier(session, expected, previous_period(period)),
        last_year=_earlier(session, expected, f"{year - 1:04d}{period[4:]}"),
        behind_pace_from=behind_pace_from(period, unit.level),
        age_bands=_age_bands(session, list(in_use), period),
        attention=_attention(session, list(in_use), period),
    )


def received_reports(session: Session, cells: set[str], period: str
                     ) -> dict[str, list[m.Submission]]:
    """Each cell's reports for the month, oldest first: one query for the whole district
    (one per cell made a 1,000-cell month a thousand round trips)."""
    found: dict[str, list[m.Submission]] = {}
    for sub in session.scalars(
            select(m.Submission).where(m.Submission.period == period,
                                       m.Submission.kind == CELL_REPORT,
                                       # an approved month shows what was approved
                                       m.Submission.status != "pending")
            .order_by(m.Submission.received_at, m.Submission.id)):
        if sub.unit_code in cells:
            found.setdefault(sub.unit_code, []).append(sub)
    return found


ID_CHUNK = 500  # ids or keys per IN (...) list, well under every database's limit


def in_chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    """``values`` in slices of ``ID_CHUNK``: one IN (...) list each."""
    for start in range(0, len(values), ID_CHUNK):
        yield values[start:start + ID_CHUNK]


def as_finding(row: m.Finding) -> Finding:
    """A stored finding as the rules and the reports use it."""
    return Finding(row.rule_id, row.sheet, row.row, row.column, row.message, row.severity)


def _rows_of(session: Session, model: type[Any], ids: Iterable[int], *where: Any,
             columns: Sequence[str] | None = None) -> Iterator[Any]:
    """The rows of ``model`` that belong to the submissions ``ids``, a few queries in all:
    plain rows of its table (read by column name), not ORM objects, which cost ~25 µs each
    to build — 4 s of a 1,000-cell month's report (docs/benchmarks.md). Only ``columns``
    when given (each date column is parsed per row on SQLite); each query's rows fetched
    at once rather than one by one."""
    table = model.__table__
    wanted = [table.c[name] for name in columns] if columns else [table]
    for chunk in in_chunks(list(ids)):
        yield from session.execute(select(*wanted).where(
            table.c.submission_id.in_(chunk), *where)).all()


def _in_use(session: Session, units: list[str], periods: list[str]) -> list[m.Submission]:
    """The accepted submission of each unit and month (at most one: newer ones supersede)."""
    if not units:
        return []
    return list(session.scalars(select(m.Submission).where(
        m.Submission.unit_code.in_(units), m.Submission.period.in_(periods),
        m.Submission.kind == CELL_REPORT, m.Submission.status == "accepted")))


def _monthly_admissions(session: Session, units: list[str], period: str,
                        ) -> dict[tuple[str, str, str], int]:
    year, month = int(period[:4]), int(period[5:])
    months = [f"{year:04d}-{mm:02d}" for mm in range(1, month + 1)]
    found: dict[tuple[str, str, str], int] = {}
    subs = {sub.id: sub for sub in _in_use(session, units, months)}
    for v in _rows_of(session, m.IndicatorValue, subs, m.IndicatorValue.indicator == "TH11",
                      m.IndicatorValue.breakdown == "tong"):
        sub = subs[v.submission_id]
        found[(sub.unit_code or "", v.population, sub.period or "")] = v.value
    return found


def _earlier(session: Session, units: list[str], period: str) -> dict[EarlierKey, int]:
    """The admissions (``ADMISSIONS``) of ``units`` in their accepted reports of an earlier
    ``period``: the submissions in force, as that month's report uses them."""
    subs = {sub.id: sub.unit_code or "" for sub in _in_use(session, units, [period])}
    return {(subs[v.submission_id], v.population, v.indicator): v.value
            for v in _rows_of(session, m.IndicatorValue, subs,
                              m.IndicatorValue.indicator.in_(ADMISSIONS),
                              m.IndicatorValue.breakdown == "tong")}


def _age_bands(session: Session, units: list[str], period: str,
               ) -> dict[tuple[str, str, str, str], int]:
    """People per (cell, population, AGE_GROUPS key, band), counted by the database: the
    bands are ranges of birth dates (``birth_cutoff``), so nothing here reads a roster row
    (reading 570,000 of them took 4 s of a 10,000-cell month's report)."""
    end, year = last_day(period), int(period[:4])
    unit_of = {sub.id: sub.unit_code or "" for sub in _in_use(session, units, [period])}
    roster = m.RosterFact.__table__.c
    band = case(*((and_(roster.birth_date <= birth_cutoff(end, low),
                         roster.birth_date > birth_cutoff(end, high + 1)), label)
                  for label, low, high in AGE_BANDS))
    groups = {"TH05": roster.stage.between(1, 6),
              "TH12": roster.decision_date.between(date(year, 1, 1), end)}
    counts = [func.sum(case((condition, 1), else_=0)) for condition in groups.values()]
    found: dict[tuple[str, str, str, str], int] = {}
    for chunk in in_chunks(list(unit_of)):
        for submission, population, label, *numbers in session.execute(
                select(roster.submission_id, roster.population, band, *counts)
                .where(roster.submission_id.in_(chunk), roster.birth_date.is_not(None),
                       roster.population.is_not(None))
                .group_by(roster.submission_id, roster.population, band)):
            for group, number in zip(groups, numbers, strict=True):
                if number and label is not None:
                    key = (unit_of[submission], population, group, label)
                    found[key] = found.get(key, 0) + number
    return found


def birth_cutoff(end: date, age: int) -> date:
    """The last birth date of someone ``age`` or older on ``end`` (29 February falls back
    to the 28th in a year without it)."""
    year = end.year - age
    try:
        return end.replace(year=year)
    except ValueError:
        return date(year, 2, 28)


ATTENTION_RULES = ("H04", "H05", "H06", "R07")


def _attention(session: Session, units: list[str], period: str) -> list[AttentionItem]:
    """Named candidates behind the warnings of stalling, overdue decisions and expiring
    certificates in this month's accepted reports: each finding with its roster row, a few
    joined queries in all (two per finding made a 1,000-cell month 1,000 round trips)."""
    subs = {sub.id: sub.unit_code or "" for sub in _in_use(session, units, [period])}
    items = []
    for chunk in in_chunks(sorted(subs)):
        for found in session.execute(
                select(m.Finding.submission_id, m.Finding.rule_id, m.Finding.message,
                       m.RosterFact.__table__)
                .join(m.RosterFact, (m.RosterFact.submission_id == m.Finding.submission_id)
                      & (m.RosterFact.excel_row == m.Finding.row))
                .where(m.Finding.submission_id.in_(chunk),
                       m.Finding.rule_id.in_(ATTENTION_RULES))
                .order_by(m.Finding.submission_id, m.Finding.id)):
            since = {"H04": found.stage_date, "H05": found.resolution_date or found.stage_date,
                     "H06": found.decision_date, "R07": found.cert_date}[found.rule_id]
            items.append(AttentionItem(subs[found.submission_id], found.full_name or "",
                                       found.birth_date, found.population, found.stage,
                                       since, found.rule_id, found.message))
    return sorted(items, key=lambda i: (i.unit_code, i.rule_id, i.full_name))


def unit_status(unit: Unit, subs: list[m.Submission], due: datetime, zone: ZoneInfo, *,
                cells: int | None = None) -> tuple[UnitStatus, m.Submission | None]:
    """What one expected unit did, from its submissions of the month (oldest first), and
    the submission in use. ``cells``: for a unit above the cells, its reporting cells in
    the registry (a cell's status carries none)."""
    counts = {} if cells is None else {"registry_cells": cells, "cells_expected": cells}
    if not subs:
        return UnitStatus(unit=unit, **counts), None
    in_use = next((s for s in subs if s.status == "accepted"), None)
    shown = in_use or subs[-1]
    first_valid = next((s for s in subs if s.error_count == 0), None)
    on_time = first_valid is not None and as_utc(first_valid.received_at) <= due
    return UnitStatus(
        unit=unit, received=True, accepted=in_use is not None, on_time=on_time,
        version=shown.version, received_at=as_utc(shown.received_at).astimezone(zone),
        errors=shown.error_count, warnings=shown.warning_count, **counts), in_use


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
    return previous.version, [as_finding(f) for f in rows]
