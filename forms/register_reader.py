"""Reading the Political Center's course register (form BC-BDNTVĐ/1, sheet HocVien)."""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from core.limits import DEFAULT_LIMITS, Limits
from core.register import (
    COURSE_COLUMNS,
    FAILED,
    PASSED,
    REGISTER_SHEET,
    CourseRegister,
    RegisterRow,
)
from core.text import key
from forms.errors import MissingHeaderRow, MissingSheet
from forms.reader import find_header_row, find_sheet, load_sheets
from forms.values import BadValue, parse_date, parse_int, parse_pid, parse_text

DATE_FIELDS = ("birth_date", "date_from", "date_to", "cert_date")
_RESULTS = {key(PASSED): True, key(FAILED): False}


def read_course_register(content: bytes, limits: Limits = DEFAULT_LIMITS) -> CourseRegister:
    sheets = load_sheets(content, limits)
    found = find_sheet(sheets.grids, REGISTER_SHEET)
    if found is None:
        raise MissingSheet("Thiếu trang tính HocVien của sổ học viên.", sheet=REGISTER_SHEET)
    _name, grid = found
    hit = find_header_row(grid, COURSE_COLUMNS, ("full_name", "cert_no"))
    if hit is None:
        raise MissingHeaderRow("Trang HocVien không có dòng tiêu đề.", sheet=REGISTER_SHEET)
    header_row, columns = hit
    rows = []
    for r in range(header_row + 1, len(grid)):
        cells = grid[r]
        raw = {f: cells[c] if c < len(cells) else None for f, c in columns.items()}
        if _is_data(raw):
            rows.append(_row(r + 1, raw, sheets.container.date1904))
    return CourseRegister(rows, {f: get_column_letter(c + 1) for f, c in columns.items()},
                          header_row + 1)


def _is_data(raw: dict[str, object]) -> bool:
    try:
        return parse_int(raw.get("stt")) is not None
    except BadValue:
        return False


def _row(excel_row: int, raw: dict[str, object], date1904: bool) -> RegisterRow:
    row = RegisterRow(excel_row=excel_row)
    for name, value in raw.items():
        if name == "stt":
            continue
        try:
            setattr(row, name, _value(name, value, date1904))
        except BadValue:
            row.invalid[name] = parse_text(value) or ""
    return row


def _value(name: str, value: object, date1904: bool) -> object:
    if name in DATE_FIELDS:
        return parse_date(value, date1904=date1904)
    if name == "pid":
        return parse_pid(value)
    if name == "passed":
        text = parse_text(value)
        if text is None:
            return None
        if key(text) not in _RESULTS:
            raise BadValue(text)
        return _RESULTS[key(text)]
    return parse_text(value)
