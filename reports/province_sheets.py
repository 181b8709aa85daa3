"""The provincial workbook's sheets besides the signed summary.

TinhHinhNopBaoCao — completeness of the districts (or communes): received, accepted, on
time, and the cells each district counts in its file. ChiTieu — admissions so far this
year (TH12) against the annual targets the districts report (TH13), with the pace
target × month / 12. CoCau — candidates (TH05) and admissions (TH11, TH12) by women,
ethnic minority, religion and Youth Union membership. Only counts, never names.
"""

from __future__ import annotations

from datetime import datetime

from openpyxl.worksheet.worksheet import Worksheet

from core.export_format import EXPORT_POPULATIONS, TOTAL
from core.layout import BREAKDOWNS, POPULATION_LABELS, POPULATIONS
from core.month import FILE_REJECTED, HAS_DATA, NO_CELLS, NO_DATA_REASONS, NO_FILE, UnitStatus
from core.pace import behind_pace_from
from core.province_month import ProvinceMonth
from reports.cells import Style, put, put_merged, set_widths
from reports.coverage import NO_DATA, no_data_text, total_label
from reports.district_progress import BEHIND, Progress
from reports.sheetstyle import (
    CENTER,
    DATETIME_FORMAT,
    ONE_DECIMAL_FORMAT,
    PERCENT_FORMAT,
    RED,
    SIGNED_FORMAT,
    centre_style,
    fit_row,
    font,
    grid,
    merge_down,
    month_title,
    note,
    number_style,
    print_setup,
    text_style,
    write_header_row,
)

SHEET_SUBMISSIONS, SHEET_TARGETS, SHEET_BREAKDOWNS = "TinhHinhNopBaoCao", "ChiTieu", "CoCau"
RECEIVED, NOT_RECEIVED = "Đã nhận", "Chưa nhận"
ACCEPTED, REJECTED, MISSING = "Hợp lệ", "Bị trả lại", "Chưa gửi"
NO_CELLS_RESULT = "Hợp lệ, không có số liệu"
RESULTS = {HAS_DATA: ACCEPTED, NO_CELLS: NO_CELLS_RESULT, FILE_REJECTED: REJECTED,
           NO_FILE: MISSING}
ON_TIME, LATE = "Đúng hạn", "Trễ hạn"
NO_STUDENT = "Chưa kết nạp học sinh nào"
STAFF_BEHIND = "Chỉ tiêu viên chức chậm tiến độ"
HEADER_ROW = 4


def population_label(population: str) -> str:
    return "Cộng" if population == TOTAL else POPULATION_LABELS[population]


def total_line_label(data: ProvinceMonth, label: str) -> str:
    """A province total's label with the share of expected units its figures cover."""
    return total_label(label, len(data.with_data()), len(data.districts))


def unit_name(district: UnitStatus) -> str:
    """The unit's name; a unit whose figures cover only some of its cells says how many."""
    if not district.has_data:
        return district.unit.name
    return total_label(district.unit.name, district.cells_accepted, district.cells_expected)


def write_title(ws: Worksheet, data: ProvinceMonth, title: str, last_column: int) -> None:
    put_merged(ws, 1, (1, last_column), title, Style(font(14, bold=True), CENTER))
    put_merged(ws, 2, (1, last_column), f"{data.unit.name} – {month_title(data.period)}",
               Style(font(13, italic=True), CENTER))


def write_unit_cells(ws: Worksheet, first: int, last: int, number: int,
                     district: UnitStatus) -> None:
    put(ws, first, 1, number, centre_style())
    put(ws, first, 2, unit_name(district), text_style())
    put(ws, first, 3, district.unit.code, centre_style())
    merge_down(ws, first, last, [1, 2, 3])


# ---------------------------------------------------------------- TinhHinhNopBaoCao

# Printed at 11 pt on two A4 landscape pages across: the file's columns, then the cells'
# counts beside STT, Mã and Đảng bộ again (provincial.LABEL_COLUMNS).
SUBMISSION_COLUMNS = (
    ("STT", 5), ("Mã", 6), ("Đảng bộ", 19), ("Tiếp nhận", 10), ("Kết quả", 10),
    ("Phiên bản", 8), ("Thời điểm nhận", 15.5), ("Đúng hạn", 11), ("Số lỗi", 6),
    ("Số cảnh báo", 8), ("Chi bộ phải báo cáo", 10), ("Chi bộ có báo cáo hợp lệ", 10),
    ("Chi bộ báo cáo đúng hạn", 10),
)


def district_counts(data: ProvinceMonth, district: UnitStatus) -> list[int | None]:
    """Cells expected / accepted / on time: the district's file, else the registry."""
    if not district.accepted:
        return [district.registry_cells, None, None]
    code = [district.unit.code]
    return [data.value(code, TOTAL, f"REPORTS_{name}") for name in
            ("EXPECTED", "ACCEPTED", "ON_TIME")]


def submission_values(data: ProvinceMonth, district: UnitStatus) -> list[object]:
    received_at = district.received_at.replace(tzinfo=None) if district.received_at else None
    return [
        district.unit.code, district.unit.name,
        RECEIVED if district.received else NOT_RECEIVED,
        RESULTS[district.state],
        district.version, received_at,
        (ON_TIME if district.on_time else LATE) if district.accepted else None,
        district.errors if district.received else None,
        district.warnings if district.received else None,
        *district_counts(data, district),
    ]


def write_submission_row(ws: Worksheet, row: int, number: int, values: list[object]) -> None:
    put(ws, row, 1, number, centre_style())
    for column, value in enumerate(values, start=2):
        style = text_style() if column == 3 else centre_style()
        if isinstance(value, datetime):
            style = Style(style.font, style.alignment, style.border, DATETIME_FORMAT)
        if value is None:
            grid(ws, row, [column])
        else:
            put(ws, row, column, value, style)


def write_submission_totals(ws: Worksheet, row: int, data: ProvinceMonth) -> None:
    districts = data.districts
    accepted = [d for d in districts if d.accepted]
    cells = [district_counts(data, d) for d in districts]
    totals = {
        3: (len(districts), '0" đơn vị phải gửi"'),
        4: (sum(1 for d in districts if d.received), '0" đã nhận"'),
        5: (len(accepted), '0" hợp lệ"'),
        8: (sum(1 for d in accepted if d.on_time), '0" đúng hạn"'),
        9: (sum(d.errors for d in districts if d.received), "0"),
        10: (sum(d.warnings for d in districts if d.received), "0"),
        11: (sum(c[0] or 0 for c in cells), "0"),
        12: (sum(c[1] or 0 for c in cells), "0"),
        13: (sum(c[2] or 0 for c in cells), "0"),
    }
    put_merged(ws, row, (1, 2), "Cộng", centre_style(bold=True))
    for column in range(3, len(SUBMISSION_COLUMNS) + 1):
        if column in totals:
            value, number_format = totals[column]
            put(ws, row, column, value, Style(font(11, bold=True), CENTER,
                                              centre_style().border, number_format))
        else:
            grid(ws, row, [column])


def build_submissions_sheet(ws: Worksheet, data: ProvinceMonth) -> None:
    last_column = len(SUBMISSION_COLUMNS)
    set_widths(ws, [w for _, w in SUBMISSION_COLUMNS])
    write_title(ws, data, "TÌNH HÌNH GỬI TỆP DỮ LIỆU CỦA CÁC ĐẢNG BỘ", last_column)
    write_header_row(ws, HEADER_ROW, [label for label, _ in SUBMISSION_COLUMNS], height=45)
    row = HEADER_ROW + 1
    for number, district in enumerate(sorted(data.districts, key=lambda d: d.unit.code), 1):
        write_submission_row(ws, row, number, submission_values(data, district))
        row += 1
    write_submission_totals(ws, row, data)
    last = note(ws, row + 2, last_column,
                "Số chi bộ: theo tệp dữ liệu hợp lệ của đơn vị; đơn vị chưa có tệp hợp lệ: số "
                "chi bộ phải báo cáo theo danh mục đơn vị của tỉnh.", italic=True) - 1
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", last_row=last,
                last_column=last_column)


# ---------------------------------------------------------------- ChiTieu


def target_columns(month: int) -> tuple[tuple[str, float], ...]:
    # two A4 landscape pages across at 11 pt: E–I, then J–L beside A–D again
    return (
        ("STT", 5), ("Đảng bộ", 22), ("Mã", 6), ("Đối tượng", 9.5),
        ("Kết nạp từ đầu năm (TH12)", 10), ("Chỉ tiêu năm", 9),
        ("Tỷ lệ đạt chỉ tiêu", 8), (f"Cần đạt đến hết tháng {month} (chỉ tiêu × {month}/12)", 13),
        ("Chênh lệch so với tiến độ", 10), ("Tiến độ", 11), ("Còn phải kết nạp", 9),
        ("Ghi chú", 22),
    )


def progress(data: ProvinceMonth, districts: list[UnitStatus], population: str,
             ) -> Progress:
    """Admissions of the units with valid data against the registry's targets of every
    unit in ``districts`` (a unit without valid data keeps its target, never a smaller
    denominator); no admissions figure when none of them has data."""
    month = int(data.period[5:7])
    codes = [d.unit.code for d in districts if d.has_data]
    populations = POPULATIONS if population == TOTAL else (population,)
    targets = [data.targets[(d.unit.code, p)] for d in districts for p in populations
               if (d.unit.code, p) in data.targets]
    return Progress(data.value(codes, population, "TH12") if codes else None,
                    sum(targets) if targets else None, month,
                    behind_pace_from(data.period, data.unit.level))


def write_progress(ws: Worksheet, row: int, found: Progress, *, bold: bool = False) -> None:
    """Columns E–K of one line."""
    values: list[tuple[object, str | None]] = [
        (found.year_to_date, None), (found.target, None), (found.percent, PERCENT_FORMAT),
        (None if found.expected is None else float(found.expected), ONE_DECIMAL_FORMAT),
        (None if found.gap is None else float(found.gap), SIGNED_FORMAT),
        (found.pace, None), (found.remaining, None),
    ]
    for column, (value, number_format) in enumerate(values, start=5):
        if value is None:
            grid(ws, row, [column])
        elif isinstance(value, str):
            put(ws, row, column, value, centre_style(bold=bold or value == BEHIND))
            fit_row(ws, row, {column: value})  # a wrapped word must not print over the next
        else:
            put(ws, row, column, value, number_style(bold=bold, number_format=number_format))


def flag(found: Progress, population: str) -> str | None:
    if population == "hoc_sinh" and found.year_to_date == 0:
        return NO_STUDENT
    if population == "vien_chuc" and found.pace == BEHIND:
        return STAFF_BEHIND
    return None


def build_targets_sheet(ws: Worksheet, data: ProvinceMonth) -> None:
    columns = target_columns(int(data.period[5:7]))
    set_widths(ws, [w for _, w in columns])
    write_title(ws, data, "TIẾN ĐỘ THỰC HIỆN CHỈ TIÊU KẾT NẠP ĐẢNG VIÊN", len(columns))
    write_header_row(ws, HEADER_ROW, [label for label, _ in columns], height=60)
    row = HEADER_ROW + 1
    for number, district in enumerate(data.by_code(), 1):
        first = row
        for population in POPULATIONS:
            put(ws, row, 4, POPULATION_LABELS[population], text_style())
            found = progress(data, [district], population)
            write_progress(ws, row, found)
            text = flag(found, population) if district.has_data else None
            if text:
                put(ws, row, 12, text, text_style(bold=True, color=RED))
            elif district.has_data:
                grid(ws, row, [12])
            row += 1
        write_unit_cells(ws, first, row - 1, number, district)
        if not district.has_data:
            put(ws, first, 12, no_data_text(NO_DATA_REASONS[district.state]),
                text_style(italic=True))
            merge_down(ws, first, row - 1, [12])
            fit_row(ws, first, {12: no_data_text(NO_DATA_REASONS[district.state])}, rows=2)
    for population in EXPORT_POPULATIONS:
        label = "Cộng toàn tỉnh" if population == TOTAL else (
            f"Cộng {POPULATION_LABELS[population].lower()}")
        put_merged(ws, row, (1, 4), total_line_label(data, label),
                   text_style(bold=True, wrap=False))
        write_progress(ws, row, progress(data, data.districts, population), bold=True)
        if data.with_data():
            grid(ws, row, [12])
        else:
            put(ws, row, 12, NO_DATA, text_style(bold=True, italic=True))
        row += 1
    last = note(ws, row + 1, len(columns),
                "Chỉ tiêu năm: chỉ tiêu được giao theo danh mục của tỉnh (tổng chỉ tiêu các chi "
                "bộ), tính cho mọi đơn vị kể cả đơn vị chưa có số liệu hợp lệ; lũy kế kết nạp: "
                "theo tệp dữ liệu hợp lệ của các đảng bộ.", italic=True) - 1
    print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", last_row=last,
                last_column=len(columns))


# ---------------------------------------------------------------- CoCau

BREAKDOWN_GROUPS = (("TH05", "Quần chúng cảm tình đảng (TH05)"),
                    ("TH11", "Kết nạp trong tháng (TH11)"),
                    ("TH12", "Kết nạp từ đầu năm (TH12)"))
BREAKDOWN_LABELS = {"tong": "Tổng số", "nu": "Nữ", "dan_toc_thieu_so": "Dân tộc thiểu số",
                    "ton_giao": "Có tôn giáo", "doan_vien": "Đoàn viên"}
# three A4 landscape pages across at 11 pt, one a group (TH05, TH11, TH12)
BREAKDOWN_FIXED = (("STT", 5), ("Đảng bộ", 22), ("Mã", 6), ("Đối tượng", 9.5))


def write_breakdown_values(ws: Worksheet, row: int, data: ProvinceMonth, codes: list[str],
                           population: str, *, bold: bool = False) -> None:
    column = len(BREAKDOWN_FIXED) + 1
    for indicator, _label in BREAKDOWN_GROUPS:
        for breakdown in BREAKDOWNS:
            put(ws, row, column, data.value(codes, population, indicator, breakdown),
                number_style(bold=bold))
            column += 1


def write_breakdown_header(ws: Worksheet) -> None:
    fixed = len(BREAKDOWN_FIXED)
    write_header_row(ws, HEADER_ROW, [label for label, _ in BREAKDOWN_FIXED])
    for column in range(1, fixed + 1):
        merge_down(ws, HEADER_ROW, HEADER_ROW + 1, [column])
    for n, (_indicator, label) in enumerate(BREAKDOWN_GROUPS):
        first = fixed + 1 + n * len(BREAKDOWNS)
        put_merged(ws, HEADER_ROW, (first, first + len(BREAKDOWNS) - 1), label,
                   centre_style(bold=True))
        write_header_row(ws, HEADER_ROW + 1, [BREAKDOWN_LABELS[b] for b in BREAKDOWNS],
                         first_column=first, height=32)


def build_breakdowns_sheet(ws: Worksheet, data: ProvinceMonth) -> None:
    last_column = len(BREAKDOWN_FIXED) + len(BREAKDOWN_GROUPS) * len(BREAKDOWNS)
    set_widths(ws, [w for _, w in BREAKDOWN_FIXED] + [8.5] * (last_column - 4))
    write_title(ws, data, "CƠ CẤU QUẦN CHÚNG CẢM TÌNH ĐẢNG VÀ ĐẢNG VIÊN MỚI KẾT NẠP",
                last_column)
    write_breakdown_header(ws)
    row = HEADER_ROW + 2
    for number, district in enumerate(data.with_data(), start=1):
        first = row
        for population in POPULATIONS:
            put(ws, row, 4, POPULATION_LABELS[population], text_style())
            write_breakdown_values(ws, row, data, [district.unit.code], population)
            row += 1
        write_unit_cells(ws, first, row - 1, number, district)
    codes = data.data_codes()
    for population in EXPORT_POPULATIONS:
        label = "Cộng toàn tỉnh" if population == TOTAL else (
            f"Cộng {POPULATION_LABELS[population].lower()}")
        put_merged(ws, row, (1, 4), total_line_label(data, label),
                   text_style(bold=True, wrap=False))
        if codes:
            write_breakdown_values(ws, row, data, codes, population, bold=True)
        else:
            put_merged(ws, row, (len(BREAKDOWN_FIXED) + 1, last_column), NO_DATA,
                       centre_style(bold=True))
        row += 1
    last = note(ws, row + 1, last_column,
                "Dân tộc thiểu số: không phải dân tộc Kinh. Số liệu theo tệp dữ liệu hợp lệ "
                "của các đảng bộ; tệp dữ liệu không có cơ cấu theo độ tuổi.", italic=True) - 1
    print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW + 1}", last_row=last,
                last_column=last_column)
