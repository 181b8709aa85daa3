"""The Political Center's course register, form BC-BDNTVĐ/1: one row per attendee of a
Party-awareness course (BDNTVĐ), with the result and the certificate issued. The district
uses it to check the certificates the cells claim (rule C01).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from core.register import COURSE_COLUMNS, FAILED, PASSED, SHEET_ATTENDEES
from core.xlsxio import deterministic_xlsx

COURSE_HEADER_ROW = 4  # row 1 centre name, row 2 title, row 3 course
COURSE_FIRST_ROW = COURSE_HEADER_ROW + 1

_DATE_FIELDS = frozenset({"birth_date", "date_from", "date_to", "cert_date"})
_WIDTHS = {"stt": 6, "full_name": 26, "birth_date": 12, "pid": 16, "unit_code": 10,
           "course_code": 12, "date_from": 12, "date_to": 12, "passed": 11, "cert_no": 15,
           "cert_date": 13}
_FONT = Font(name="Times New Roman", size=12)
_BOLD = Font(name="Times New Roman", size=12, bold=True)
_TITLE = Font(name="Times New Roman", size=14, bold=True)
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


@dataclass(frozen=True)
class CourseRecord:
    """One attendee of a course. ``cert_no``/``cert_date`` are None when not passed."""

    stt: int
    full_name: str
    birth_date: date
    pid: str | None
    unit_code: str
    course_code: str
    date_from: date
    date_to: date
    passed: bool
    cert_no: str | None
    cert_date: date | None


def _cell_value(record: CourseRecord, field: str) -> Any:
    value = getattr(record, field)
    if field == "passed":
        return PASSED if value else FAILED
    return value


def _merged_line(ws: Any, row: int, text: str, font: Font, width: int) -> None:
    cell = ws.cell(row=row, column=1, value=text)
    cell.font = font
    cell.alignment = _CENTER
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def write_course_register(records: Iterable[CourseRecord], *, course_code: str | None,
                          title: str) -> bytes:
    """The register workbook (sheet ``HocVien``) for ``records``, as reproducible bytes.

    ``course_code`` is printed above the table; pass None for a register that lists
    several courses (each row carries its own ``Khóa học``).
    """
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_ATTENDEES
    width = len(COURSE_COLUMNS)
    _merged_line(ws, 1, "TRUNG TÂM CHÍNH TRỊ", _BOLD, width)
    _merged_line(ws, 2, title, _TITLE, width)
    if course_code:
        _merged_line(ws, 3, f"Khóa học: {course_code}", _FONT, width)

    for col, (field, label) in enumerate(COURSE_COLUMNS.items(), start=1):
        cell = ws.cell(row=COURSE_HEADER_ROW, column=col, value=label)
        cell.font, cell.alignment, cell.border = _BOLD, _CENTER, _BORDER
        ws.column_dimensions[get_column_letter(col)].width = _WIDTHS[field]

    for row, record in enumerate(records, start=COURSE_FIRST_ROW):
        for col, field in enumerate(COURSE_COLUMNS, start=1):
            cell = ws.cell(row=row, column=col, value=_cell_value(record, field))
            cell.font, cell.border = _FONT, _BORDER
            if field in _DATE_FIELDS:
                cell.number_format = "dd/mm/yyyy"
            elif field == "pid":
                cell.number_format = "@"  # text: keep the leading zero

    ws.freeze_panes = f"C{COURSE_FIRST_ROW}"
    return deterministic_xlsx(wb)
