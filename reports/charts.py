"""Sheet BieuDo of the district workbook: two charts drawn by matplotlib as PNG images.

1. The stage funnel: district totals of TH05–TH10 and TH14, students and staff stacked.
2. Admissions month by month (TH11 of each month, students and staff), their running
   total, and the target pace line: the accepted cells' annual targets × month / 12.

The PNGs are deterministic — the Agg renderer, a fixed size and resolution, the DejaVu
Sans font that ships with matplotlib (it has the Vietnamese letters) and no "Software"
stamp — so the same MonthData gives the same bytes, and the same workbook.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING

from openpyxl.drawing.image import Image
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from core.layout import POPULATION_LABELS, POPULATIONS
from core.month import MonthData
from reports.cells import Style, put_merged, set_widths
from reports.coverage import NO_DATA, coverage_note
from reports.export import accepted_cells, unit_value
from reports.sheetstyle import LEFT_WRAP, font, note, print_setup, write_sheet_title

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SHEET_CHARTS = "BieuDo"
CHARTS_TITLE = "BIỂU ĐỒ PHÁT TRIỂN ĐẢNG VIÊN"

# The funnel's stages, top to bottom, with short Vietnamese labels.
FUNNEL_STAGES = (
    ("TH05", "Quần chúng cảm tình đảng"),
    ("TH06", "Được phân công giúp đỡ"),
    ("TH07", "Có GCN bồi dưỡng nhận thức về Đảng"),
    ("TH08", "Khai lý lịch, hoàn thiện hồ sơ"),
    ("TH09", "Thẩm tra, xác minh lý lịch"),
    ("TH10", "Chi bộ đề nghị kết nạp"),
    ("TH14", "Đảng viên dự bị"),
)
COLOURS = {"hoc_sinh": "#c0392b", "vien_chuc": "#e6a23c"}
TOTAL_COLOUR, PACE_COLOUR = "#1f3b73", "#555555"

FIGURE_SIZE = (9.0, 4.2)   # inches
DPI = 110                  # 990 × 462 pixels
# Printed on A4 landscape at the sheet's own size: the image (700 px, 185 mm) stays within
# the columns where a unit of width is narrowest (~1.9 mm: 101 units, 192 mm), and the
# columns within the page where it is widest (2.47 mm: 250 of 257 mm; sheetstyle).
SHOWN_WIDTH = 700          # pixels on the sheet
COLUMN_WIDTH, COLUMNS = 9.2, 11
ROW_PIXELS = 20            # a default row of 15 points
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "cellreports",
    "path.simplify": True,
}


@contextmanager
def _figure() -> Iterator[Figure]:
    # matplotlib (~1 s to import) is imported when a chart is drawn: a run whose reports
    # are current (services.reporting) draws none
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with matplotlib.rc_context(RC):
        figure = Figure(figsize=FIGURE_SIZE, dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        yield figure


def integer_ticks() -> object:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def short_month(period: str) -> str:
    return f"{int(period[5:7])}/{period[:4]}"


# ---------------------------------------------------------------- the data


def funnel_values(month: MonthData) -> dict[str, list[int]]:
    """population -> district totals of FUNNEL_STAGES (accepted cells)."""
    codes = [c.unit.code for c in accepted_cells(month)]
    return {p: [unit_value(month, codes, p, code, "tong") for code, _ in FUNNEL_STAGES]
            for p in POPULATIONS}


def monthly_values(month: MonthData) -> dict[str, list[int]]:
    """population -> admissions of months 1..this month (accepted cells)."""
    codes = {c.unit.code for c in accepted_cells(month)}
    year, last = month.period[:4], int(month.period[5:7])
    return {p: [sum(v for (code, pop, period), v in month.monthly_admissions.items()
                    if code in codes and pop == p and period == f"{year}-{m:02d}")
                for m in range(1, last + 1)]
            for p in POPULATIONS}


def annual_target(month: MonthData) -> int:
    """The annual targets of every expected cell, both populations: a report rejected this
    month does not lower the line the admissions are measured against."""
    codes = {c.unit.code for c in month.cells}
    return sum(t for (code, _), t in month.targets.items() if code in codes)


def running_total(values: dict[str, list[int]]) -> list[int]:
    totals, running = [], 0
    for month_values in zip(*values.values(), strict=True):
        running += sum(month_values)
        totals.append(running)
    return totals


# ---------------------------------------------------------------- the charts


def funnel_png(month: MonthData) -> bytes:
    values = funnel_values(month)
    title = (f"Các bước phát triển đảng viên – {month.unit.name}, tháng "
             f"{short_month(month.period)}")
    return draw_funnel(title, tuple(tuple(values[p]) for p in POPULATIONS))


def admissions_png(month: MonthData) -> bytes:
    values = monthly_values(month)
    title = (f"Kết nạp đảng viên năm {month.period[:4]} so với tiến độ chỉ tiêu "
             f"(đến tháng {short_month(month.period)})")
    return draw_admissions(title, tuple(tuple(values[p]) for p in POPULATIONS),
                           annual_target(month))


# A chart is a pure function of its few numbers and its title, and drawing one costs
# ~0.2 s: a month rebuilt (a run again, a reopen, the desk) draws the same charts again.
@lru_cache(maxsize=64)
def draw_funnel(title: str, by_population: tuple[tuple[int, ...], ...]) -> bytes:
    values = dict(zip(POPULATIONS, by_population, strict=True))
    labels = [label for _, label in FUNNEL_STAGES]
    positions = list(range(len(labels)))[::-1]  # first stage on top
    totals = [sum(v) for v in zip(*values.values(), strict=True)]
    with _figure() as figure:
        axes = figure.subplots()
        left = [0] * len(labels)
        for population in POPULATIONS:
            axes.barh(positions, values[population], left=left, height=0.62,
                      color=COLOURS[population], label=POPULATION_LABELS[population])
            left = [a + b for a, b in zip(left, values[population], strict=True)]
        for y, total in zip(positions, totals, strict=True):
            axes.annotate(str(total), (total, y), xytext=(4, 0), textcoords="offset points",
                          va="center", fontweight="bold")
        axes.set_yticks(positions, labels)
        axes.set_xlim(0, max([*totals, 1]) * 1.12)
        axes.xaxis.set_major_locator(integer_ticks())
        axes.set_xlabel("Số người")
        figure.suptitle(title, fontweight="bold")
        axes.legend(loc="lower right", frameon=False)
        return _png(figure)


@lru_cache(maxsize=64)
def draw_admissions(title: str, by_population: tuple[tuple[int, ...], ...],
                    target: int) -> bytes:
    values = {p: list(v) for p, v in zip(POPULATIONS, by_population, strict=True)}
    done = len(next(iter(values.values())))
    cumulative = running_total(values)
    with _figure() as figure:
        axes = figure.subplots()
        months = list(range(1, done + 1))
        bottom = [0] * done
        for population in POPULATIONS:
            axes.bar(months, values[population], bottom=bottom, width=0.6,
                     color=COLOURS[population],
                     label=f"Kết nạp trong tháng – {POPULATION_LABELS[population].lower()}")
            bottom = [a + b for a, b in zip(bottom, values[population], strict=True)]
        axes.plot(months, cumulative, marker="o", color=TOTAL_COLOUR, linewidth=2,
                  label="Lũy kế từ đầu năm")
        if cumulative:
            axes.annotate(str(cumulative[-1]), (done, cumulative[-1]), xytext=(6, 4),
                          textcoords="offset points", color=TOTAL_COLOUR, fontweight="bold")
        pace = [target * m / 12 for m in range(0, 13)]
        axes.plot(range(0, 13), pace, linestyle="--", color=PACE_COLOUR,
                  label=f"Tiến độ chỉ tiêu (chỉ tiêu năm {target} × tháng/12)")
        axes.set_xlim(0.4, 12.6)
        axes.set_ylim(0, max([target, *cumulative, 1]) * 1.1)
        axes.set_xticks(range(1, 13), [f"T{m}" for m in range(1, 13)])
        axes.yaxis.set_major_locator(integer_ticks())
        axes.set_ylabel("Số đảng viên kết nạp")
        figure.suptitle(title, fontweight="bold")
        axes.legend(loc="upper left", frameon=False, fontsize=9)
        return _png(figure)


# ---------------------------------------------------------------- the sheet


def _place(ws: Worksheet, png: bytes, row: int) -> int:
    """Anchor the image at column A of ``row``; returns the first row below it."""
    image = Image(io.BytesIO(png))
    ratio = image.height / image.width
    image.width, image.height = SHOWN_WIDTH, round(SHOWN_WIDTH * ratio)
    image.anchor = f"A{row}"
    ws.add_image(image)
    return row + -(-image.height // ROW_PIXELS) + 1


def build_charts_sheet(ws: Worksheet, month: MonthData) -> None:
    set_widths(ws, [COLUMN_WIDTH] * COLUMNS)
    row = write_sheet_title(ws, month, CHARTS_TITLE, COLUMNS) + 1
    caption = Style(font(12, bold=True), LEFT_WRAP)
    codes = [c.unit.code for c in accepted_cells(month)]
    covered = coverage_note(len(codes), len(month.cells))
    beside = f" {covered}" if covered else ""
    put_merged(ws, row, (1, COLUMNS), "Biểu đồ 1. Số người ở từng bước của quy trình "
               f"(cộng các chi bộ có báo cáo hợp lệ){beside}", caption)
    # without any accepted report a chart would draw zeros that read as real counts
    row = _place(ws, funnel_png(month), row + 1) if codes else _no_data(ws, row + 1)
    if codes:  # one chart a page: a page break never cuts an image
        ws.row_breaks.append(Break(id=row - 1))
    put_merged(ws, row, (1, COLUMNS), "Biểu đồ 2. Kết nạp đảng viên theo tháng so với "
               f"tiến độ chỉ tiêu năm{beside}", caption)
    row = _place(ws, admissions_png(month), row + 1) if codes else _no_data(ws, row + 1)
    total = unit_value(month, codes, "tong", "TH12", "tong") if codes else NO_DATA.lower()
    last = note(ws, row, COLUMNS,
                f"Lũy kế kết nạp từ đầu năm theo báo cáo tháng này (TH12): {total}{beside}. "
                "Cột theo tháng là số kết nạp trong tháng (TH11) của các báo cáo hợp lệ "
                "từng tháng; đường tiến độ theo chỉ tiêu năm được giao của tất cả các chi bộ.",
                italic=True) - 1
    print_setup(ws, title_rows="1:2", last_row=last, last_column=COLUMNS)


def _no_data(ws: Worksheet, row: int) -> int:
    put_merged(ws, row, (1, COLUMNS), f"{NO_DATA}: không có chi bộ nào có báo cáo hợp lệ "
               "tháng này.", Style(font(12, italic=True), LEFT_WRAP))
    return row + 2
