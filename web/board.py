"""The district officer's month board (issue 19, pages 1 and 8): every expected cell with its
status, the month's figures (each a link to its explanation), the BieuDo sheet's two charts
drawn as inline SVG, and the two buttons that start a run of the district's deployments —
the reminders due, the consolidation now — with a page that follows the run to its end.

What the board shows comes from services.district_board (the same queries and rows as the
reports); this module only places it: the routes, and the charts' geometry in pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from core.layout import INDICATORS, POPULATION_LABELS, POPULATIONS
from core.periods import previous_period
from flows.deployment import full_name, reminders_full_name
from services import district_board
from services.district_board import Charts, NoScheduler, RunView, SchedulerUnreachable
from web.common import NotFound, Officer, check_csrf, desk_of, month_or_404, officer_for
from web.officer import officer_page, open_month

router = APIRouter()

CsrfField = Annotated[str, Form(max_length=128)]

# What the officer reads when a run cannot be started or followed
NOT_INSTALLED = ("Chưa cài đặt lịch chạy tự động (cellreports serve) trên máy của huyện, nên "
                 "chưa chạy được thao tác này từ trang web. Đồng chí báo cán bộ kỹ thuật cài "
                 "đặt và khởi động dịch vụ lịch chạy, rồi thử lại.")
UNREACHABLE = ("Không kết nối được với dịch vụ lịch chạy tự động (Prefect). Đồng chí thử lại "
               "sau ít phút; nếu vẫn không được, xin báo cán bộ kỹ thuật.")
# the run page reloads itself this often (seconds) until the run has ended
REFRESH_SECONDS = 5


# ---------------------------------------------------------------- the board


def _district_officer(request: Request, unit_code: str) -> Officer:
    """The officer on a district's pages; the province's board is elsewhere (/tinh/)."""
    officer = officer_for(request, unit_code)
    if officer.at_province:
        raise NotFound
    return officer


def _acting_officer(request: Request, unit_code: str, csrf: str | None) -> Officer:
    """The district's own officer, with this page's form: nobody else starts a run."""
    officer = _district_officer(request, unit_code)
    if not officer.may_act:
        raise NotFound
    check_csrf(request, csrf)
    return officer


def next_period(period: str) -> str:
    year, month = int(period[:4]), int(period[5:])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


@router.get("/don-vi/{unit_code}/{period}", response_class=HTMLResponse)
def month_board(request: Request, unit_code: str, period: str,
                tinh_trang: str | None = None) -> Response:
    officer = _district_officer(request, unit_code)
    period = month_or_404(period)
    desk = desk_of(request)
    board = district_board.month_board(desk.settings, desk.registry, officer.scope.code,
                                       period, desk.now())
    chosen = tinh_trang if tinh_trang in district_board.STATUSES else None
    current = open_month(request)
    return officer_page(
        request, officer, "board.html", period, board=board, chosen=chosen,
        rows=board.shown(chosen), statuses=district_board.STATUSES,
        status_labels=district_board.STATUS_LABELS, indicators=INDICATORS,
        population_labels={**POPULATION_LABELS, "tong": "Cộng"},
        admissions=admissions_svg(board.charts), funnel=funnel_svg(board.charts),
        previous=previous_period(period),
        following=next_period(period) if period < current else None,
        is_open=period == current)


# ---------------------------------------------------------------- the buttons and the run


@router.post("/don-vi/{unit_code}/{period}/nhac-nho")
def send_reminders(request: Request, unit_code: str, period: str,
                   csrf: CsrfField = "") -> Response:
    """A run of the reminders deployment now: the reminders due today (the flow decides
    which, and sends each notice once)."""
    officer = _acting_officer(request, unit_code, csrf)
    period = month_or_404(period)
    settings = desk_of(request).settings
    return _started(request, officer, period, reminders_full_name(settings), {})


@router.post("/don-vi/{unit_code}/{period}/tong-hop")
def consolidate_now(request: Request, unit_code: str, period: str,
                    csrf: CsrfField = "") -> Response:
    """A run of the monthly deployment now, for this month."""
    officer = _acting_officer(request, unit_code, csrf)
    period = month_or_404(period)
    settings = desk_of(request).settings
    return _started(request, officer, period, full_name(settings), {"period": period})


def _started(request: Request, officer: Officer, period: str, deployment: str,
             parameters: dict[str, Any]) -> Response:
    try:
        run_id = district_board.start_run(deployment, parameters)
    except (NoScheduler, SchedulerUnreachable) as exc:
        return _problem(request, officer, period, exc)
    return RedirectResponse(f"/don-vi/{officer.scope.code}/luot-chay/{run_id}",
                            status_code=303)


def _problem(request: Request, officer: Officer, period: str, exc: Exception) -> Response:
    text = NOT_INSTALLED if isinstance(exc, NoScheduler) else UNREACHABLE
    return officer_page(request, officer, "run.html", period, 503, run=None, problem=text)


@router.get("/don-vi/{unit_code}/luot-chay/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, unit_code: str, run_id: str) -> Response:
    """A run the board started, its state until it ends (the page reloads itself)."""
    officer = _district_officer(request, unit_code)
    if not officer.may_act:
        raise NotFound
    settings = desk_of(request).settings
    period = open_month(request)
    try:
        run = district_board.read_run(run_id, [full_name(settings),
                                               reminders_full_name(settings)])
    except (NoScheduler, SchedulerUnreachable) as exc:
        return _problem(request, officer, period, exc)
    if run is None:
        raise NotFound
    shown = month_or_404(run.parameters["period"]) if run.parameters.get("period") else period
    return officer_page(request, officer, "run.html", shown, run=run, problem=None,
                        what=_what(run, settings.district_code, shown),
                        refresh=None if run.final else REFRESH_SECONDS)


def _what(run: RunView, district: str, period: str) -> str:
    if run.deployment.startswith("reminders/"):
        return f"Gửi nhắc nhở đến hạn ({district})"
    return f"Tổng hợp báo cáo tháng {period[5:]}/{period[:4]} ({district})"


# ---------------------------------------------------------------- the charts' geometry


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    css: str  # the population's class: its colour is in board.css
    title: str  # what the bar is, read by a screen reader and shown on hover


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class AdmissionsSvg:
    width: int
    height: int
    left: int
    top: int
    right: int  # x of the plot's right edge
    bottom: int  # y of the plot's bottom edge (the zero line)
    bars: list[Rect]
    running: str  # the running total's polyline points
    dots: list[Label]  # each month's running total, at its point
    pace: tuple[float, float, float, float]  # the target line: x1, y1, x2, y2
    target: int
    y_ticks: list[Label]
    x_ticks: list[Label]


@dataclass(frozen=True)
class FunnelSvg:
    width: int
    height: int
    left: int
    bars: list[Rect]
    labels: list[Label]  # the stages, right-aligned before the bars
    totals: list[Label]  # each stage's total after its bar


def nice_step(top: float, ticks: int = 5) -> int:
    """A whole step of 1, 2 or 5 × 10ⁿ giving about ``ticks`` ticks up to ``top``."""
    raw = max(top / ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    return int(next(m * power for m in (1, 2, 5, 10) if m * power >= raw))


ADM_W, ADM_H, ADM_LEFT, ADM_RIGHT, ADM_TOP, ADM_BOTTOM = 680, 320, 56, 16, 20, 44


def admissions_svg(charts: Charts) -> AdmissionsSvg:
    """Admissions month by month (stacked by population), their running total and the
    target's pace (target × month / 12), on the twelve months of the year."""
    plot_w, plot_h = ADM_W - ADM_LEFT - ADM_RIGHT, ADM_H - ADM_TOP - ADM_BOTTOM
    band = plot_w / 12
    end = charts.pace(12.5)  # the line runs to the plot's right edge (month 12.5)
    top = max([end, *charts.running, *charts.monthly_totals, 1]) * 1.1
    base = ADM_TOP + plot_h

    def x(month: float) -> float:
        return ADM_LEFT + band * (month - 0.5)

    def y(value: float) -> float:
        return round(base - value / top * plot_h, 1)

    bars = []
    for i, month in enumerate(charts.months):
        stacked = 0
        for population in POPULATIONS:
            value = charts.monthly[population][i]
            if value:
                bars.append(Rect(round(x(month) - band * 0.3, 1), y(stacked + value),
                                 round(band * 0.6, 1), round(value / top * plot_h, 1),
                                 population, f"Tháng {month}, "
                                 f"{POPULATION_LABELS[population].lower()}: {value}"))
            stacked += value
    points = [(round(x(m), 1), y(v)) for m, v in zip(charts.months, charts.running,
                                                      strict=True)]
    step = nice_step(top)
    return AdmissionsSvg(
        ADM_W, ADM_H, ADM_LEFT, ADM_TOP, ADM_W - ADM_RIGHT, base, bars,
        " ".join(f"{px},{py}" for px, py in points),
        [Label(px, py, str(v)) for (px, py), v in zip(points, charts.running, strict=True)],
        (ADM_LEFT, y(charts.pace(0.5)), ADM_W - ADM_RIGHT, y(end)), charts.target,
        [Label(ADM_LEFT - 6, y(v), str(v)) for v in range(0, int(top) + 1, step)],
        [Label(round(x(m), 1), base + 18, f"T{m}") for m in range(1, 13)])


FUN_W, FUN_LEFT, FUN_RIGHT, FUN_ROW, FUN_TOP = 720, 310, 56, 34, 8


def funnel_svg(charts: Charts) -> FunnelSvg:
    """The stages of the district, first on top, each bar stacked by population."""
    totals = charts.funnel_totals
    scale = (FUN_W - FUN_LEFT - FUN_RIGHT) / max([*totals, 1])
    bars, labels, ends = [], [], []
    for i, (code, label) in enumerate(charts.stages):
        top = FUN_TOP + i * FUN_ROW
        left = float(FUN_LEFT)
        for population in POPULATIONS:
            value = charts.funnel[population][i]
            if value:
                bars.append(Rect(round(left, 1), top + 4, round(value * scale, 1),
                                 FUN_ROW - 10, population,
                                 f"{label} ({code}), {POPULATION_LABELS[population].lower()}: "
                                 f"{value}"))
            left += value * scale
        labels.append(Label(FUN_LEFT - 8, top + FUN_ROW / 2 + 2, label))
        ends.append(Label(round(left + 6, 1), top + FUN_ROW / 2 + 2, str(totals[i])))
    return FunnelSvg(FUN_W, FUN_TOP + len(charts.stages) * FUN_ROW + 8, FUN_LEFT, bars,
                     labels, ends)
