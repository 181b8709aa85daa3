"""What the province's board shows (issue 19, page 7): each district's (or commune's) data
file of the month, its status and checks, the provincial report's files and its figures.

Everything is read through the same query the provincial workbook and the province's data
file are built from (``warehouse.province_queries.province_month``) and the rows of that
data file (``reports.province_export.province_export_rows``), in one unit of work: the
board cannot show a figure or a status the report does not. Only the files the report log
recorded for the province's month are ever served.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.export_format import EXPORT_POPULATIONS, TOTAL
from core.findings import Finding
from core.layout import INDICATOR_CODES, POPULATION_LABELS
from core.month import FILE_REJECTED, HAS_DATA, NO_CELLS, NO_DATA_REASONS, NO_FILE, UnitStatus
from core.province_month import ProvinceMonth
from core.registry import Registry, Unit
from core.settings import PROVINCE, Settings
from reports.coverage import no_data_text, total_label
from reports.province_export import province_export_rows
from services.reporting import deadline_day, level_below
from warehouse import report_log
from warehouse.models import ReportBuild
from warehouse.province_queries import province_month, shown_files
from warehouse.queries import as_utc, deadline
from warehouse.unit_of_work import Warehouse

# What each recorded output of the province's month is, as the officer reads it, in the
# order the board lists them (the kinds services.reporting.write_province_outputs records).
FILE_LABELS = {
    "workbook": "Báo cáo tổng hợp của tỉnh (Excel)",
    "word": "Báo cáo của tỉnh (Word, bản dự thảo để ký)",
    "data_csv": "Tệp dữ liệu của tỉnh (CSV)",
    "data_json": "Tệp dữ liệu của tỉnh (JSON)",
}
ON_TIME_LABEL, LATE_LABEL = "Đã nhận hợp lệ", "Nộp muộn"
STATE_LABELS = {
    NO_CELLS: NO_DATA_REASONS[NO_CELLS].capitalize(),
    FILE_REJECTED: "Bị trả lại",
    NO_FILE: "Chưa gửi",
}


@dataclass(frozen=True)
class DataFile:
    """The data file a unit's status is drawn from: its name and its checks' findings."""

    filename: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class DistrictLine:
    """One expected district (commune) of the month, as the board's status table shows it."""

    status: UnitStatus
    label: str  # đã nhận hợp lệ / nộp muộn / bị trả lại / chưa gửi / no cell with data
    overdue: bool  # nothing valid yet, and the deadline has passed
    file: DataFile | None

    @property
    def unit(self) -> Unit:
        return self.status.unit

    @property
    def state(self) -> str:
        return self.status.state


@dataclass(frozen=True)
class FigureLine:
    """One population of a unit in the figures table: TH01–TH15 in code order."""

    population: str
    label: str  # Học sinh / Viên chức / Cộng
    values: tuple[int, ...]


@dataclass(frozen=True)
class FigureGroup:
    """A unit's lines of the figures table (a district, or the province's totals); no
    lines when it has no valid data, ``reason`` saying so as the workbook does."""

    unit: Unit
    label: str  # the unit's name, or the province's, with its coverage when partial
    lines: tuple[FigureLine, ...]
    reason: str = ""
    total: bool = False  # the province's totals


@dataclass(frozen=True)
class ReportFile:
    """An output of the province's month recorded in the report log, on disk now."""

    kind: str
    label: str
    name: str
    built_at: datetime  # local time of the recorded version
    size: int


@dataclass(frozen=True)
class ProvinceBoard:
    period: str
    province: Unit
    deadline: datetime  # local: the last moment a district's file counts as on time
    past_deadline: bool
    lines: list[DistrictLine]
    with_data: int  # districts with valid data
    on_time: int  # districts whose first valid file arrived by the deadline
    received: int  # districts that sent any file
    cells: dict[str, int]  # the province's REPORTS_EXPECTED / _ACCEPTED / _ON_TIME
    figures: list[FigureGroup]
    missing: list[tuple[UnitStatus, str]]  # districts without valid data, and why
    files: list[ReportFile]

    @property
    def expected(self) -> int:
        return len(self.lines)


def board(settings: Settings, registry: Registry, province: str, period: str,
          now: datetime) -> ProvinceBoard:
    """The province's month as of ``now``: read in one session, with the provincial
    workbook's own query and the province data file's own rows."""
    zone = ZoneInfo(settings.timezone)
    day = deadline_day(settings, period, level_below(registry, province, period))
    due = deadline(period, day, settings.timezone)
    past = now.astimezone(zone) > due
    with Warehouse.of(settings).session() as session:
        data = province_month(session, registry, province, period, deadline_day=day,
                              timezone=settings.timezone)
        files = _data_files(session, data, period)
        recorded = report_log.builds(session, province, period)
    rows = {(r["unit_code"], r["population"], r["indicator"], r["breakdown"]): int(r["value"])
            for r in province_export_rows(data)}
    lines = [_line(s, files.get(s.unit.code), past) for s in data.by_code()]
    return ProvinceBoard(
        period=period, province=data.unit, deadline=due.astimezone(zone), past_deadline=past,
        lines=lines, with_data=len(data.with_data()),
        on_time=sum(1 for s in data.districts if s.accepted and s.on_time),
        received=sum(1 for s in data.districts if s.received),
        cells={i: rows[(province, TOTAL, i, TOTAL)]
               for i in ("REPORTS_EXPECTED", "REPORTS_ACCEPTED", "REPORTS_ON_TIME")},
        figures=_figures(data, rows),
        missing=[(s, NO_DATA_REASONS[s.state]) for s in data.missing()],
        files=_report_files(settings, period, recorded, zone))


def _data_files(session: Session, data: ProvinceMonth, period: str) -> dict[str, DataFile]:
    """The data file each district's status is drawn from (in use, else its latest: a
    rejected one too), with the findings validations/export_checks.py left on it."""
    return {code: DataFile(f.filename, f.findings) for code, f in
            shown_files(session, [d.unit.code for d in data.districts], period).items()}


def _line(status: UnitStatus, file: DataFile | None, past: bool) -> DistrictLine:
    if status.state == HAS_DATA:
        label = ON_TIME_LABEL if status.on_time else LATE_LABEL
    else:
        label = STATE_LABELS[status.state]
    return DistrictLine(status, label, overdue=past and not status.accepted, file=file)


def _figures(data: ProvinceMonth, rows: dict[tuple[str, str, str, str], int],
             ) -> list[FigureGroup]:
    """Each district's lines (học sinh, viên chức, cộng) or its "no valid data" reason, by
    code, then the province's totals: all read from the province data file's rows."""
    found: list[FigureGroup] = []
    for status in data.by_code():
        unit = status.unit
        if status.has_data:
            found.append(FigureGroup(unit, total_label(unit.name, status.cells_accepted or 0,
                                                       status.cells_expected),
                                     _lines(rows, unit.code)))
        else:
            found.append(FigureGroup(unit, unit.name, (),
                                     no_data_text(NO_DATA_REASONS[status.state])))
    top = data.unit
    label = total_label(f"Toàn tỉnh — {top.name}", len(data.with_data()), len(data.districts))
    if not data.with_data():
        return [*found, FigureGroup(top, label, (), no_data_text(), total=True)]
    return [*found, FigureGroup(top, label, _lines(rows, top.code), total=True)]


def _lines(rows: dict[tuple[str, str, str, str], int], code: str) -> tuple[FigureLine, ...]:
    return tuple(FigureLine(p, "Cộng" if p == TOTAL else POPULATION_LABELS[p],
                            tuple(rows[(code, p, i, TOTAL)] for i in INDICATOR_CODES))
                 for p in EXPORT_POPULATIONS)


def _report_files(settings: Settings, period: str, recorded: list[ReportBuild], zone: ZoneInfo,
                  ) -> list[ReportFile]:
    """The latest recorded version of each output kind whose file is in the month's
    folder now (a version only in history/ is the reports page's business)."""
    latest = {b.kind: b for b in recorded}  # builds come oldest first: the last one wins
    found = []
    for kind, label in FILE_LABELS.items():
        build = latest.get(kind)
        path = _live(settings, period, build.file_name) if build is not None else None
        if build is not None and path is not None:
            found.append(ReportFile(kind, label, build.file_name,
                                    as_utc(build.built_at).astimezone(zone),
                                    path.stat().st_size))
    return found


def report_file(settings: Settings, province: str, period: str, name: str) -> Path | None:
    """The province's output of the month called ``name``, if the report log recorded a
    file of that exact name for it and it is on disk; else None. The path is built from
    the recorded name, never from the request."""
    with Warehouse.of(settings).session() as session:
        names = {b.file_name for b in report_log.builds(session, province, period)}
    recorded = next((n for n in names if n == name), None)
    return _live(settings, period, recorded) if recorded is not None else None


def _live(settings: Settings, period: str, name: str) -> Path | None:
    folder = settings.paths(PROVINCE).reports / period
    path = folder / name
    # a recorded name is a plain file name; anything else is not the report log's file
    if path.parent != folder or not path.is_file():
        return None
    return path
