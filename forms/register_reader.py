"""Reading the Political Center's course register (form BC-BDNTVĐ/1, sheet HocVien)."""

from __future__ import annotations

from forms.container import DEFAULT_LIMITS, Limits
from forms.course_register import COURSE_COLUMNS, PASSED, SHEET_ATTENDEES
from forms.errors import MissingHeaderRow, MissingSheet
from forms.reader import find_header_row, find_sheet, load_grids
from forms.text import key
from forms.values import BadValue, parse_date, parse_int, parse_pid, parse_text

REGISTER_SHEET = SHEET_ATTENDEES
REGISTER_COLUMNS = COURSE_COLUMNS
_DATES = ("birth_date", "date_from", "date_to", "cert_date")


def is_course_register(grids: dict[str, list[list[object]]]) -> bool:
    return find_sheet(grids, REGISTER_SHEET) is not None


def read_course_register(content: bytes, limits: Limits = DEFAULT_LIMITS,
                         ) -> list[dict[str, object]]:
    """One dict per learner row (keys as warehouse.models.CourseRecord, plus ``pid``)."""
    grids, _macros = load_grids(content, limits)
    found = find_sheet(grids, REGISTER_SHEET)
    if found is None:
        raise MissingSheet("Thiếu trang tính HocVien của sổ học viên.", sheet=REGISTER_SHEET)
    _name, grid = found
    hit = find_header_row(grid, REGISTER_COLUMNS, ("full_name", "cert_no"))
    if hit is None:
        raise MissingHeaderRow("Trang HocVien không có dòng tiêu đề.", sheet=REGISTER_SHEET)
    header_row, columns = hit
    records = []
    for r in range(header_row + 1, len(grid)):
        cells = grid[r]
        raw = {f: cells[c] if c < len(cells) else None for f, c in columns.items()}
        if not _is_data(raw):
            continue
        records.append({"excel_row": r + 1, **{f: _value(f, raw.get(f))
                                               for f in REGISTER_COLUMNS if f != "stt"}})
    return records


def _is_data(raw: dict[str, object]) -> bool:
    try:
        return parse_int(raw.get("stt")) is not None
    except BadValue:
        return False


def _value(field: str, value: object) -> object:
    try:
        if field in _DATES:
            return parse_date(value)
        if field == "pid":
            return parse_pid(value)
        if field == "passed":
            return key(value) == key(PASSED)
        return parse_text(value)
    except BadValue:
        return None
