"""Sheets of the district workbook about admissions: targets (ChiTieu), breakdowns (PhanTich).

ChiTieu sets each cell's admissions so far this year (TH12) against its annual target
(``month.targets``, from the registry's targets file as a plan like 119-KH/HU sets them):
percent of the target and pace — the share of the target due by the end of the month,
target × month / 12. A line is behind pace only when short of it by at least the persons
of config/rules/pace.csv (``month.behind_pace_from``; core.pace): a target of 2 is not
behind by half a person in March. It flags every school that has admitted no student so
far this year (every school must admit students every year) and every staff target behind
pace.

PhanTich breaks candidates (TH05) and admissions (TH11, TH12) down by women, ethnic
minority, religion and Youth Union membership, and by age band (``month.age_bands``).

Totals are sums over the accepted cells, computed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from openpyxl.worksheet.worksheet import Worksheet

from core.export_format import TOTAL
from core.layout import POPULATION_LABELS, POPULATIONS
from core.month import AGE_BANDS, AGE_GROUPS, MonthData, UnitStatus
from core.pace import behind_pace_from, is_behind
from reports.cells import cell_at, merge, put, put_merged, set_fill, set_widths
from reports.coverage import NO_DATA, total_label
from reports.export import accepted_cells, unit_value
from reports.sheetstyle import (
    GREY,
    ONE_DECIMAL_FORMAT,
    PERCENT_FORMAT,
    RED,
    SIGNED_FORMAT,
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

SHEET_TARGETS = "ChiTieu"
SHEET_BREAKDOWNS = "PhanTich"

TARGETS_TITLE = "TIẾN ĐỘ THỰC HIỆN CHỈ TIÊU KẾT NẠP ĐẢNG VIÊN"
AHEAD, ON_PACE, BEHIND = "Vượt tiến độ", "Đúng tiến độ", "Chậm tiến độ"
NO_TARGET = "Chưa giao chỉ tiêu"
NO_STUDENT = "Chưa kết nạp học sinh nào"
STAFF_BEHIND = "Chỉ tiêu viên chức chậm tiến độ"
NO_REPORT = "Chưa có báo cáo hợp lệ tháng này"
TARGETS_HEADER_ROW = 4


def target_columns(month_number: int) -> tuple[tuple[str, float], ...]:
    """The columns and their widths: ~100 units in all, what A4 landscape holds at the
    sheet's own size (the pace's formula is in the note under the table)."""
    return (
        ("STT", 4), ("Chi bộ", 17), ("Mã chi bộ", 6.5), ("Đối tượng", 10.5),
        ("Kết nạp từ đầu năm (TH12)", 7), ("Chỉ tiêu năm", 6.5), ("Tỷ lệ đạt chỉ tiêu", 6.5),
        (f"Cần đạt đến hết tháng {month_number}", 7.5), ("Chênh lệch so với tiến độ", 7),
        ("Tiến độ", 9.5), ("Còn phải kết nạp", 6.5), ("Ghi chú", 12),
    )


def header_height(ws: Worksheet, row: int, labels: Sequence[str], first_column: int = 1,
                  ) -> None:
    """Row ``row`` high enough for its wrapped bold labels (a header never clips a word)."""
    lines = max(text_lines(ws, label, (column, column), size=11)
                for column, label in enumerate(labels, start=first_column))
    ws.row_dimensions[row].height = 15 * lines + 4


@dataclass(frozen=True)
class Progress:
    """Admissions so far against an annual target, ``month`` months into the year."""

    year_to_date: int | None   # None: the cell has no accepted report this month
    target: int | None         # None: no target on record
    month: int
    # persons short of the pace from which the line is behind (config/rules/pace.csv);
    # None: that file's latest row, for a caller that knows only the month's number
    behind_from: Fraction | None = None

    @property
    def percent(self) -> float | None:
        if self.year_to_date is None or not self.target:
            return None
        return self.year_to_date / self.target

    @property
    def expected(self) -> Fraction | None:
        """What is due by the end of the month: target × month / 12."""
        return None if self.target is None else Fraction(self.target * self.month, 12)

    @property
    def gap(self) -> Fraction | None:
        if self.year_to_date is None or self.expected is None:
            return None
        return self.year_to_date - self.expected

    @property
    def pace(self) -> str | None:
        if self.year_to_date is None:
            return None
        if self.gap is None:
            return NO_TARGET
        if self.gap > 0:
            return AHEAD
        threshold = behind_pace_from() if self.behind_from is None else self.behind_from
        return BEHIND if is_behind(self.gap, threshold) else ON_PACE

    @property
    def remaining(self) -> int | None:
        if self.year_to_date is None or self.target is None:
            return None
        return max(self.target - self.year_to_date, 0)


def month_number(month: MonthData) -> int:
    return int(month.period[5:7])


def behind_from(month: MonthData) -> Fraction:
    """Persons short of the pace from which a line of ``month``'s report is behind: the
    month's own (as the warehouse read it), else config/rules/pace.csv at the month's end
    for the consolidating unit's level."""
    if month.behind_pace_from is not None:
        return month.behind_pace_from
    return behind_pace_from(month.period, month.levels.get(month.unit.code, month.unit.level))


def persons(number: Fraction) -> str:
    """A number of persons as the sheets write it: ``1``, ``1,5``."""
    text = str(number.numerator) if number.denominator == 1 else f"{float(number):g}"
    return text.replace(".", ",")


def cell_progress(month: MonthData, cell: UnitStatus, population: str) -> Progress:
    ytd = (unit_value(month, [cell.unit.code], population, "TH12", TOTAL)
           if cell.accepted else None)
    return Progress(ytd, month.targets.get((cell.unit.code, population)), month_number(month),
                    behind_from(month))


def total_progress(month: MonthData, population: str) -> Progress:
    """Admissions of the accepted cells against the targets of every expected cell: a
    rejected or missing report never shrinks the denominator (the label says how many
    cells the admissions cover). No accepted cell: no admissions figure at all."""
    codes = [c.unit.code for c in accepted_cells(month)]
    populations = POPULATIONS if population == TOTAL else (population,)
    targets = [month.targets[(cell.unit.code, p)] for cell in month.cells for p in populations
               if (cell.unit.code, p) in month.targets]
    admitted = unit_value(month, codes, population, "TH12", TOTAL) if codes else None
    return Progress(admitted, sum(targets) if targets else None, month_number(month),
                    behind_from(month))


def total_line_label(month: MonthData, label: str) -> str:
    """A total's label with the share of expected cells its figures cover."""
    return total_label(label, len(accepted_cells(month)), len(month.cells))


def no_student_cells(month: MonthData) -> list[UnitStatus]:
    """Accepted cells (schools) whose students' TH12 is 0: no student admitted this year."""
    return [c for c in accepted_cells(month)
            if cell_progress(month, c, "hoc_sinh").year_to_date == 0]


def staff_behind_cells(month: MonthData) -> list[UnitStatus]:
    return [c for c in accepted_cells(month)
            if cell_progress(month, c, "vien_chuc").pace == BEHIND]


def cell_flag(month: MonthData, cell: UnitStatus, population: str) -> str | None:
    progress = cell_progress(month, cell, population)
    if population == "hoc_sinh" and progress.year_to_date == 0:
        return NO_STUDENT
    if population == "vien_chuc" and progress.pace == BEHIND:
        return STAFF_BEHIND
    return None


def write_progress(ws: Worksheet, row: int, progress: Progress, *, bold: bool = False) -> None:
    """Columns E–K of one line."""
    values: list[tuple[object, str | None]] = [
        (progress.year_to_date, None),
        (progress.target, None),
        (progress.percent, PERCENT_FORMAT),
        (None if progress.expected is None else float(progress.expected), ONE_DECIMAL_FORMAT),
        (None if progress.gap is None else float(progress.gap), SIGNED_FORMAT),
    ]
    for column, (value, number_format) in enumerate(values, start=5):
        if value is None:
            grid(ws, row, [column])
        else:
            put(ws, row, column, value, number_style(bold=bold, number_format=number_format))
    pace = progress.pace
    if pace is None:
        grid(ws, row, [10])
    else:
        put(ws, row, 10, pace, centre_style(bold=bold or pace == BEHIND))
        fit_row(ws, row, {10: pace})  # a wrapped word must not print over the next row
    if progress.remaining is None:
        grid(ws, row, [11])
    else:
        put(ws, row, 11, progress.remaining, number_style(bold=bold))


def write_target_cells(ws: Worksheet, row: int, month: MonthData) -> int:
    """Two lines per expected cell; returns the next free row."""
    for number, cell in enumerate(sorted(month.cells, key=lambda c: c.unit.code), start=1):
        first = row
        for population in POPULATIONS:
            put(ws, row, 4, POPULATION_LABELS[population], text_style())
            write_progress(ws, row, cell_progress(month, cell, population))
            flag = cell_flag(month, cell, population)
            if flag:
                put(ws, row, 12, flag, text_style(bold=True, color=RED))
                fit_row(ws, row, {12: flag})
            elif cell.accepted:
                grid(ws, row, [12])
            row += 1
        put(ws, first, 1, number, centre_style())
        put(ws, first, 2, cell.unit.name, text_style())
        put(ws, first, 3, cell.unit.code, centre_style())
        merge_down(ws, first, row - 1, [1, 2, 3])
        # estimated at 12 pt for an 11-pt name: LibreOffice's substitute for Times New Roman
        # wraps a long name in this narrow column a line sooner than the estimate at 11 pt
        fit_row(ws, first, {2: cell.unit.name}, size=12, rows=2)
        if ws.row_dimensions[first].height:  # the name spans both lines: both grow alike
            ws.row_dimensions[first + 1].height = max(ws.row_dimensions[first].height,
                                                      ws.row_dimensions[first + 1].height or 0)
        if not cell.accepted:
            put(ws, first, 12, NO_REPORT, text_style(italic=True))
            merge_down(ws, first, row - 1, [12])
    return row


def write_target_totals(ws: Worksheet, row: int, month: MonthData) -> int:
    lines = [(f"Cộng {POPULATION_LABELS[p].lower()}", p) for p in POPULATIONS]
    lines.append((grand_total_label(month), TOTAL))
    for label, population in lines:
        put_merged(ws, row, (1, 4), total_line_label(month, label),
                   text_style(bold=True, wrap=False))
        write_progress(ws, row, total_progress(month, population), bold=True)
        if accepted_cells(month):
            grid(ws, row, [12])
        else:
            put(ws, row, 12, NO_DATA, text_style(bold=True, italic=True))
        row += 1
    return row


def cell_list(cells: list[UnitStatus]) -> str:
    return "; ".join(f"{c.unit.name} ({c.unit.code})" for c in cells)


def write_target_notes(ws: Worksheet, row: int, month: MonthData, last_column: int) -> int:
    no_student, behind = no_student_cells(month), staff_behind_cells(month)
    if no_student:
        row = note(ws, row, last_column,
                   f"{NO_STUDENT} từ đầu năm (mỗi trường phải kết nạp học sinh hằng năm): "
                   f"{len(no_student)} chi bộ – {cell_list(no_student)}.", bold=True, color=RED)
    if behind:
        row = note(ws, row, last_column,
                   f"{STAFF_BEHIND}: {len(behind)} chi bộ – {cell_list(behind)}.", bold=True)
    missing = [c for c in month.cells if not c.accepted]
    if missing:
        row = note(ws, row, last_column,
                   f"Số kết nạp ở các dòng cộng chỉ tính {len(month.cells) - len(missing)}/"
                   f"{len(month.cells)} chi bộ có báo cáo hợp lệ (chưa gồm: "
                   f"{', '.join(sorted(c.unit.code for c in missing))}); chỉ tiêu năm là "
                   f"chỉ tiêu được giao của cả {len(month.cells)} chi bộ.", italic=True)
    return note(ws, row, last_column, pace_note(month), italic=True)


def pace_note(month: MonthData) -> str:
    """How the pace column reads, with the month's threshold."""
    m = month_number(month)
    return (f"Tiến độ: số cần đạt đến hết tháng {m} = chỉ tiêu năm × {m}/12; kết nạp từ "
            "đầu năm nhiều hơn là vượt tiến độ, ít hơn số cần đạt từ "
            f"{persons(behind_from(month))} người trở lên là chậm tiến độ, còn lại là đúng "
            "tiến độ.")


def build_targets_sheet(ws: Worksheet, month: MonthData) -> None:
    columns = target_columns(month_number(month))
    last_column = len(columns)
    set_widths(ws, [w for _, w in columns])
    write_sheet_title(ws, month, TARGETS_TITLE, last_column)
    labels = [label for label, _ in columns]
    write_header_row(ws, TARGETS_HEADER_ROW, labels)
    header_height(ws, TARGETS_HEADER_ROW, labels)
    row = write_target_cells(ws, TARGETS_HEADER_ROW + 1, month)
    row = write_target_totals(ws, row, month)
    last = write_target_notes(ws, row + 1, month, last_column) - 1
    ws.freeze_panes = ws.cell(row=TARGETS_HEADER_ROW + 1, column=1)
    print_setup(ws, title_rows=f"{TARGETS_HEADER_ROW}:{TARGETS_HEADER_ROW}", last_row=last,
                last_column=last_column)


# ---------------------------------------------------------------- sheet PhanTich

BREAKDOWNS_TITLE = "CƠ CẤU QUẦN CHÚNG CẢM TÌNH ĐẢNG VÀ ĐẢNG VIÊN MỚI KẾT NẠP"
# (indicator, what the line counts)
GROUPS = (
    ("TH05", "Cảm tình đảng (TH05)"),
    ("TH11", "Kết nạp trong tháng (TH11)"),
    ("TH12", "Kết nạp từ đầu năm (TH12)"),
)
# (breakdown of the upward data file, column label)
BREAKDOWN_COLUMNS = (
    ("nu", "Nữ"), ("dan_toc_thieu_so", "Dân tộc thiểu số"), ("ton_giao", "Có tôn giáo"),
    ("doan_vien", "Đoàn viên"),
)
BAND_LABELS = tuple(label for label, _, _ in AGE_BANDS)
# ~100 units of width in all, what A4 landscape holds at the sheet's own size
FIXED_COLUMNS = (("STT", 4.5), ("Chi bộ", 16), ("Mã chi bộ", 6.5), ("Nội dung", 14),
                 ("Tổng số", 6))
BREAKDOWN_WIDTH, BAND_WIDTH = 6, 5
FIRST_BREAKDOWN = len(FIXED_COLUMNS) + 1
FIRST_BAND = FIRST_BREAKDOWN + len(BREAKDOWN_COLUMNS)
BREAKDOWNS_LAST_COLUMN = FIRST_BAND + len(BAND_LABELS) - 1
BREAKDOWNS_HEADER_ROW = 4
BREAKDOWNS_NOTE = ("Độ tuổi tính đến ngày cuối tháng báo cáo. Số kết nạp trong tháng không "
                   "chia theo độ tuổi (ô tô xám). Dân tộc thiểu số: không phải dân tộc Kinh.")


def breakdown_line(month: MonthData, codes: list[str], population: str,
                   indicator: str) -> tuple[list[int], list[int] | None]:
    """Total and breakdowns, then the age bands (None where not counted by age)."""
    values = [unit_value(month, codes, population, indicator, b)
              for b in (TOTAL, *(key for key, _ in BREAKDOWN_COLUMNS))]
    if indicator not in AGE_GROUPS:
        return values, None
    populations = POPULATIONS if population == TOTAL else (population,)
    bands = [sum(month.age_bands.get((code, p, indicator, band), 0)
                 for code in codes for p in populations) for band in BAND_LABELS]
    return values, bands


def write_breakdown_header(ws: Worksheet) -> None:
    row = BREAKDOWNS_HEADER_ROW
    write_header_row(ws, row, [label for label, _ in FIXED_COLUMNS])
    merge_down(ws, row, row + 1, range(1, FIRST_BREAKDOWN))
    bold = centre_style(bold=True)
    put_merged(ws, row, (FIRST_BREAKDOWN, FIRST_BAND - 1), "Trong đó", bold)
    put_merged(ws, row, (FIRST_BAND, BREAKDOWNS_LAST_COLUMN), "Chia theo độ tuổi", bold)
    labels = [label for _, label in BREAKDOWN_COLUMNS] + list(BAND_LABELS)
    write_header_row(ws, row + 1, labels, first_column=FIRST_BREAKDOWN)
    header_height(ws, row + 1, labels, FIRST_BREAKDOWN)


def write_breakdown_block(ws: Worksheet, row: int, month: MonthData, codes: list[str],
                          population: str, *, bold: bool = False) -> int:
    """Three lines (TH05, TH11, TH12) for ``codes``; returns the next free row."""
    for indicator, label in GROUPS:
        put(ws, row, 4, label, text_style(bold=bold))
        fit_row(ws, row, {4: label})
        values, bands = breakdown_line(month, codes, population, indicator)
        for column, value in enumerate(values, start=len(FIXED_COLUMNS)):
            put(ws, row, column, value, number_style(bold=bold or column == 5))
        for column in range(FIRST_BAND, BREAKDOWNS_LAST_COLUMN + 1):
            if bands is None:
                set_fill(cell_at(ws, row, column), GREY)
                grid(ws, row, [column])
            else:
                put(ws, row, column, bands[column - FIRST_BAND], number_style(bold=bold))
        row += 1
    return row


def write_breakdown_no_data(ws: Worksheet, row: int) -> int:
    """The three lines of a total without any accepted cell: words, never zeros."""
    for _indicator, label in GROUPS:
        put(ws, row, 4, label, text_style(bold=True))
        fit_row(ws, row, {4: label})
        put_merged(ws, row, (len(FIXED_COLUMNS), BREAKDOWNS_LAST_COLUMN),
                   NO_DATA, centre_style(bold=True))
        row += 1
    return row


def build_breakdowns_sheet(ws: Worksheet, month: MonthData) -> None:
    set_widths(ws, [w for _, w in FIXED_COLUMNS] + [BREAKDOWN_WIDTH] * len(BREAKDOWN_COLUMNS)
               + [BAND_WIDTH] * len(BAND_LABELS))
    write_sheet_title(ws, month, BREAKDOWNS_TITLE, BREAKDOWNS_LAST_COLUMN)
    write_breakdown_header(ws)
    row = BREAKDOWNS_HEADER_ROW + 2
    cells = accepted_cells(month)
    for number, cell in enumerate(cells, start=1):
        first = row
        row = write_breakdown_block(ws, row, month, [cell.unit.code], TOTAL)
        put(ws, first, 1, number, centre_style())
        put(ws, first, 2, cell.unit.name, text_style())
        put(ws, first, 3, cell.unit.code, centre_style())
        merge_down(ws, first, row - 1, [1, 2, 3])
        fit_row(ws, first, {2: cell.unit.name}, rows=3)
    codes = [c.unit.code for c in cells]
    totals = [(f"Cộng {POPULATION_LABELS[p].lower()}", p) for p in POPULATIONS]
    totals.append((grand_total_label(month), TOTAL))
    for label, population in totals:
        first = row
        if codes:
            row = write_breakdown_block(ws, row, month, codes, population, bold=True)
        else:
            row = write_breakdown_no_data(ws, row)
        put(ws, first, 1, total_line_label(month, label), text_style(bold=True))
        for r in range(first, row):
            grid(ws, r, [1, 2, 3])
        merge(ws, first, 1, row - 1, 3)
    row = note(ws, row + 1, BREAKDOWNS_LAST_COLUMN, BREAKDOWNS_NOTE, italic=True)
    missing = [c for c in month.cells if not c.accepted]
    if missing:
        row = note(ws, row, BREAKDOWNS_LAST_COLUMN,
                   f"Chỉ tính các chi bộ có báo cáo hợp lệ; chưa gồm: "
                   f"{', '.join(sorted(c.unit.code for c in missing))}.", italic=True)
    ws.freeze_panes = ws.cell(row=BREAKDOWNS_HEADER_ROW + 2, column=1)
    print_setup(ws, title_rows=f"{BREAKDOWNS_HEADER_ROW}:{BREAKDOWNS_HEADER_ROW + 1}",
                last_row=row - 1, last_column=BREAKDOWNS_LAST_COLUMN)
