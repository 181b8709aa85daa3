"""Lineage: where a figure of a report comes from — which submission versions, and for
the roster indicators which roster rows. Recomputed from the stored rows with the same
functions that made the figure (core.counts, core.figures), so it cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.counts import row_indicators
from core.errors import CellreportsError
from core.figures import BREAKDOWN_FILTERS
from core.kinds import CELL_REPORT, DISTRICT_DATA
from core.layout import POPULATIONS, ROSTER_INDICATORS
from core.registry import REPORTING_LEVEL, Registry
from warehouse import models as m


class UnknownFigure(CellreportsError):
    """The unit, month or indicator asked about is not one the reports hold."""

    heading = "Unknown figure"
    exit_code = 2


@dataclass(frozen=True)
class RowSource:
    excel_row: int
    stt: int | None
    full_name: str | None
    stage: int | None


@dataclass(frozen=True)
class Source:
    """One submission version that contributes to the figure."""

    unit_code: str
    submission_id: int
    version: int | None
    filename: str
    sha256: str
    received_at: datetime
    value: int
    where: str  # the sheet the value was taken from
    rows: tuple[RowSource, ...] = ()


@dataclass
class Explanation:
    unit_code: str
    period: str
    population: str
    indicator: str
    breakdown: str
    sources: list[Source] = field(default_factory=list)
    registry_count: int | None = None  # REPORTS_EXPECTED: counted in the unit registry

    @property
    def value(self) -> int:
        if self.registry_count is not None:
            return self.registry_count
        return sum(s.value for s in self.sources)


def explain(session: Session, registry: Registry, unit_code: str, period: str,
            population: str, indicator: str, breakdown: str = "tong") -> Explanation:
    """The figure ``(population, indicator, breakdown)`` of ``unit_code``'s month: a cell's
    own accepted version, or the sum over the cells (or districts) a unit consolidates."""
    unit = registry.get(unit_code)
    if unit is None:
        raise UnknownFigure(f"unit {unit_code!r} is not in the registry")
    found = Explanation(unit_code, period, population, indicator, breakdown)
    cells = [unit.code] if unit.level == REPORTING_LEVEL else \
        [c.code for c in registry.reporting_cells(unit_code, period)]
    if indicator == "REPORTS_EXPECTED":
        found.registry_count = len(cells)  # the registry, not any submission
        return found
    if indicator == "REPORTS_ACCEPTED":
        found.sources = [_source(sub, 1, "—") for sub in
                         _in_use(session, cells, period, CELL_REPORT)]
        return found
    if indicator.startswith("REPORTS_"):
        raise UnknownFigure(f"{indicator} is counted from arrival times against the deadline: "
                            "see the status sheet of the district report")
    populations = POPULATIONS if population == "tong" else (population,)
    found.sources = _cell_sources(session, cells, period, populations, indicator, breakdown)
    if not found.sources and unit.level != REPORTING_LEVEL:
        # a province: its figures come from the districts' data files
        found.sources = _district_sources(session, registry, unit_code, period, population,
                                          indicator, breakdown)
    return found


def _in_use(session: Session, units: list[str], period: str, kind: str) -> list[m.Submission]:
    return list(session.scalars(select(m.Submission).where(
        m.Submission.unit_code.in_(units), m.Submission.period == period,
        m.Submission.kind == kind, m.Submission.status == "accepted")
        .order_by(m.Submission.unit_code)))


def _cell_sources(session: Session, cells: list[str], period: str,
                  populations: tuple[str, ...], indicator: str,
                  breakdown: str) -> list[Source]:
    sources = []
    for sub in _in_use(session, cells, period, CELL_REPORT):
        values = list(session.scalars(select(m.IndicatorValue.value).where(
            m.IndicatorValue.submission_id == sub.id,
            m.IndicatorValue.population.in_(populations),
            m.IndicatorValue.indicator == indicator, m.IndicatorValue.breakdown == breakdown)))
        if len(values) != len(populations):
            raise UnknownFigure(f"{'+'.join(populations)}/{indicator}/{breakdown} is not a "
                                "figure of the cells' reports")
        rows: tuple[RowSource, ...] = ()
        if indicator in ROSTER_INDICATORS:
            rows = _counted_rows(session, sub.id, period, populations, indicator, breakdown)
        where = "DanhSach" if indicator in ROSTER_INDICATORS else "TongHop"
        sources.append(_source(sub, sum(values), where, rows))
    return sources


def _source(sub: m.Submission, value: int, where: str,
            rows: tuple[RowSource, ...] = ()) -> Source:
    return Source(sub.unit_code or "", sub.id, sub.version, sub.filename, sub.sha256,
                  sub.received_at, value, where, rows)


def _counted_rows(session: Session, submission_id: int, period: str,
                  populations: tuple[str, ...], indicator: str,
                  breakdown: str) -> tuple[RowSource, ...]:
    keep = BREAKDOWN_FILTERS.get(breakdown, lambda _row: True)
    facts = session.scalars(select(m.RosterFact).where(
        m.RosterFact.submission_id == submission_id).order_by(m.RosterFact.excel_row))
    return tuple(RowSource(f.excel_row, f.stt, f.full_name, f.stage) for f in facts
                 if f.population in populations and keep(f)  # type: ignore[arg-type]
                 and indicator in row_indicators(f, period))  # type: ignore[arg-type]


def _district_sources(session: Session, registry: Registry, province: str, period: str,
                      population: str, indicator: str, breakdown: str) -> list[Source]:
    districts = [u.code for u in registry.units.values() if u.parent_code == province]
    sources = []
    for sub in _in_use(session, districts, period, DISTRICT_DATA):
        value = session.scalar(select(m.ReportedValue.value).where(
            m.ReportedValue.submission_id == sub.id,
            m.ReportedValue.unit_code == sub.unit_code,
            m.ReportedValue.population == population, m.ReportedValue.indicator == indicator,
            m.ReportedValue.breakdown == breakdown))
        if value is not None:
            sources.append(_source(sub, value, "data file"))
    return sources
