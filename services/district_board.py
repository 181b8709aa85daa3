"""What the district officer's month board shows: every expected cell with its status, the
month's figures, the two charts of the report's BieuDo sheet, and the Prefect runs the
board starts (the reminders due, the consolidation now).

Nothing here computes a figure of its own: the statuses are ``month_data``'s (the district
workbook's), the figures and the counts are the rows of the upward data file
(``export_rows``), the charts' numbers are those of ``reports.charts``. The board cannot
disagree with the reports because it reads what they are made from, the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from core.errors import CellreportsError
from core.export_format import REPORTS_INDICATORS, TOTAL
from core.layout import POPULATIONS
from core.month import MonthData, UnitStatus
from core.registry import Registry, Unit
from core.settings import Settings
from reports.charts import (
    FUNNEL_STAGES,
    annual_target,
    funnel_values,
    monthly_values,
    running_total,
)
from reports.export import export_rows
from services.reporting import deadline_day
from warehouse.queries import deadline, month_data
from warehouse.unit_of_work import Warehouse

# A cell's status on the board, one of four (the filter's values in the query string)
ON_TIME, REJECTED, NOT_SENT, LATE = "da-nhan", "bi-tra-lai", "chua-gui", "nop-muon"
STATUSES = (ON_TIME, REJECTED, NOT_SENT, LATE)
STATUS_LABELS = {ON_TIME: "Đã nhận", REJECTED: "Bị trả lại", NOT_SENT: "Chưa gửi",
                 LATE: "Nộp muộn"}

# the reminders flow's marker of one notice: ``<period>-<unit>-reminder-<YYYYMMDD>.sent``
# (flows/reminders.py, ``remind``): one file per reminder sent, named by the day it went
REMINDER_MARKER = re.compile(r"^(\d{4}-\d{2})-(.+)-reminder-(\d{8})\.sent$")


@dataclass(frozen=True)
class CellRow:
    """One expected cell of the month as the board lists it."""

    unit: Unit
    status: str  # one of STATUSES
    detail: str  # what the status means for this cell, in Vietnamese
    accepted: bool
    version: int | None
    received_at: datetime | None  # local time (the settings' zone)
    errors: int
    warnings: int
    last_reminder: date | None


@dataclass(frozen=True)
class Charts:
    """The numbers of the BieuDo sheet's two charts (reports/charts.py)."""

    months: list[int]  # 1 .. this month
    monthly: dict[str, list[int]]  # population -> admissions (TH11) of each month
    running: list[int]  # the running total of both populations, month by month
    target: int  # the year's target of every expected cell, both populations
    stages: list[tuple[str, str]]  # (indicator, label) of the funnel, top to bottom
    funnel: dict[str, list[int]]  # population -> district totals of the stages
    has_data: bool  # any accepted report: without one the charts would draw zeros as data

    @property
    def funnel_totals(self) -> list[int]:
        return [sum(v) for v in zip(*self.funnel.values(), strict=True)]

    @property
    def monthly_totals(self) -> list[int]:
        return [sum(v) for v in zip(*self.monthly.values(), strict=True)]

    def pace(self, month: int) -> float:
        """Where the target line stands at the end of ``month`` (target × month / 12)."""
        return self.target * month / 12


@dataclass(frozen=True)
class Board:
    """The month at a glance for the district officer."""

    period: str
    unit: Unit
    deadline: datetime  # the cells' deadline, local, the last moment that is on time
    deadline_passed: bool
    cells: list[CellRow]
    expected: int  # REPORTS_EXPECTED of the data file
    accepted: int  # REPORTS_ACCEPTED
    on_time: int  # REPORTS_ON_TIME
    columns: list[tuple[Unit, tuple[str, ...]]]  # the figures' units and their populations
    # (unit, population, indicator) -> value, breakdown "tong": rows of the upward data file
    figures: dict[tuple[str, str, str], int]
    charts: Charts
    counts: dict[str, int] = field(default_factory=dict)  # status -> cells

    def shown(self, status: str | None) -> list[CellRow]:
        """The cells of one status (all of them for none, or for one that is not a status)."""
        if status not in STATUSES:
            return self.cells
        return [c for c in self.cells if c.status == status]


def month_board(settings: Settings, registry: Registry, unit_code: str, period: str,
                now: datetime) -> Board:
    """The board of ``unit_code``'s month as it stands at ``now``."""
    day = deadline_day(settings, period)
    with Warehouse.of(settings).session() as session:
        month = month_data(session, registry, unit_code, period, deadline_day=day,
                           timezone=settings.timezone)
    due = deadline(period, day, settings.timezone)
    passed = now > due
    reminded = last_reminders(settings.data_dir / "reminders", period)
    cells = [_row(s, passed, reminded.get(s.unit.code)) for s in month.cells]
    rows = export_rows(month)
    totals = {r["indicator"]: int(r["value"]) for r in rows
              if r["indicator"] in REPORTS_INDICATORS}
    return Board(
        period=period, unit=month.unit, deadline=due, deadline_passed=passed, cells=cells,
        expected=totals["REPORTS_EXPECTED"], accepted=totals["REPORTS_ACCEPTED"],
        on_time=totals["REPORTS_ON_TIME"], columns=_columns(month),
        figures={(r["unit_code"], r["population"], r["indicator"]): int(r["value"])
                 for r in rows if r["breakdown"] == TOTAL
                 and r["indicator"] not in REPORTS_INDICATORS},
        charts=charts_of(month),
        counts={s: sum(1 for c in cells if c.status == s) for s in STATUSES})


def _columns(month: MonthData) -> list[tuple[Unit, tuple[str, ...]]]:
    """The district (both populations and their sum) first, then each accepted cell by code,
    as the data file orders them; a cell without an accepted report has no figures."""
    cells = sorted((c.unit for c in month.cells if c.accepted), key=lambda u: u.code)
    return [(month.unit, (*POPULATIONS, TOTAL)), *((u, POPULATIONS) for u in cells)]


def cell_status(status: UnitStatus, deadline_passed: bool) -> tuple[str, str]:
    """The board's status of one cell and what it means. Late: accepted, but its first valid
    version came after the deadline; or nothing sent and the deadline has passed."""
    if status.accepted and status.on_time:
        return ON_TIME, "Đã nhận, đúng hạn"
    if status.accepted:
        return LATE, "Nộp muộn (đã nhận sau hạn)"
    if status.received:
        return REJECTED, "Bị trả lại, chờ chi bộ gửi lại"
    if deadline_passed:
        return LATE, "Nộp muộn (chưa gửi, đã quá hạn)"
    return NOT_SENT, "Chưa gửi"


def _row(status: UnitStatus, deadline_passed: bool, reminded: date | None) -> CellRow:
    key, detail = cell_status(status, deadline_passed)
    return CellRow(status.unit, key, detail, status.accepted, status.version,
                   status.received_at, status.errors, status.warnings, reminded)


def last_reminders(folder: Path, period: str) -> dict[str, date]:
    """Each cell's last reminder of the month, from the reminders flow's marker files."""
    found: dict[str, date] = {}
    if not folder.is_dir():
        return found
    for path in folder.glob(f"{period}-*-reminder-*.sent"):
        match = REMINDER_MARKER.match(path.name)
        if match is None or match.group(1) != period:
            continue
        try:
            day = datetime.strptime(match.group(3), "%Y%m%d").date()
        except ValueError:
            continue  # not a marker the flow wrote
        unit = match.group(2)
        found[unit] = max(found.get(unit, day), day)
    return found


def charts_of(month: MonthData) -> Charts:
    """The BieuDo sheet's numbers, by the functions that draw its images."""
    monthly = monthly_values(month)
    return Charts(months=list(range(1, int(month.period[5:7]) + 1)), monthly=monthly,
                  running=running_total(monthly), target=annual_target(month),
                  stages=list(FUNNEL_STAGES), funnel=funnel_values(month),
                  has_data=any(c.accepted for c in month.cells))


# ---------------------------------------------------------------- runs of the deployments


class NoScheduler(CellreportsError):
    """The deployment is not registered on a Prefect server (``cellreports serve`` has not
    run), or no Prefect server is configured for this process."""

    heading = "Not scheduled"
    exit_code = 2


class SchedulerUnreachable(CellreportsError):
    """The Prefect server of ``PREFECT_API_URL`` did not answer."""

    heading = "Prefect unreachable"
    exit_code = 3


# Prefect's state types, as the officer reads them (a Scheduled run past its time is "Late")
STATE_LABELS = {"SCHEDULED": "Đang chờ", "PENDING": "Đang chờ", "RUNNING": "Đang chạy",
                "COMPLETED": "Hoàn thành", "FAILED": "Lỗi", "CRASHED": "Lỗi",
                "CANCELLED": "Bị huỷ", "CANCELLING": "Bị huỷ", "PAUSED": "Tạm dừng"}
LATE_LABEL = "Trễ"
FINAL_STATES = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")


@dataclass(frozen=True)
class RunView:
    """A flow run of one of the district's deployments, as its page shows it."""

    id: str
    name: str
    deployment: str  # ``flow/deployment``
    parameters: dict[str, Any]
    state_type: str
    state_name: str

    @property
    def state_label(self) -> str:
        if self.state_type == "SCHEDULED" and self.state_name == "Late":
            return LATE_LABEL
        return STATE_LABELS.get(self.state_type, self.state_name)

    @property
    def final(self) -> bool:
        return self.state_type in FINAL_STATES


def _api_configured() -> None:
    """NoScheduler without a Prefect server to ask: Prefect would otherwise start a
    temporary server of its own for this request, one that knows no deployment."""
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        raise NoScheduler("PREFECT_API_URL is not set")


def _unreachable(exc: Exception) -> bool:
    """No answer, or a server (or the proxy before it) that failed to give one."""
    import httpx

    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code >= 500
    return isinstance(exc, httpx.TransportError | OSError)


def start_run(deployment: str, parameters: dict[str, Any]) -> str:
    """A new run of ``deployment`` (``flow/deployment``) now, not waited for; its id."""
    _api_configured()
    from prefect.deployments import run_deployment
    from prefect.exceptions import ObjectNotFound

    try:
        run = run_deployment(deployment, parameters=parameters, timeout=0,
                             as_subflow=False)
    except ObjectNotFound as exc:
        raise NoScheduler(f"{deployment} is not registered") from exc
    except Exception as exc:
        if _unreachable(exc):
            raise SchedulerUnreachable(str(exc)) from exc
        raise
    return str(run.id)


def read_run(run_id: str, deployments: list[str]) -> RunView | None:
    """The run ``run_id`` if it is a run of one of ``deployments`` (``flow/deployment``),
    else None: a run of another flow or unit is none of this page's business."""
    try:
        wanted = UUID(run_id)
    except ValueError:
        return None
    _api_configured()
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    try:
        with get_client(sync_client=True) as client:
            try:
                run = client.read_flow_run(wanted)
            except ObjectNotFound:
                return None
            names = _deployment_ids(client, deployments)
    except Exception as exc:
        if _unreachable(exc):
            raise SchedulerUnreachable(str(exc)) from exc
        raise
    name = names.get(run.deployment_id) if run.deployment_id else None
    if name is None:
        return None
    state = run.state
    return RunView(str(run.id), run.name, name, dict(run.parameters or {}),
                   state.type.value if state else "PENDING",
                   state.name if state else "Pending")


def _deployment_ids(client: Any, deployments: list[str]) -> dict[UUID, str]:
    from prefect.exceptions import ObjectNotFound

    found: dict[UUID, str] = {}
    for name in deployments:
        try:
            found[client.read_deployment_by_name(name).id] = name
        except ObjectNotFound:
            continue
    return found
