"""Sheets of the district workbook about the cells' reports themselves.

- TinhHinhNopBaoCao: completeness and timeliness — how many cells had to report, sent,
  have a valid report, on time or late, and which have none; then one line per cell.
- KiemTra: the validation outcome per cell — errors, warnings, feedback sent, result.
"""

from __future__ import annotations

from datetime import datetime

from openpyxl.worksheet.worksheet import Worksheet

from core.month import MonthData, UnitStatus
from reports.cells import Style, put, put_merged, set_widths
from reports.export import report_counts
from reports.sheetstyle import (
    DATETIME_FORMAT,
    GRID,
    PERCENT_FORMAT,
    centre_style,
    fit_row,
    font,
    grid,
    note,
    number_style,
    print_setup,
    text_lines,
    text_style,
    write_header_row,
    write_sheet_title,
)

SHEET_SUBMISSIONS = "TinhHinhNopBaoCao"
SHEET_CHECKS = "KiemTra"

STATUS_ACCEPTED, STATUS_REJECTED, STATUS_MISSING = "Hợp lệ", "Bị trả lại", "Chưa nộp"
RECEIVED, NOT_RECEIVED = "Đã nhận", "Chưa nhận"
ON_TIME, LATE = "Đúng hạn", "Trễ hạn"
FEEDBACK_SENT, NO_FEEDBACK = "Đã gửi", "–"

SUBMISSIONS_TITLE = "TÌNH HÌNH NỘP BÁO CÁO CỦA CÁC CHI BỘ"
# Within the width of an A4 landscape page (sheetstyle.page_width): printed at 11 pt.
SUBMISSION_COLUMNS = (
    ("STT", 5), ("Mã chi bộ", 8), ("Tên chi bộ", 20), ("Tiếp nhận", 10), ("Kết quả", 10),
    ("Phiên bản", 8), ("Thời điểm nhận", 15.5), ("Đúng hạn", 11), ("Số lỗi", 6),
    ("Số cảnh báo", 8),
)
SUMMARY_HEADER = ("STT", "Nội dung", "Số chi bộ", "Tỷ lệ")
SUMMARY_ROW = 4
ON_TIME_NOTE = ("Đúng hạn: bản báo cáo hợp lệ đầu tiên của chi bộ đến trước hạn nộp. "
                "Thời điểm nhận và phiên bản là của bản báo cáo đang dùng (hoặc bản nhận "
                "sau cùng nếu chưa có bản hợp lệ).")

CHECKS_TITLE = "KẾT QUẢ KIỂM TRA BÁO CÁO CỦA CÁC CHI BỘ"
CHECK_COLUMNS = (
    ("STT", 5), ("Mã chi bộ", 8), ("Tên chi bộ", 21), ("Phiên bản", 8), ("Số lỗi", 6),
    ("Số cảnh báo", 8), ("Phản hồi", 9), ("Kết quả", 10), ("Việc cần làm", 24),
)
CHECK_HEADER_ROW = 4
TODO_REJECTED = "Chi bộ sửa lỗi theo phản hồi và gửi lại"
TODO_WARNINGS = "Chi bộ xem lại các cảnh báo"
TODO_MISSING = "Đôn đốc chi bộ nộp báo cáo"
CHECKS_NOTE = ("Lỗi làm báo cáo bị trả lại; cảnh báo không làm báo cáo bị trả lại nhưng "
               "chi bộ cần xem lại. Mỗi báo cáo nhận được đều có phản hồi gửi lại chi bộ.")


def submission_status(cell: UnitStatus) -> str:
    if cell.accepted:
        return STATUS_ACCEPTED
    return STATUS_REJECTED if cell.received else STATUS_MISSING


def by_code(month: MonthData) -> list[UnitStatus]:
    return sorted(month.cells, key=lambda c: c.unit.code)


def completeness(month: MonthData) -> dict[str, int]:
    """Expected, received, accepted, on time, late, without a valid report, returned,
    missing. ``on time`` is ``report_counts``' REPORTS_ON_TIME (the upward data file's)."""
    counts = report_counts(month)
    expected, accepted = counts["REPORTS_EXPECTED"], counts["REPORTS_ACCEPTED"]
    received = sum(1 for c in month.cells if c.received)
    return {
        "expected": expected,
        "received": received,
        "accepted": accepted,
        "on_time": counts["REPORTS_ON_TIME"],
        "late": accepted - counts["REPORTS_ON_TIME"],
        "no_valid": expected - accepted,
        "returned": sum(1 for c in month.cells if c.received and not c.accepted),
        "missing": expected - received,
    }


# (number, label, key); a blank number marks a "of which" line.
SUMMARY_LINES = (
    ("1", "Chi bộ phải báo cáo", "expected"),
    ("2", "Đã nhận báo cáo", "received"),
    ("3", "Có báo cáo hợp lệ", "accepted"),
    ("", "– trong đó: đúng hạn", "on_time"),
    ("", "– trong đó: trễ hạn", "late"),
    ("4", "Chưa có báo cáo hợp lệ", "no_valid"),
    ("", "– trong đó: bị trả lại, chưa gửi lại bản hợp lệ", "returned"),
    ("", "– trong đó: chưa nộp", "missing"),
)


def write_summary_block(ws: Worksheet, row: int, month: MonthData) -> int:
    """The counts with their share of the expected cells; returns the next free row."""
    counts = completeness(month)
    header = Style(font(11, bold=True), centre_style().alignment, GRID)
    put(ws, row, 1, SUMMARY_HEADER[0], header)
    put_merged(ws, row, (2, 3), SUMMARY_HEADER[1], header)
    put(ws, row, 4, SUMMARY_HEADER[2], header)
    put(ws, row, 5, SUMMARY_HEADER[3], header)
    for number, label, key in SUMMARY_LINES:
        row += 1
        main = bool(number)
        if main:
            put(ws, row, 1, int(number), centre_style(bold=True))
        else:
            grid(ws, row, [1])
        put_merged(ws, row, (2, 3), label, text_style(bold=main, italic=not main))
        fit_merged(ws, row, label, (2, 3))
        put(ws, row, 4, counts[key], number_style(bold=main))
        if counts["expected"]:
            put(ws, row, 5, counts[key] / counts["expected"],
                number_style(bold=main, number_format=PERCENT_FORMAT))
        else:
            grid(ws, row, [5])
    return row + 1


def fit_merged(ws: Worksheet, row: int, text: str, columns: tuple[int, int]) -> None:
    """A merged cell never grows by itself: ``row`` as high as ``text`` wraps there."""
    lines = text_lines(ws, text, columns, 11)
    if lines > 1:
        ws.row_dimensions[row].height = 15 * lines + 2


def submission_values(cell: UnitStatus) -> list[object]:
    """Columns Mã chi bộ … Số cảnh báo of one expected cell (None = blank)."""
    received_at = cell.received_at.replace(tzinfo=None) if cell.received_at else None
    on_time = (ON_TIME if cell.on_time else LATE) if cell.accepted else None
    return [
        cell.unit.code,
        cell.unit.name,
        RECEIVED if cell.received else NOT_RECEIVED,
        submission_status(cell),
        cell.version,
        received_at,
        on_time,
        cell.errors if cell.received else None,
        cell.warnings if cell.received else None,
    ]


def write_submission_row(ws: Worksheet, row: int, number: int, cell: UnitStatus) -> None:
    text, middle = text_style(), centre_style()
    put(ws, row, 1, number, middle)
    for column, value in enumerate(submission_values(cell), start=2):
        style = text if column == 3 else middle
        if isinstance(value, datetime):
            style = Style(style.font, style.alignment, GRID, DATETIME_FORMAT)
        if value is None:
            grid(ws, row, [column])
        else:
            put(ws, row, column, value, style)


def write_submission_totals(ws: Worksheet, row: int, month: MonthData) -> None:
    """One totals line: expected, received, accepted, on time (numbers with a unit word)."""
    counts = completeness(month)
    bold = font(11, bold=True)
    put_merged(ws, row, (1, 2), "Cộng", Style(bold, centre_style().alignment, GRID))
    totals = {
        3: (counts["expected"], '0" chi bộ phải báo cáo"'),
        4: (counts["received"], '0" đã nhận"'),
        5: (counts["accepted"], '0" hợp lệ"'),
        8: (counts["on_time"], '0" đúng hạn"'),
        9: (sum(c.errors for c in month.cells if c.received), "0"),
        10: (sum(c.warnings for c in month.cells if c.received), "0"),
    }
    for column in range(3, len(SUBMISSION_COLUMNS) + 1):
        if column in totals:
            value, number_format = totals[column]
            put(ws, row, column, value, Style(bold, centre_style().alignment, GRID,
                                              number_format))
        else:
            grid(ws, row, [column])


def build_submissions_sheet(ws: Worksheet, month: MonthData) -> int:
    """Completeness and timeliness; returns the row of the per-cell table's header."""
    last_column = len(SUBMISSION_COLUMNS)
    set_widths(ws, [w for _, w in SUBMISSION_COLUMNS])
    write_sheet_title(ws, month, SUBMISSIONS_TITLE, last_column)
    row = write_summary_block(ws, SUMMARY_ROW, month)
    header = row + 1
    write_header_row(ws, header, [label for label, _ in SUBMISSION_COLUMNS], height=30)
    row = header + 1
    for number, cell in enumerate(by_code(month), start=1):
        write_submission_row(ws, row, number, cell)
        fit_row(ws, row, {3: cell.unit.name})
        row += 1
    write_submission_totals(ws, row, month)
    last = note(ws, row + 2, last_column, ON_TIME_NOTE, italic=True) - 1
    print_setup(ws, title_rows=f"{header}:{header}", last_row=last, last_column=last_column)
    return header


# ---------------------------------------------------------------- sheet KiemTra


def todo(cell: UnitStatus) -> str | None:
    if not cell.received:
        return TODO_MISSING
    if not cell.accepted:
        return TODO_REJECTED
    return TODO_WARNINGS if cell.warnings else None


def check_values(cell: UnitStatus) -> list[object]:
    """Columns Mã chi bộ … Việc cần làm of one expected cell (None = blank)."""
    return [
        cell.unit.code,
        cell.unit.name,
        cell.version,
        cell.errors if cell.received else None,
        cell.warnings if cell.received else None,
        FEEDBACK_SENT if cell.received else NO_FEEDBACK,
        submission_status(cell),
        todo(cell),
    ]


def build_checks_sheet(ws: Worksheet, month: MonthData) -> None:
    last_column = len(CHECK_COLUMNS)
    set_widths(ws, [w for _, w in CHECK_COLUMNS])
    write_sheet_title(ws, month, CHECKS_TITLE, last_column)
    write_header_row(ws, CHECK_HEADER_ROW, [label for label, _ in CHECK_COLUMNS], height=30)
    row = CHECK_HEADER_ROW + 1
    for number, cell in enumerate(by_code(month), start=1):
        put(ws, row, 1, number, centre_style())
        for column, value in enumerate(check_values(cell), start=2):
            if value is None:
                grid(ws, row, [column])
            elif isinstance(value, int):
                put(ws, row, column, value, centre_style())
            else:
                rejected = value == STATUS_REJECTED
                style = centre_style(bold=rejected) if column in (7, 8) else text_style()
                put(ws, row, column, value, style)
        fit_row(ws, row, {3: cell.unit.name, 9: todo(cell)})
        row += 1
    received = [c for c in month.cells if c.received]
    bold = font(11, bold=True)
    put_merged(ws, row, (1, 3), "Cộng", Style(bold, centre_style().alignment, GRID))
    totals = {
        5: (sum(c.errors for c in received), "0"),
        6: (sum(c.warnings for c in received), "0"),
        7: (len(received), '0" đã gửi"'),
        8: (sum(1 for c in month.cells if c.accepted), '0" hợp lệ"'),
    }
    for column in range(4, last_column + 1):
        if column in totals:
            value, number_format = totals[column]
            put(ws, row, column, value, Style(bold, centre_style().alignment, GRID,
                                              number_format))
        else:
            grid(ws, row, [column])
    last = note(ws, row + 2, last_column, CHECKS_NOTE, italic=True) - 1
    ws.freeze_panes = ws.cell(row=CHECK_HEADER_ROW + 1, column=1)
    print_setup(ws, title_rows=f"{CHECK_HEADER_ROW}:{CHECK_HEADER_ROW}", last_row=last,
                last_column=last_column)
