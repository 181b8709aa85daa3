"""The district workbook's admissions beside the figures they are read against (XuHuong)
and month by month (TheoThang).

XuHuong sets, for each school (cell), each population and the district's totals, the
admissions of the month (TH11) beside last month's and those of the same month a year
before, the admissions since January (TH12) beside the same figure a year before, and the
year's target: the share reached and the pace (target × month / 12; behind only when short
of it by the persons of config/rules/pace.csv). TheoThang gives each school's admissions of
every month since January: the year's trend.

An earlier month's figures are the warehouse's: each cell's accepted report of that month,
as that month's report used it (``MonthData.last_month``, ``last_year``,
``monthly_admissions``). A month without an accepted report is a grey cell, never a zero;
a total adds the cells that had one, and the line "Chi bộ có báo cáo hợp lệ" says how many
for each column.

Both sheets stay within 13 columns and ~100 units of column width: on A4 landscape they
print at their own size (11 pt tables), never shrunk under 10 pt to fit the width.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from openpyxl.worksheet.worksheet import Worksheet

from core.export_format import TOTAL
from core.layout import POPULATION_LABELS, POPULATIONS
from core.month import EarlierKey, MonthData, UnitStatus
from core.periods import previous_period
from reports.cells import cell_at, put, put_merged, set_fill, set_widths
from reports.district_progress import (
    BEHIND,
    Progress,
    cell_progress,
    header_height,
    month_number,
    pace_note,
    total_progress,
)
from reports.export import accepted_cells, unit_value
from reports.sheetstyle import (
    GREY,
    ONE_DECIMAL_FORMAT,
    PERCENT_FORMAT,
    centre_style,
    fit_row,
    grand_total_label,
    grid,
    merge_down,
    note,
    number_style,
    print_setup,
    text_lines,
    text_style,
    write_header_row,
    write_sheet_title,
)

SHEET_TREND = "XuHuong"
SHEET_MONTHLY = "TheoThang"
TREND_TITLE = "SO SÁNH KẾT QUẢ KẾT NẠP ĐẢNG VIÊN"
MONTHLY_TITLE = "KẾT NẠP ĐẢNG VIÊN TỪNG THÁNG TỪ ĐẦU NĂM"
COVERAGE = "Chi bộ có báo cáo hợp lệ"
MONTH_TOTAL = "Cộng"

# Both sheets: the cell's number, name and code, the population; two header rows (the
# groups, then the columns) from HEADER_ROW.
FIXED = (("STT", 4), ("Chi bộ", 17), ("Mã chi bộ", 6.5), ("Đối tượng", 10.5))
FIRST_VALUE = len(FIXED) + 1
HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 2
# XuHuong: five admissions figures, then target, share, pace due and the verdict
FIGURE_WIDTH, PACE_WIDTH = 6.5, 9.5
TREND_LAST_COLUMN = FIRST_VALUE + 8
# TheoThang: a narrow column per month (one or two digits), then the months' sum
MONTH_WIDTH, MONTH_TOTAL_WIDTH = 4.5, 6


@dataclass(frozen=True)
class Figures:
    """One line's admissions side by side; None: no cell of the line had an accepted
    report that month."""

    this_month: int | None
    last_month: int | None
    last_year: int | None
    year_to_date: int | None
    year_to_date_last_year: int | None

    def values(self) -> tuple[int | None, ...]:
        return (self.this_month, self.last_month, self.last_year, self.year_to_date,
                self.year_to_date_last_year)


def _populations(population: str) -> tuple[str, ...]:
    return tuple(POPULATIONS) if population == TOTAL else (population,)


def earlier_value(values: Mapping[EarlierKey, int], codes: Iterable[str], population: str,
                  indicator: str) -> int | None:
    """The sum over those of ``codes`` that had an accepted report that month; None when
    none had."""
    found = [values[key] for code in codes for p in _populations(population)
             if (key := (code, p, indicator)) in values]
    return sum(found) if found else None


def line_figures(month: MonthData, codes: Sequence[str], population: str,
                 accepted: AbstractSet[str]) -> Figures:
    """The admissions of ``codes`` (one cell, or every expected cell for a total);
    ``accepted``: the codes of the cells with an accepted report this month."""
    # asked once per line: walking the month's cells each time made the sheet quadratic
    # (20 s of a 10,000-cell report's 41)
    now = [code for code in codes if code in accepted]
    return Figures(
        this_month=unit_value(month, now, population, "TH11", TOTAL) if now else None,
        last_month=earlier_value(month.last_month, codes, population, "TH11"),
        last_year=earlier_value(month.last_year, codes, population, "TH11"),
        year_to_date=unit_value(month, now, population, "TH12", TOTAL) if now else None,
        year_to_date_last_year=earlier_value(month.last_year, codes, population, "TH12"))


def coverage(month: MonthData) -> tuple[int, ...]:
    """How many expected cells each of the five admissions columns adds up: those with an
    accepted report this month, last month, the same month a year before."""
    codes = {c.unit.code for c in month.cells}
    now = len(accepted_cells(month))
    before = len({code for code, _, _ in month.last_month if code in codes})
    year_before = len({code for code, _, _ in month.last_year if code in codes})
    return now, before, year_before, now, year_before


def month_periods(month: MonthData) -> list[str]:
    """January .. the report's month."""
    return [f"{month.period[:4]}-{m:02d}" for m in range(1, month_number(month) + 1)]


def monthly_line(month: MonthData, codes: Iterable[str], population: str,
                 ) -> list[int | None]:
    """Admissions (TH11) of ``codes`` in each month since January, as each month's report
    used them; None: none of them had an accepted report that month."""
    codes = list(codes)
    line: list[int | None] = []
    for period in month_periods(month):
        found = [month.monthly_admissions[key] for code in codes
                 for p in _populations(population)
                 if (key := (code, p, period)) in month.monthly_admissions]
        line.append(sum(found) if found else None)
    return line


def monthly_coverage(month: MonthData) -> list[int]:
    """How many expected cells had an accepted report in each month since January."""
    codes = {c.unit.code for c in month.cells}
    return [len({code for code, _, p in month.monthly_admissions if p == period
                 and code in codes}) for period in month_periods(month)]


# ---------------------------------------------------------------- shared lines


def month_label(period: str) -> str:
    """``2024-03`` -> ``3/2024``."""
    return f"{int(period[5:7])}/{period[:4]}"


def write_groups(ws: Worksheet, groups: Sequence[tuple[tuple[int, int], str]]) -> None:
    """The header's first row: the fixed labels over both rows, then the groups (the row
    high enough for the longest, wrapped across its columns)."""
    write_header_row(ws, HEADER_ROW, [label for label, _ in FIXED])
    merge_down(ws, HEADER_ROW, HEADER_ROW + 1, range(1, FIRST_VALUE))
    lines = 1
    for columns, label in groups:
        put_merged(ws, HEADER_ROW, columns, label, centre_style(bold=True))
        lines = max(lines, text_lines(ws, label, columns, size=11))
    ws.row_dimensions[HEADER_ROW].height = 15 * lines + 4


def put_number(ws: Worksheet, row: int, column: int, value: float | None, *,
               bold: bool = False, number_format: str | None = None,
               missing_grey: bool = True) -> None:
    """A number, or an empty cell (grey where it means: no accepted report that month)."""
    if value is None:
        grid(ws, row, [column])
        if missing_grey:
            set_fill(cell_at(ws, row, column), GREY)
    else:
        put(ws, row, column, value, number_style(bold=bold, number_format=number_format))


def write_cell_label(ws: Worksheet, first: int, last: int, number: int,
                     cell: UnitStatus) -> None:
    """STT, name and code of a cell over its rows ``first``..``last``."""
    put(ws, first, 1, number, centre_style())
    put(ws, first, 2, cell.unit.name, text_style())
    put(ws, first, 3, cell.unit.code, centre_style())
    merge_down(ws, first, last, [1, 2, 3])
    # estimated at 12 pt for an 11-pt name: LibreOffice's substitute for Times New Roman
    # wraps a long name in this narrow column a line sooner than the estimate at 11 pt
    fit_row(ws, first, {2: cell.unit.name}, size=12, rows=last - first + 1)
    height = ws.row_dimensions[first].height
    if height:  # the name spans every row of the cell: they all grow alike
        for row in range(first + 1, last + 1):
            ws.row_dimensions[row].height = max(height, ws.row_dimensions[row].height or 0)


def total_lines(month: MonthData) -> list[tuple[str, str]]:
    lines = [(f"Cộng {POPULATION_LABELS[p].lower()}", p) for p in POPULATIONS]
    return [*lines, (grand_total_label(month), TOTAL)]


def write_coverage(ws: Worksheet, row: int, counts: Sequence[int], expected: int,
                   last_column: int) -> int:
    """The line under the totals: how many cells each column's figures add up."""
    put_merged(ws, row, (1, FIRST_VALUE - 1), COVERAGE, text_style(italic=True))
    for column, count in enumerate(counts, start=FIRST_VALUE):
        put(ws, row, column, f"{count}/{expected}", centre_style())
    grid(ws, row, range(FIRST_VALUE + len(counts), last_column + 1))
    return row + 1


# ---------------------------------------------------------------- XuHuong


def trend_labels(month: MonthData) -> list[str]:
    m, period = month_number(month), month.period
    year_before = f"{int(period[:4]) - 1:04d}{period[4:]}"
    return [f"Tháng {month_label(period)}", f"Tháng {month_label(previous_period(period))}",
            f"Tháng {month_label(year_before)}", f"Đến tháng {month_label(period)}",
            f"Đến tháng {month_label(year_before)}", "Chỉ tiêu", "Tỷ lệ đạt",
            f"Cần đạt đến hết tháng {m}", "Tiến độ"]


def write_trend_header(ws: Worksheet, month: MonthData) -> None:
    first = FIRST_VALUE
    write_groups(ws, [((first, first + 2), "Kết nạp trong tháng (TH11)"),
                      ((first + 3, first + 4), "Kết nạp từ đầu năm (TH12)"),
                      ((first + 5, TREND_LAST_COLUMN),
                       f"Chỉ tiêu năm {month.period[:4]}")])
    labels = trend_labels(month)
    write_header_row(ws, HEADER_ROW + 1, labels, first_column=first)
    header_height(ws, HEADER_ROW + 1, labels, first)


def write_trend_values(ws: Worksheet, row: int, figures: Figures, progress: Progress, *,
                       bold: bool = False) -> None:
    """Columns E–M of one line: the five admissions, then the target's columns."""
    for column, value in enumerate(figures.values(), start=FIRST_VALUE):
        put_number(ws, row, column, value, bold=bold)
    column = FIRST_VALUE + 5
    put_number(ws, row, column, progress.target, bold=bold, missing_grey=False)
    put_number(ws, row, column + 1, progress.percent, bold=bold, number_format=PERCENT_FORMAT,
               missing_grey=False)
    due = None if progress.expected is None else float(progress.expected)
    put_number(ws, row, column + 2, due, bold=bold, number_format=ONE_DECIMAL_FORMAT,
               missing_grey=False)
    pace = progress.pace
    if pace is None:
        grid(ws, row, [TREND_LAST_COLUMN])
    else:
        put(ws, row, TREND_LAST_COLUMN, pace, centre_style(bold=bold or pace == BEHIND))
        fit_row(ws, row, {TREND_LAST_COLUMN: pace})


def behind_lines(month: MonthData) -> list[str]:
    """The cells' lines behind pace, as the note under XuHuong names them."""
    return [f"{cell.unit.name} ({cell.unit.code}) – {POPULATION_LABELS[p].lower()}"
            for cell in sorted(month.cells, key=lambda c: c.unit.code) for p in POPULATIONS
            if cell_progress(month, cell, p).pace == BEHIND]


def write_trend_notes(ws: Worksheet, row: int, month: MonthData) -> int:
    behind = behind_lines(month)
    if behind:
        row = note(ws, row, TREND_LAST_COLUMN,
                   f"Chậm tiến độ: {'; '.join(behind)}.", bold=True)
    row = note(ws, row, TREND_LAST_COLUMN,
               "Ô xám: tháng đó chi bộ chưa có báo cáo hợp lệ. Mỗi cột của các dòng cộng chỉ "
               "cộng các chi bộ có báo cáo hợp lệ của tháng đó (dòng "
               f"«{COVERAGE}»); chỉ tiêu năm là chỉ tiêu được giao của cả "
               f"{len(month.cells)} chi bộ.", italic=True)
    return note(ws, row, TREND_LAST_COLUMN, pace_note(month), italic=True)


def build_trend_sheet(ws: Worksheet, month: MonthData) -> None:
    set_widths(ws, [w for _, w in FIXED] + [FIGURE_WIDTH] * 8 + [PACE_WIDTH])
    write_sheet_title(ws, month, TREND_TITLE, TREND_LAST_COLUMN)
    write_trend_header(ws, month)
    row = FIRST_ROW
    accepted = {c.unit.code for c in month.cells if c.accepted}
    for number, cell in enumerate(sorted(month.cells, key=lambda c: c.unit.code), start=1):
        first = row
        for population in POPULATIONS:
            put(ws, row, 4, POPULATION_LABELS[population], text_style())
            write_trend_values(ws, row, line_figures(month, [cell.unit.code], population,
                                                     accepted),
                               cell_progress(month, cell, population))
            row += 1
        write_cell_label(ws, first, row - 1, number, cell)
    codes = [c.unit.code for c in month.cells]
    for label, population in total_lines(month):
        put_merged(ws, row, (1, FIRST_VALUE - 1), label, text_style(bold=True, wrap=False))
        write_trend_values(ws, row, line_figures(month, codes, population, accepted),
                           total_progress(month, population), bold=True)
        row += 1
    row = write_coverage(ws, row, coverage(month), len(month.cells), TREND_LAST_COLUMN)
    last = write_trend_notes(ws, row + 1, month) - 1
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=1)
    print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW + 1}", last_row=last,
                last_column=TREND_LAST_COLUMN)


# ---------------------------------------------------------------- TheoThang


def write_monthly_values(ws: Worksheet, row: int, values: Sequence[int | None], *,
                         bold: bool = False) -> None:
    """The months since January, then their sum (of the months with a report)."""
    for column, value in enumerate(values, start=FIRST_VALUE):
        put_number(ws, row, column, value, bold=bold)
    known = [v for v in values if v is not None]
    put_number(ws, row, FIRST_VALUE + len(values), sum(known) if known else None,
               bold=True)


def build_monthly_sheet(ws: Worksheet, month: MonthData) -> None:
    months = month_number(month)
    last_column = FIRST_VALUE + months
    set_widths(ws, [w for _, w in FIXED] + [MONTH_WIDTH] * months + [MONTH_TOTAL_WIDTH])
    write_sheet_title(ws, month, MONTHLY_TITLE, last_column)
    write_groups(ws, [((FIRST_VALUE, last_column - 1),
                       f"Kết nạp trong từng tháng năm {month.period[:4]} (TH11)")])
    put(ws, HEADER_ROW, last_column, MONTH_TOTAL, centre_style(bold=True))
    merge_down(ws, HEADER_ROW, HEADER_ROW + 1, [last_column])
    # the month's number alone: "Tháng 10" would break inside the word in a column this narrow
    labels = [str(m) for m in range(1, months + 1)]
    write_header_row(ws, HEADER_ROW + 1, labels, first_column=FIRST_VALUE)
    header_height(ws, HEADER_ROW + 1, labels, FIRST_VALUE)
    row = FIRST_ROW
    for number, cell in enumerate(sorted(month.cells, key=lambda c: c.unit.code), start=1):
        first = row
        for population in POPULATIONS:
            put(ws, row, 4, POPULATION_LABELS[population], text_style())
            write_monthly_values(ws, row, monthly_line(month, [cell.unit.code], population))
            row += 1
        write_cell_label(ws, first, row - 1, number, cell)
    codes = [c.unit.code for c in month.cells]
    for label, population in total_lines(month):
        put_merged(ws, row, (1, FIRST_VALUE - 1), label, text_style(bold=True, wrap=False))
        write_monthly_values(ws, row, monthly_line(month, codes, population), bold=True)
        row += 1
    row = write_coverage(ws, row, monthly_coverage(month), len(month.cells), last_column)
    last = note(ws, row + 1, last_column,
                "Ô xám: tháng đó chi bộ chưa có báo cáo hợp lệ. Mỗi tháng của các dòng cộng "
                f"chỉ cộng các chi bộ có báo cáo hợp lệ của tháng đó (dòng «{COVERAGE}»); "
                f"cột «{MONTH_TOTAL}» cộng các tháng có báo cáo hợp lệ, nên nhỏ hơn số kết "
                "nạp từ đầu năm (TH12) khi thiếu báo cáo của một tháng.", italic=True) - 1
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=1)
    print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW + 1}", last_row=last,
                last_column=last_column)
