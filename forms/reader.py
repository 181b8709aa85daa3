"""Reading a BC-PTĐ-HS/1 workbook into a CellReport, or raising a named ReadError.

Pure: bytes in, plain data out. python-calamine reads .xlsx, .xlsm, .xls and .ods alike
and never runs macros; the container is checked first (forms.container).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from xml.etree import ElementTree

from openpyxl.utils import get_column_letter
from python_calamine import CalamineSheet, CalamineWorkbook, SheetVisibleEnum

from core import layout
from core.counts import derive_roster_counts
from core.errors import ReadError
from core.form import CellRef, CellReport, Header, RosterRow, SummaryLine
from core.limits import DEFAULT_LIMITS, Limits
from core.periods import InvalidPeriod, parse_period
from core.text import clean, fold, key
from forms.container import Container, check_extent, inspect_container
from forms.errors import (
    AmbiguousSheet,
    CorruptWorkbook,
    MissingHeaderRow,
    MissingSheet,
    NotACellReport,
    RosterTooLong,
)
from forms.legacy_cells import convert_legacy_text
from forms.values import BadValue, parse_coded, parse_date, parse_int, parse_pid, parse_text

Grid = list[list[object]]
HEADER_SEARCH_ROWS = 40
UNREADABLE = "Không đọc được nội dung bảng tính (tệp bị hỏng hoặc sai định dạng)."
_CODE = re.compile(r"^TH\d{2}$")


@dataclass(frozen=True)
class Sheets:
    """Every sheet of a workbook as a grid, and what the container says about it."""

    grids: dict[str, Grid]
    container: Container
    hidden: frozenset[str] = frozenset()  # sheets hidden or "very hidden" in the workbook


def load_sheets(content: bytes, limits: Limits = DEFAULT_LIMITS) -> Sheets:
    """All sheets as grids in Excel coordinates (row 1 = index 0)."""
    container = inspect_container(content, limits)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        hidden = frozenset(m.name for m in workbook.sheets_metadata
                           if m.visible != SheetVisibleEnum.Visible)
        grids = {}
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            _check_extent(sheet, limits)
            grids[name] = sheet.to_python(skip_empty_area=False)
    except ReadError:
        raise
    except Exception as exc:  # calamine raises several untyped errors on broken files
        raise CorruptWorkbook(UNREADABLE) from exc
    except BaseException as exc:
        if not _is_rust_panic(exc):
            raise
        # A panic inside calamine reaches Python as pyo3's PanicException, which derives
        # from BaseException: a date-formatted cell holding a number like -1e20 panics in
        # its date conversion (found by tests/unit/test_reader_properties.py).
        raise CorruptWorkbook(
            "Không đọc được nội dung bảng tính: có ô chứa giá trị không đọc được (ví dụ ô "
            "định dạng ngày tháng chứa một số quá lớn hoặc quá nhỏ). Đề nghị kiểm tra lại "
            "các ô ngày tháng rồi gửi lại."
        ) from exc
    return Sheets(grids, container, hidden)


def _check_extent(sheet: CalamineSheet, limits: Limits) -> None:
    """The sheet's extent again, before its grid is made. The container counts the cells
    that name their place (``r="B7"``), but ``r`` is optional: a cell without it sits in
    the ``<row r="900000">`` around it, and reading 200,000 such rows took 19 s (found
    while writing tests/unit/test_reader_properties.py)."""
    if sheet.end is None:  # an empty sheet
        return
    check_extent(sheet.end[0] + 1, sheet.end[1] + 1, limits, sheet.name)  # 0-based end


def _is_rust_panic(exc: BaseException) -> bool:
    """pyo3's PanicException cannot be imported by name (its module is made at run time)."""
    return type(exc).__name__ == "PanicException"


def load_grids(content: bytes, limits: Limits = DEFAULT_LIMITS) -> tuple[dict[str, Grid], bool]:
    """All sheets as grids, and the macro flag."""
    sheets = load_sheets(content, limits)
    return sheets.grids, sheets.container.has_macros


def find_sheet(grids: dict[str, Grid], wanted: str) -> tuple[str, Grid] | None:
    for name, grid in grids.items():
        if key(name) == key(wanted):
            return name, grid
    return None


def find_form_sheet(sheets: Sheets, wanted: str) -> tuple[str, Grid] | None:
    """The one sheet of the workbook that is the form's ``wanted`` sheet. Two that match
    ("ThongTin" and a hidden "Thông tin") are ambiguous: which one the sender meant cannot
    be told, and reading the hidden one would let it decide the unit (rule F11)."""
    matches = [name for name in sheets.grids if key(name) == key(wanted)]
    if len(matches) > 1:
        shown = ", ".join(f"«{n}»{' (đang ẩn)' if n in sheets.hidden else ''}" for n in matches)
        raise AmbiguousSheet(
            f"Tệp có {len(matches)} trang tính cùng là trang {wanted}: {shown}. Đề nghị chỉ "
            "giữ một trang (xóa trang thừa, kể cả trang đang ẩn) rồi gửi lại.",
            sheet=matches[0])
    return (matches[0], sheets.grids[matches[0]]) if matches else None


def read_cell_report(content: bytes, limits: Limits = DEFAULT_LIMITS) -> CellReport:
    sheets = load_sheets(content, limits)
    grids, date1904 = sheets.grids, sheets.container.date1904
    found = {name: find_form_sheet(sheets, name) for name in layout.REQUIRED_SHEETS}
    missing = [name for name, hit in found.items() if hit is None]
    if len(missing) == len(found) and find_sheet(grids, "HocVien"):
        raise NotACellReport("Tệp là sổ học viên lớp bồi dưỡng, không phải báo cáo chi bộ.")
    if missing:
        raise MissingSheet(
            f"Thiếu trang tính {', '.join(missing)}; đề nghị dùng đúng biểu mẫu BC-PTĐ-HS/1.",
            sheet=missing[0],
        )
    info_name, info = found[layout.SHEET_INFO]
    summary_name, summary = found[layout.SHEET_SUMMARY]
    roster_name, roster = found[layout.SHEET_ROSTER]
    encoding = convert_legacy_text(content, sheets.container.kind, grids,
                                   (info_name, summary_name, roster_name))
    report = CellReport(header=read_header(info, info_name, date1904=date1904), summary={},
                        roster=[], has_macros=sheets.container.has_macros,
                        legacy_encoding=encoding,
                        sheet_names={layout.SHEET_INFO: info_name,
                                     layout.SHEET_SUMMARY: summary_name,
                                     layout.SHEET_ROSTER: roster_name},
                        hidden_sheets=tuple(n for n in (info_name, summary_name, roster_name)
                                            if n in sheets.hidden))
    read_summary(summary, summary_name, report)
    read_roster(roster, roster_name, report, date1904=date1904,
                max_rows=limits.max_roster_rows)
    count_unsaved_formulas(content, sheets.container, summary_name, report)
    return report


# ---- ThongTin -------------------------------------------------------------------------

_LABEL_KEYS = {key(label): field for field, (label, _required) in layout.INFO_FIELDS.items()}


def read_header(grid: Grid, sheet: str, *, date1904: bool = False) -> Header:
    """``date1904``: the workbook counts date serials from 1904 (its dates typed as plain
    numbers need it; cells formatted as dates come already converted)."""
    header = Header()
    for r, row in enumerate(grid[: layout.INFO_SEARCH_ROWS]):
        for c, cell in enumerate(row):
            field = _LABEL_KEYS.get(key(cell)) if isinstance(cell, str) else None
            if field is None or field in header.cells:
                continue
            value, col = _value_right_of(row, c)
            header.cells[field] = CellRef(sheet, r + 1, get_column_letter(col + 1))
            _set_header_field(header, field, value, date1904)
    return header


def _value_right_of(row: list[object], c: int) -> tuple[object, int]:
    for j in range(c + 1, len(row)):
        if row[j] not in ("", None):
            return row[j], j
    return None, c + 1  # an empty value: point at the cell where it belongs


def _set_header_field(header: Header, field: str, value: object, date1904: bool) -> None:
    try:
        if field == "period":
            parsed: object = parse_period_value(value, date1904=date1904)
        elif field == "report_date":
            parsed = parse_date(value, date1904=date1904)
        else:
            parsed = parse_text(value)
    except BadValue:
        header.invalid[field] = parse_text(value) or ""
        return
    if field in ("unit_code", "form_version") and isinstance(parsed, str):
        parsed = canonical_code(parsed, field)
    setattr(header, field, parsed)


def canonical_code(text: str, field: str) -> str:
    """Codes are not case-sensitive ("bl01"); the form version may be typed without its
    diacritic ("BC-PTD-HS/1")."""
    if field == "form_version":
        known = {key(v): v for v in layout.KNOWN_FORM_VERSIONS}
        return known.get(key(text), text)
    return text.upper().replace(" ", "")


_MONTH_YEAR = re.compile(r"^(?:thang\s*)?(\d{1,2})\s*(?:/|-|\.|nam)\s*(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def parse_period_value(value: object, *, date1904: bool = False) -> str | None:
    """``03/2024``, ``3/2024``, ``Tháng 3/2024``, ``tháng 03 năm 2024``, ``2024-03`` or a date."""
    if value in (None, ""):
        return None
    text = parse_text(value) or ""
    try:
        found = _period_text(value, text, date1904)
        return None if found is None else parse_period(found)
    except InvalidPeriod as exc:  # "03/1500": a typo, not a month to file a report under
        raise BadValue(text) from exc


def _period_text(value: object, text: str, date1904: bool) -> str | None:
    if isinstance(value, date):
        return f"{value.year:04d}-{value.month:02d}"
    plain = fold(text)
    for pattern, (mi, yi) in ((_MONTH_YEAR, (1, 2)), (_YEAR_MONTH, (2, 1))):
        match = pattern.match(plain)
        if match:
            return f"{int(match.group(yi)):04d}-{int(match.group(mi)):02d}"
    day = parse_date(value, date1904=date1904)  # any date in the month, else BadValue
    return None if day is None else f"{day.year:04d}-{day.month:02d}"


# ---- TongHop --------------------------------------------------------------------------

def find_header_row(grid: Grid, labels: dict[str, str], required: tuple[str, ...],
                    ) -> tuple[int, dict[str, int]] | None:
    """The row (0-based) holding most of ``labels`` and every ``required`` one."""
    wanted = {key(label): field for field, label in labels.items()}
    best: tuple[int, dict[str, int]] | None = None
    for r, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for c, cell in enumerate(row):
            field = wanted.get(key(cell)) if isinstance(cell, str) else None
            if field is not None and field not in columns:
                columns[field] = c
        if len(columns) >= 3 and (best is None or len(columns) > len(best[1])):
            best = (r, columns)
    if best is None or not all(f in best[1] for f in required):
        return None
    return best


def read_summary(grid: Grid, sheet: str, report: CellReport) -> None:
    hit = find_header_row(grid, layout.SUMMARY_HEADERS, ("code", "hoc_sinh", "vien_chuc"))
    if hit is None:
        raise MissingHeaderRow(
            "Trang TongHop không có dòng tiêu đề 'Mã số | Chỉ tiêu | Học sinh | Viên chức'.",
            sheet=sheet,
        )
    header_row, columns = hit
    report.summary_header_row = header_row + 1
    report.summary_columns = {f: get_column_letter(c + 1) for f, c in columns.items()}
    for r in range(header_row + 1, len(grid)):
        row = grid[r]
        code = (clean(_at(row, columns["code"])) or "").upper().replace(" ", "")
        if not _CODE.match(code) or code in report.summary:
            continue
        line = SummaryLine(code=code, excel_row=r + 1)
        for population in layout.POPULATIONS:
            raw = _at(row, columns[population])
            try:
                setattr(line, population, parse_int(raw))
            except BadValue:
                line.invalid[population] = parse_text(raw) or ""
        report.summary[code] = line
    report.missing_summary_codes = tuple(
        c for c in layout.INDICATOR_CODES if c not in report.summary
    )


def _at(row: list[object], c: int) -> object:
    return row[c] if c < len(row) else None


# ---- TongHop: formulas saved without their result -------------------------------------
# The blank form counts TH05–TH12, TH14 and TH15 with formulas over DanhSach. Excel and
# LibreOffice save each formula's result beside it, and that result is what is read above.
# A program that does not calculate (a script writing with openpyxl, some converters) saves
# the formula alone, which reads as an empty cell, 0: the file would be rejected under X01
# for a count nobody typed. Such a cell is counted from the roster instead, as the form
# defines it, and the report names the indicators so counted (``counted_from_roster``).

def count_unsaved_formulas(content: bytes, container: Container, sheet: str,
                           report: CellReport) -> None:
    """Fill the roster indicators whose cells hold a formula without a saved result with
    the counts of ``derive_roster_counts``; record their codes on the report."""
    blank = [(line, population) for code in layout.ROSTER_INDICATORS
             if (line := report.summary.get(code)) is not None
             for population in layout.POPULATIONS
             if getattr(line, population) is None and population not in line.invalid]
    period = report.header.period
    # .xls and LibreOffice's .ods always carry results; only the Office Open XML kinds
    # are written by programs that do not calculate
    if not blank or period is None or container.kind not in ("xlsx", "xlsm"):
        return
    unsaved = unsaved_formula_cells(content, sheet)
    if not unsaved:
        return
    counts = derive_roster_counts(report.roster, period)
    counted: list[str] = []
    for line, population in blank:
        if f"{report.summary_columns[population]}{line.excel_row}" in unsaved:
            setattr(line, population, counts[(population, line.code)])
            if line.code not in counted:
                counted.append(line.code)
    report.counted_from_roster = tuple(counted)


def unsaved_formula_cells(content: bytes, sheet: str) -> frozenset[str]:
    """The cells (``"C8"``) of ``sheet`` holding a formula saved without its result.

    Read after calamine has read the whole file and the container has refused any DTD, so
    the XML is plain; a part this look cannot follow gives no cell (the values read stand).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            part = _sheet_part(archive, sheet)
            return frozenset() if part is None else _unsaved_formulas(archive, part)
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError,
            EOFError, zlib.error):
        return frozenset()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding ``sheet``, through the workbook's relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rel_id = next((value for el in workbook.iter() if _local(el.tag) == "sheet"
                   and el.get("name") == sheet
                   for name, value in el.attrib.items() if _local(name) == "id"), None)
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next((el.get("Target") for el in relations.iter()
                   if _local(el.tag) == "Relationship" and el.get("Id") == rel_id), None)
    if rel_id is None or not target:
        return None
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")


def _unsaved_formulas(archive: zipfile.ZipFile, part: str) -> frozenset[str]:
    found = set()
    with archive.open(part) as stream:
        for _event, el in ElementTree.iterparse(stream):
            name = _local(el.tag)
            if name == "c":
                children = {_local(child.tag): child for child in el}
                value = children.get("v")
                if "f" in children and (value is None or not value.text) and el.get("r"):
                    found.add(str(el.get("r")))
                el.clear()
            elif name == "row":
                el.clear()  # a large sheet is walked, not kept
    return frozenset(found)


# ---- DanhSach -------------------------------------------------------------------------

Parsers = dict[str, Callable[[object], object]]


def roster_parsers(date1904: bool = False) -> Parsers:
    """Field -> parser of a roster cell; text for the fields not listed."""
    dates = partial(parse_date, date1904=date1904)
    return {
        "stt": parse_int, "pid": parse_pid,
        **{f: dates for f in layout.ROSTER_DATE_FIELDS},
        **{f: partial(parse_coded, f) for f in layout.CODED_FIELDS},
    }


def read_roster(grid: Grid, sheet: str, report: CellReport, *, date1904: bool = False,
                max_rows: int | None = None) -> None:
    hit = find_header_row(grid, layout.ROSTER_COLUMNS, ("stt", "full_name"))
    if hit is None:
        raise MissingHeaderRow(
            "Trang DanhSach không có dòng tiêu đề (STT, Họ và tên, Ngày sinh, …).", sheet=sheet
        )
    header_row, columns = hit
    report.roster_header_row = header_row + 1
    report.roster_columns = {f: get_column_letter(c + 1) for f, c in columns.items()}
    report.missing_roster_columns = tuple(
        f for f in layout.REQUIRED_ROSTER_COLUMNS if f not in columns
    )
    if report.missing_roster_columns:
        return  # rows cannot be judged without their columns: F07 says why
    parsers = roster_parsers(date1904)
    for r in range(header_row + 1, len(grid)):
        row = read_roster_row(grid[r], r + 1, columns, parsers)
        if row is not None:
            report.roster.append(row)
            if max_rows is not None and len(report.roster) > max_rows:
                raise too_many_people(max_rows, sheet)


def too_many_people(max_rows: int, sheet: str) -> RosterTooLong:
    return RosterTooLong(
        f"Trang DanhSach có hơn {max_rows} người, nhiều hơn số quần chúng một chi bộ trường "
        "học theo dõi; hệ thống không kiểm tra tệp này. Đề nghị kiểm tra lại trang "
        "DanhSach (có thể đã chép nhầm dữ liệu khác vào) rồi gửi lại.", sheet=sheet)


def read_roster_row(cells: list[object], excel_row: int, columns: dict[str, int],
                    parsers: Parsers | None = None) -> RosterRow | None:
    parsers = parsers or roster_parsers()
    raw = {field: _at(cells, c) for field, c in columns.items()}
    if not _is_data_row(raw, columns, parsers):
        return None
    row = RosterRow(excel_row=excel_row)
    for field, value in raw.items():
        parser = parsers.get(field, parse_text)
        try:
            setattr(row, field, parser(value))
        except BadValue:
            row.invalid[field] = parse_text(value) or ""
    return row


# A row is data when its STT is a number, or it has a date of birth or a stage (the form's
# definition). Under the table sit other rows a person adds, which must not become data:
# a signature block merged across the Ngày sinh or Giai đoạn column ("T/M CHI BỘ",
# "Bảo Lâm, ngày 20 tháng 3 năm 2024"), or the row of column numbers (1, 2, 3 … or
# (1), (2) …) that Vietnamese forms print under their header. So a date of birth or a
# stage counts when it reads as one, or, when it does not, if the row also fills
# ``_OTHER_CELLS_OF_A_PERSON`` other cells of a person (then it is a data row with a bad
# value, for rules R01–R03, never a row to skip).
_PERSON_FIELDS = ("full_name", "gender", "pid", "ethnicity", "religion", "population",
                  "class_or_position", "youth_union", "stage_date")
_OTHER_CELLS_OF_A_PERSON = 2
_COLUMN_NUMBER = re.compile(r"^\(?(\d{1,3})\)?$")


def _is_data_row(raw: dict[str, object], columns: dict[str, int], parsers: Parsers) -> bool:
    if _is_column_number_row(raw, columns) or _only_a_number(raw):
        return False
    if _reads(parsers["stt"], raw.get("stt")):
        return True
    typed = [f for f in ("birth_date", "stage") if clean(raw.get(f)) is not None]
    if any(_reads(parsers[f], raw.get(f)) for f in typed):
        return True
    person = sum(clean(raw.get(f)) is not None for f in _PERSON_FIELDS)
    return bool(typed) and person >= _OTHER_CELLS_OF_A_PERSON


def _only_a_number(raw: dict[str, object]) -> bool:
    """A pre-numbered blank line of the template (STT and nothing else) holds no person;
    reading it as one would flood the cell with R01 errors for lines it never used."""
    return all(clean(value) is None for field, value in raw.items() if field != "stt")


def _reads(parser: Callable[[object], object], value: object) -> bool:
    try:
        return parser(value) is not None
    except BadValue:
        return False


def _is_column_number_row(raw: dict[str, object], columns: dict[str, int]) -> bool:
    """Every filled cell a small whole number, increasing from left to right."""
    numbers = []
    for field in sorted(raw, key=columns.__getitem__):
        text = clean(parse_text(raw[field]))
        if text is None:
            continue
        match = _COLUMN_NUMBER.match(text)
        if match is None:
            return False
        numbers.append(int(match.group(1)))
    return len(numbers) >= 3 and all(a < b for a, b in zip(numbers, numbers[1:], strict=False))
