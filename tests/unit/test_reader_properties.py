"""Property tests of the reader (issue 8): whatever a received file holds, ``read_any``
returns a report, a register or a named ``ReadError``, never another exception, and the
values it does read are the values the workbook holds.

Workbooks start from the factories' valid ones and are edited with openpyxl, or their bytes
are damaged. Hypothesis runs derandomized and without an example database, so that a CI
run tries exactly the examples tried here.
"""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache

import hypothesis.strategies as st
from factories import make_workbook
from hypothesis import HealthCheck, currently_in_test_context, event, example, given, settings
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core import layout
from core.errors import ReadError
from core.form import CellReport
from core.kinds import CELL_REPORT, COURSE_REGISTER, UNKNOWN
from core.limits import DEFAULT_LIMITS, Limits
from core.register import COURSE_COLUMNS, SHEET_ATTENDEES, CourseRegister
from core.text import clean, key
from core.xlsxio import FIXED_ZIP_TIME, deterministic_xlsx, write_value
from forms.container import OLE_MAGIC, ZIP_MAGIC
from forms.course_register import COURSE_FIRST_ROW, CourseRecord, write_course_register
from forms.dispatch import ReadOutcome, read_any
from forms.errors import CorruptWorkbook, OversizedWorkbook
from forms.legacy_cells import LegacyEncodingUnreadable
from forms.values import MAX_COUNT
from forms.writer import info_excel_row, roster_column_letter, roster_excel_row, summary_excel_row


def _settings(examples: int) -> settings:
    """Reproducible (derandomized, no example database) and free of the time limits that a
    slow 2-core machine building workbooks (~50 ms each) would trip."""
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ---- the outcome ----------------------------------------------------------------------------

def _read(content: bytes) -> ReadOutcome:
    return _read_within(content, DEFAULT_LIMITS)


def _read_within(content: bytes, limits: Limits) -> ReadOutcome:
    """``read_any``'s outcome, checked to be exactly one of report, register, named error."""
    try:
        outcome = read_any(content, limits)
    except BaseException as exc:  # a Rust panic (pyo3) is a BaseException: report it too
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise AssertionError(f"read_any raised {type(exc).__name__}: {exc}") from exc
    if currently_in_test_context():  # --hypothesis-show-statistics tells what was reached
        event(f"outcome: {type(outcome.error).__name__ if outcome.error else outcome.kind}")
    held = [x for x in (outcome.report, outcome.register, outcome.error) if x is not None]
    assert len(held) == 1, outcome
    if outcome.error is not None:
        assert outcome.kind == UNKNOWN
        assert isinstance(outcome.error, ReadError)
        assert outcome.error.rule_id and outcome.error.message_vi.strip()
    else:
        assert outcome.kind == (CELL_REPORT if outcome.report is not None else COURSE_REGISTER)
    return outcome


def _refused(value: object) -> tuple[type[ReadError], ...]:
    """The named errors one odd value may turn a valid workbook into: text with Latin-1
    letters may be legacy TCVN3/VNI text that cannot be converted; a number far beyond any
    date makes calamine panic in a date-formatted cell (forms/reader.py, load_sheets)."""
    if isinstance(value, str) and any("\x80" <= ch <= "\xff" for ch in value):
        return (LegacyEncodingUnreadable,)
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) > 1e10:
        return (CorruptWorkbook,)
    return ()


def _report(content: bytes, value: object) -> CellReport | None:
    """The report of an edited workbook; None when ``value`` was refused by name."""
    outcome = _read(content)
    if outcome.error is not None:
        assert isinstance(outcome.error, _refused(value)), (outcome.error, value)
        return None
    assert outcome.report is not None, outcome
    return outcome.report


# ---- workbooks ------------------------------------------------------------------------------

def _edited(content: bytes, edit: Callable[[Workbook], object]) -> bytes:
    """``content`` edited by openpyxl, saved with fixed timestamps: the same bytes on every
    run, so that damage at a given offset hits the same place in CI."""
    workbook = load_workbook(io.BytesIO(content))
    edit(workbook)
    return deterministic_xlsx(workbook)


def _put(sheet: str, ref: str, value: object) -> Callable[[Workbook], object]:
    return lambda workbook: write_value(workbook[sheet][ref], value)


@cache
def _base() -> bytes:
    """The factories' valid report, once through openpyxl like every edited one."""
    return _edited(make_workbook(), lambda _workbook: None)


@cache
def _base_report() -> CellReport:
    report = _read(_base()).report
    assert report is not None
    return report


@cache
def _legacy_base() -> bytes:
    """A report with one name typed in TCVN3: reading it also asks openpyxl for fonts."""
    return _edited(_base(), _put(layout.SHEET_ROSTER, "B4", "NguyÔn V¨n Hïng"))


@cache
def _register_base() -> bytes:
    common = {"unit_code": "BL04", "course_code": "K01/2024", "date_from": date(2024, 1, 8),
              "date_to": date(2024, 1, 12)}
    records = [
        CourseRecord(n, f"Ka Điệp {n}", date(2006, 3, n), f"06830696276{n}", passed=n != 3,
                     cert_no=None if n == 3 else f"{n}/GCN-TTCT",
                     cert_date=None if n == 3 else date(2024, 1, 15), **common)
        for n in range(1, 5)
    ]
    content = write_course_register(records, course_code="K01/2024", title="DANH SÁCH")
    return _edited(content, lambda _workbook: None)


@cache
def _base_register() -> CourseRegister:
    register = _read(_register_base()).register
    assert register is not None
    return register


def _stored(content: bytes) -> bytes:
    """The same workbook with its parts uncompressed: damage then lands in the XML."""
    with zipfile.ZipFile(io.BytesIO(content)) as source:
        return _zip([(i.filename, source.read(i)) for i in source.infolist()],
                    zipfile.ZIP_STORED)


def _zip(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The members zipped with a fixed timestamp (the same bytes on every run)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=method) as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME), data)
    return out.getvalue()


def _members(content: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [(name, archive.read(name)) for name in archive.namelist()]


# ---- cell values ----------------------------------------------------------------------------

_ODD_TEXTS = (
    "Nguye\u0302\u0303n Va\u0306n Nam",  # NFD
    "a\u0301\u0301\u0301\u0323",  # stacked combining marks
    "\u202eNam\u202c", "\u200f\u05e9\u05dc\u05d5\u05dd",  # RTL override, Hebrew
    "👩‍👩‍👧‍👦🇻🇳", "\u200b\u2060\ufeff", "\x7f\x85\x9f", "\t\n\r ", "\u2028\u2029",
    "\ufffe\uffff", "\uf0b8\uf0a8",  # noncharacters; 8-bit symbol-font text as U+F0xx
    "=1+1", "=HYPERLINK(\"http://x\",\"y\")", "+84 912", "-5", "@SUM(A1)", "#N/A", "#REF!",
    "1.000", "1,5", "٣", "２０２４", "31/02/2007", "03/2024", "12/1500", "Tháng 3/2024",
    "00012345678901", "3. Đã học lớp BDNTVĐ", "Giai đoạn 9",
)
_LONG_TEXT = st.builds(str.__mul__, st.text(min_size=1, max_size=4), st.integers(1_000, 8_000))
_TEXT = st.one_of(
    st.text(max_size=30),
    st.text(max_size=30).map(lambda s: unicodedata.normalize("NFD", s)),
    st.sampled_from(_ODD_TEXTS),
    st.tuples(st.sampled_from("=+-@"), st.text(max_size=20)).map("".join),
    st.text(st.characters(codec="latin-1"), max_size=20),  # legacy-encoding look-alikes
    _LONG_TEXT,
    st.integers(1, 6_000).map(lambda n: "7" * n),  # digits beyond int()'s 4300 limit
    st.from_regex(r"\A\d{1,3}([., ]\d{3}){0,4}\Z"),
)
_NUMBER = st.one_of(
    st.integers(-100, 20_000), st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
)
_WHEN = st.one_of(
    st.dates(), st.datetimes(), st.times(), st.dates(date(1900, 1, 1), date(2100, 12, 31)),
    st.timedeltas(timedelta(days=-(10**5)), timedelta(days=10**5)),
)
_VALUE = st.one_of(st.none(), st.booleans(), _NUMBER, _WHEN, _TEXT)
# text that no legacy-encoding check looks at, for the properties that compare text
_PLAIN_TEXT = _TEXT.filter(
    lambda s: not any("\x80" <= ch <= "\xff" for ch in s))


def _as_read(text: str) -> str | None:
    """What the reader makes of ``text`` written by write_value (illegal characters go)."""
    return clean(ILLEGAL_CHARACTERS_RE.sub("", text))


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and _as_read(value) is None)


# ---- values in a valid report ---------------------------------------------------------------

_ROSTER_ROWS = st.integers(0, 6)  # the factories' roster: 7 people


@_settings(60)
@given(index=_ROSTER_ROWS, field=st.sampled_from(list(layout.ROSTER_COLUMNS)), value=_VALUE)
@example(index=0, field="stt", value="7" * 5_000)  # int() of > 4300 digits
@example(index=0, field="birth_date", value=-1e20)  # calamine panicked on the date
def test_any_value_in_a_roster_cell_keeps_every_row_and_names_what_it_cannot_read(
        index: int, field: str, value: object) -> None:
    ref = f"{roster_column_letter(field)}{roster_excel_row(index)}"
    report = _report(_edited(_base(), _put(layout.SHEET_ROSTER, ref, value)), value)
    if report is None:
        return
    base = _base_report().roster
    assert len(report.roster) == len(base)
    row = report.roster[index]
    assert report.roster[:index] + report.roster[index + 1:] == base[:index] + base[index + 1:]
    read, invalid = getattr(row, field), row.invalid.get(field)
    assert read is None or invalid is None
    if not _is_empty(value):  # nothing typed is lost: it reads, or it is kept raw
        assert read is not None or invalid is not None, (value, row)
    others = {k: v for k, v in row.invalid.items() if k != field}
    assert replace(row, invalid=others, **{field: getattr(base[index], field)}) == base[index]


_FREE_TEXT = ("full_name", "class_or_position", "helper_1", "helper_2", "cert_no",
              "decision_no", "note")


@_settings(40)
@given(index=_ROSTER_ROWS, field=st.sampled_from(_FREE_TEXT), text=_PLAIN_TEXT)
def test_text_in_a_free_text_roster_cell_reads_back_as_typed_and_keeps_the_rows(
        index: int, field: str, text: str) -> None:
    ref = f"{roster_column_letter(field)}{roster_excel_row(index)}"
    outcome = _read(_edited(_base(), _put(layout.SHEET_ROSTER, ref, text)))
    assert outcome.report is not None, outcome.error
    assert len(outcome.report.roster) == len(_base_report().roster)
    assert getattr(outcome.report.roster[index], field) == _as_read(text)


def _same_summary_elsewhere(report: CellReport, code: str) -> None:
    base = _base_report().summary
    assert report.summary.keys() == base.keys()
    assert {c: line for c, line in report.summary.items() if c != code} == {
        c: line for c, line in base.items() if c != code}


@_settings(60)
@given(code=st.sampled_from(layout.INDICATOR_CODES),
       population=st.sampled_from(layout.POPULATIONS), value=_VALUE)
@example(code="TH01", population="hoc_sinh", value="7" * 5_000)  # int() of > 4300 digits
def test_a_value_in_a_summary_count_reads_as_that_number_or_is_kept_raw(
        code: str, population: str, value: object) -> None:
    column = "C" if population == "hoc_sinh" else "D"
    ref = f"{column}{summary_excel_row(code)}"
    report = _report(_edited(_base(), _put(layout.SHEET_SUMMARY, ref, value)), value)
    if report is None:
        return
    _same_summary_elsewhere(report, code)
    line = report.summary[code]
    read, raw = getattr(line, population), line.invalid.get(population)
    assert read is None or raw is None
    assert read is None or (type(read) is int and abs(read) <= MAX_COUNT)
    if _is_empty(value):
        assert read is None and raw is None
    elif isinstance(value, bool):
        assert raw is not None  # TRUE is not a count
    elif isinstance(value, int | float):
        whole = value == int(value) and abs(value) <= MAX_COUNT
        assert (read == value) if whole else (raw is not None), (value, line)
    elif isinstance(value, str) and not _refused(value):
        assert read is not None or raw == _as_read(value), (value, line)
    elif isinstance(value, str):  # Latin-1 letters may read as legacy text: "Ü" is "ĩ"
        assert read is not None or raw, (value, line)
    elif isinstance(value, date) and FIRST_SHOWN <= _day(value) <= LAST_SHOWN:
        assert raw is not None, (value, line)  # a date is not a count
    else:
        assert read is not None or raw is not None, (value, line)


# dates Excel shows as dates (serials 1 to 2958465); beyond them a cell is a plain number
FIRST_SHOWN, LAST_SHOWN = date(1900, 3, 1), date(9999, 12, 30)


def _day(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


@_settings(50)
@given(field=st.sampled_from(list(layout.INFO_FIELDS)), value=_VALUE)
@example(field="report_date", value=-(10**20))  # calamine panicked on the date
def test_any_value_in_a_header_cell_reads_or_is_kept_raw_and_changes_no_other_field(
        field: str, value: object) -> None:
    row = info_excel_row(field)
    report = _report(_edited(_base(), _put(layout.SHEET_INFO, f"B{row}", value)), value)
    if report is None:
        return
    header, base = report.header, _base_report().header
    assert header.cells == base.cells  # the value's cell, even when it is empty
    read, raw = getattr(header, field), header.invalid.get(field)
    assert read is None or raw is None
    if not _is_empty(value):
        assert read is not None or raw is not None, (value, header)
    if field in ("unit_name", "prepared_by", "secretary") and isinstance(value, str) and (
            not _refused(value)):
        assert read == _as_read(value)
    others = {k: v for k, v in header.invalid.items() if k != field}
    assert replace(header, invalid=others, **{field: getattr(base, field)}) == base


@_settings(30)
@given(index=st.integers(0, 3), field=st.sampled_from(list(COURSE_COLUMNS)), value=_VALUE)
@example(index=0, field="birth_date", value=-106751991169.0)  # calamine panicked on the date
def test_any_value_in_a_register_cell_keeps_the_other_learners(
        index: int, field: str, value: object) -> None:
    column = list(COURSE_COLUMNS).index(field) + 1
    edit = _put(SHEET_ATTENDEES, f"{get_column_letter(column)}{COURSE_FIRST_ROW + index}", value)
    outcome = _read(_edited(_register_base(), edit))
    if outcome.error is not None:
        assert isinstance(outcome.error, _refused(value)), (outcome.error, value)
        return
    assert outcome.register is not None
    rows, base = outcome.register.rows, _base_register().rows
    assert [r for r in rows if r.excel_row != COURSE_FIRST_ROW + index] == [
        r for r in base if r.excel_row != COURSE_FIRST_ROW + index]
    if field != "stt":  # a learner is a row with a number in STT
        assert len(rows) == len(base)


# the sheets' parts in the factories' workbook (the writer creates them in this order)
_SHEET_PARTS = {layout.SHEET_INFO: "xl/worksheets/sheet1.xml",
                layout.SHEET_SUMMARY: "xl/worksheets/sheet2.xml",
                layout.SHEET_ROSTER: "xl/worksheets/sheet3.xml"}
_VALUE_CELLS = st.one_of(
    st.tuples(st.just(layout.SHEET_INFO), st.sampled_from([f"B{r}" for r in range(3, 10)])),
    st.tuples(st.just(layout.SHEET_SUMMARY),
              st.sampled_from([f"{c}{r}" for c in "CD" for r in range(4, 19)])),
    st.tuples(st.just(layout.SHEET_ROSTER),
              st.sampled_from([f"{roster_column_letter(f)}{r}"
                               for f in layout.ROSTER_COLUMNS for r in range(4, 11)])),
)
# what Excel never writes but calamine accepts in a number cell <v>…</v>
_NUMBER_TEXT = st.one_of(
    st.sampled_from(["inf", "-inf", "NaN", "1e999", "-1e999", "-1e20", "1e20", "-0", "-1",
                     "2958466", "0.5", "1E+3", "infinity", "+5"]),
    st.floats().map(repr),
)


def _with_sheet_xml(content: bytes, sheet: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook with the XML of ``sheet`` changed, re-zipped."""
    return _zip([(name, change(data) if name == _SHEET_PARTS[sheet] else data)
                 for name, data in _members(content)])


def _with_number_cell(content: bytes, sheet: str, ref: str, number: str) -> bytes:
    """The workbook with cell ``ref`` of ``sheet`` replaced, in its XML, by a number cell
    holding ``number`` as typed; the cell keeps its style (a date format stays)."""
    cell = re.compile(rb'<c r="%s"( s="\d+")?[^>]*?(?:/>|>.*?</c>)' % ref.encode(), re.S)

    def number_cell(match: re.Match[bytes]) -> bytes:
        return b'<c r="%s"%s><v>%s</v></c>' % (ref.encode(), match.group(1) or b"",
                                                number.encode())

    def change(xml: bytes) -> bytes:
        xml, found = cell.subn(number_cell, xml, count=1)
        assert found == 1, ref
        return xml

    return _with_sheet_xml(content, sheet, change)


@_settings(80)
@given(cell=_VALUE_CELLS, number=_NUMBER_TEXT)
@example(cell=(layout.SHEET_ROSTER, "E4"), number="inf")  # the PID: int(inf) overflowed
@example(cell=(layout.SHEET_ROSTER, "E4"), number="NaN")  # the PID: int(nan) failed
def test_any_number_text_in_a_number_cell_reads_or_is_kept_raw(
        cell: tuple[str, str], number: str) -> None:
    outcome = _read(_with_number_cell(_base(), *cell, number))
    if outcome.error is not None:  # calamine's panic on a number beyond any date, by name
        assert isinstance(outcome.error, CorruptWorkbook), outcome.error
        return
    assert outcome.report is not None
    assert len(outcome.report.roster) == len(_base_report().roster)
    assert outcome.report.summary.keys() == _base_report().summary.keys()
    read, raw = _what_was_read(outcome.report, *cell)
    assert (read is None) != (raw is None), (number, read, raw)  # a number is never lost


def _what_was_read(report: CellReport, sheet: str, ref: str) -> tuple[object, str | None]:
    """The value read from cell ``ref`` of the factories' layout, and its raw text when
    it did not read."""
    column, row = ref[0], int(ref[1:])
    if sheet == layout.SHEET_INFO:
        field = list(layout.INFO_FIELDS)[row - 3]
        return getattr(report.header, field), report.header.invalid.get(field)
    if sheet == layout.SHEET_SUMMARY:
        line = report.summary[layout.INDICATOR_CODES[row - 4]]
        population = layout.POPULATIONS["CD".index(column)]
        return getattr(line, population), line.invalid.get(population)
    person = report.roster[row - 4]
    field = list(layout.ROSTER_COLUMNS)[column_index_from_string(column) - 1]
    return getattr(person, field), person.invalid.get(field)


# small limits, so that a sheet beyond them is cheap to build and to refuse
_SMALL = Limits(max_rows=2_000, max_columns=60)


def _far_row(row: int, width: int) -> Callable[[bytes], bytes]:
    """A row of ``width`` cells that leave out their place (``r`` is optional): the
    ``<row r>`` around them is all that puts them far away."""
    cells = b"<c t=\"inlineStr\"><is><t>x</t></is></c>" * width
    return lambda xml: xml.replace(b"</sheetData>", b'<row r="%d">%s</row></sheetData>'
                                   % (row, cells))


@_settings(25)
@given(row=st.integers(20, 2 * _SMALL.max_rows), width=st.integers(1, 2 * _SMALL.max_columns))
@example(row=_SMALL.max_rows + 1, width=1)  # 200,000 such rows took 19 s to read
@example(row=20, width=_SMALL.max_columns + 1)
def test_cells_placed_only_by_their_row_are_held_to_the_size_limits(row: int, width: int
                                                                     ) -> None:
    content = _with_sheet_xml(_base(), layout.SHEET_ROSTER, _far_row(row, width))
    outcome = _read_within(content, _SMALL)
    if row > _SMALL.max_rows or width > _SMALL.max_columns:
        assert isinstance(outcome.error, OversizedWorkbook), outcome.error
    else:  # the table reads as before (a row of "x" may add a person of bad values)
        assert outcome.report is not None, outcome.error
        base = _base_report().roster
        assert outcome.report.roster[:len(base)] == base


# ---- structure ------------------------------------------------------------------------------

_LIKE_SHEET_NAMES = ("DanhSach", "danh sach", "Danh Sách", "DANH_SACH", "TongHop", "Tổng hợp",
                     "ThongTin", "Thông tin", "HocVien", "HuongDan", "Sheet1", "'", "  ")
_SHEET_NAME = st.one_of(
    st.sampled_from(_LIKE_SHEET_NAMES),
    st.text(st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\\/?*[]:"),
            min_size=1, max_size=31),
)
_DAMAGES = ("delete_sheet", "rename", "insert_rows", "insert_cols", "delete_rows",
            "delete_cols", "merge", "add_sheet", "move", "hide", "chartsheet", "clear")


@dataclass(frozen=True)
class Damage:
    """One structural change; ``sheet`` is taken modulo the number of worksheets."""

    kind: str
    sheet: int
    at: int
    size: int
    name: str


def _damage(workbook: Workbook, damage: Damage) -> None:
    sheets = workbook.worksheets
    ws = sheets[damage.sheet % len(sheets)]
    kind, at, size = damage.kind, damage.at, damage.size
    if kind == "delete_sheet" and len(sheets) > 1:
        workbook.remove(ws)
    elif kind == "rename":
        ws.title = damage.name
    elif kind in ("insert_rows", "insert_cols", "delete_rows", "delete_cols"):
        getattr(ws, kind)(at, size)
    elif kind == "merge":
        ws.merge_cells(start_row=at, start_column=1 + size % 7, end_row=at + size % 3,
                       end_column=1 + size % 7 + size // 7)
    elif kind == "add_sheet":
        _fill(workbook.create_sheet(damage.name), at, size)
    elif kind == "move":
        workbook.move_sheet(ws, size - at % len(sheets))
    elif kind == "hide" and sum(s.sheet_state == "visible" for s in sheets) > 1:
        ws.sheet_state = "hidden"
        workbook.active = next(i for i, s in enumerate(sheets) if s.sheet_state == "visible")
    elif kind == "chartsheet":
        workbook.create_chartsheet(damage.name)
    elif kind == "clear" and not isinstance(cell := ws.cell(at, 1 + size % 21), MergedCell):
        cell.value = None


def _fill(ws: Worksheet, rows: int, columns: int) -> None:
    for r in range(1, rows % 6 + 1):
        for c in range(1, columns % 6 + 1):
            write_value(ws.cell(r, c), f"{r}.{c}" if (r + c) % 3 else layout.ROSTER_COLUMNS["stt"])


_DAMAGE = st.builds(Damage, kind=st.sampled_from(_DAMAGES), sheet=st.integers(0, 6),
                    at=st.integers(1, 30), size=st.integers(1, 50), name=_SHEET_NAME)


@_settings(40)
@given(damages=st.lists(_DAMAGE, min_size=1, max_size=4))
def test_structural_damage_gives_a_report_or_a_named_error(damages: list[Damage]) -> None:
    names: list[str] = []

    def edit(workbook: Workbook) -> None:
        for damage in damages:
            _damage(workbook, damage)
        names.extend(workbook.sheetnames)

    outcome = _read(_edited(_base(), edit))
    if outcome.report is not None:  # what it read came from the workbook's own sheets
        assert set(outcome.report.sheet_names.values()) <= set(names)
        header_row = outcome.report.roster_header_row or 0
        assert all(row.excel_row > header_row for row in outcome.report.roster)


@_settings(15)
@given(extra=st.lists(st.tuples(_SHEET_NAME, st.integers(0, 5), st.integers(0, 5), _VALUE),
                      min_size=1, max_size=3))
def test_extra_sheets_never_change_what_the_report_reads(
        extra: list[tuple[str, int, int, object]]) -> None:
    """An extra sheet is ignored, unless it is named like a form sheet: then which of the
    two the sender meant cannot be told, and the file is refused (F11)."""
    names: list[str] = []

    def edit(workbook: Workbook) -> None:
        for name, rows, columns, value in extra:
            ws = workbook.create_sheet(name)
            _fill(ws, rows, columns)
            write_value(ws.cell(7, 1), value)
        names.extend(workbook.sheetnames)

    outcome = _read(_edited(_base(), edit))
    forms = {key(n) for n in layout.REQUIRED_SHEETS}
    if sum(key(n) in forms for n in names) > len(forms):
        assert outcome.error is not None and outcome.error.rule_id == "F11"
    else:
        assert outcome.report == _base_report()


# ---- bytes ----------------------------------------------------------------------------------

@_settings(500)
@given(content=st.one_of(
    st.binary(max_size=2_000),
    st.binary(max_size=2_000).map(lambda b: ZIP_MAGIC + b),
    st.binary(min_size=512, max_size=4_000).map(lambda b: OLE_MAGIC + b),
))
def test_random_bytes_are_refused_by_name(content: bytes) -> None:
    assert _read(content).error is not None


_MUTATIONS = ("flip", "truncate", "insert", "delete", "duplicate")


@dataclass(frozen=True)
class Mutation:
    """One change of a file's bytes at ``at`` (modulo its length)."""

    kind: str
    at: int
    size: int
    data: bytes


def _mutate(content: bytes, mutation: Mutation) -> bytes:
    if not content:
        return content
    at = mutation.at % len(content)
    end = at + mutation.size
    if mutation.kind == "flip":
        return content[:at] + bytes([content[at] ^ (mutation.size % 255 + 1)]) + content[at + 1:]
    if mutation.kind == "truncate":
        return content[:at]
    if mutation.kind == "insert":
        return content[:at] + mutation.data + content[at:]
    if mutation.kind == "delete":
        return content[:at] + content[end:]
    return content[:end] + content[at:end] + content[end:]  # duplicate


_MUTATION = st.builds(Mutation, kind=st.sampled_from(_MUTATIONS), at=st.integers(0, 1 << 16),
                      size=st.integers(1, 64), data=st.binary(min_size=1, max_size=16))


@_settings(400)
@given(stored=st.booleans(), mutations=st.lists(_MUTATION, min_size=1, max_size=4))
def test_damaged_workbook_bytes_give_a_report_or_a_named_error(
        stored: bool, mutations: list[Mutation]) -> None:
    content = _stored(_base()) if stored else _base()
    for mutation in mutations:
        content = _mutate(content, mutation)
    _read(content)


# ---- zips -----------------------------------------------------------------------------------

_PART_NAMES = ("xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/_rels/workbook.xml.rels",
               "[Content_Types].xml", "xl/sharedStrings.xml", "xl/styles.xml", "mimetype",
               "content.xml", "xl/vbaProject.bin", "_rels/.rels")
_XML_BITS = (
    b'<?xml version="1.0"?>', b"<workbook><sheets><sheet name=\"DanhSach\" r:id=\"rId1\"/>",
    b'<sheetData><row r="1"><c r="A1" t="s"><v>99999</v></c></row></sheetData>',
    b'<c r="A1" t="d"><v>-1e308</v></c>', b'<c r="B2" s="999"><v>1</v></c>',
    b'<c r="XFD1048576"><v>1</v></c>', b'<row r="1048576">', b"&#0;", b"<is><t>x</t></is>",
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>&a;', b"</worksheet>", b"\xff\xfe<\x00",
    b"application/vnd.oasis.opendocument.spreadsheet", b't="e"', b"<v>NaN</v>",
)
_PART = st.one_of(st.binary(max_size=300), st.sampled_from(_XML_BITS),
                  st.lists(st.sampled_from(_XML_BITS), max_size=8).map(b"".join),
                  st.text(max_size=100).map(str.encode))
# the factories' own parts, to be put together wrongly
_REAL_PART = st.integers(0, 50).map(lambda i: _members(_base())[i % len(_members(_base()))][1])
# zipfile cuts a name at its first NUL
_MEMBER_NAME = st.text(st.characters(exclude_characters="\x00", exclude_categories=("Cs",)),
                       min_size=1, max_size=30)
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


@_settings(300)
@given(parts=st.dictionaries(st.one_of(st.sampled_from(_PART_NAMES), _MEMBER_NAME),
                             st.one_of(_PART, _REAL_PART), max_size=6),
       workbook_part=st.one_of(st.none(), _PART, _REAL_PART),
       method=st.sampled_from(_METHODS))
def test_random_zip_archives_are_refused_by_name(
        parts: dict[str, bytes], workbook_part: bytes | None, method: int) -> None:
    if workbook_part is not None:  # past the container check, on to calamine
        parts["xl/workbook.xml"] = workbook_part
    assert _read(_zip(list(parts.items()), method)).error is not None


_CENTRAL_ENTRY = re.compile(re.escape(b"PK\x01\x02"))
_ENTRY_FIELDS = {"flags": 8, "method": 10}  # offsets in a zip's central directory entry


@dataclass(frozen=True)
class HeaderChange:
    """A new value of one 16-bit field of a member's central directory entry."""

    member: int  # modulo the number of entries
    field: str
    value: int


def _with_header(content: bytes, change: HeaderChange) -> bytes:
    entries = [m.start() for m in _CENTRAL_ENTRY.finditer(content)]
    at = entries[change.member % len(entries)] + _ENTRY_FIELDS[change.field]
    return content[:at] + struct.pack("<H", change.value) + content[at + 2:]


_HEADER_CHANGE = st.builds(
    HeaderChange, member=st.integers(0, 20), field=st.sampled_from(list(_ENTRY_FIELDS)),
    value=st.one_of(st.sampled_from([1, 8, 9, 12, 14, 93, 95, 98, 99, 0x41, 0x800]),
                    st.integers(0, 0xFFFF)))


@_settings(60)
@given(changes=st.lists(_HEADER_CHANGE, min_size=1, max_size=3))
@example(changes=[HeaderChange(0, "method", 99)])  # zipfile: NotImplementedError
@example(changes=[HeaderChange(0, "flags", 1)])  # zipfile: "encrypted", RuntimeError
@example(changes=[HeaderChange(0, "method", 12)])  # bzip2 of deflated data: OSError
@example(changes=[HeaderChange(0, "method", 14)])  # lzma of deflated data: LZMAError
def test_a_zip_member_of_unknown_method_or_encrypted_is_refused_by_name(
        changes: list[HeaderChange]) -> None:
    content = _base()
    for change in changes:
        content = _with_header(content, change)
    _read(content)


_PART_CHANGES = ("random", "flip", "truncate", "insert", "drop", "empty")


@dataclass(frozen=True)
class PartChange:
    """A change of one part of a workbook, re-zipped so that its checksum is right."""

    kind: str
    member: int  # modulo the number of parts
    at: int
    data: bytes


def _change_part(members: list[tuple[str, bytes]], change: PartChange
                 ) -> list[tuple[str, bytes]]:
    index = change.member % len(members)
    name, data = members[index]
    at = change.at % max(1, len(data))
    if change.kind == "drop":
        return members[:index] + members[index + 1:]
    if change.kind == "random":
        data = change.data
    elif change.kind == "flip" and data:
        data = data[:at] + bytes([data[at] ^ (change.at % 255 + 1)]) + data[at + 1:]
    elif change.kind == "truncate":
        data = data[:at]
    elif change.kind == "insert":
        data = data[:at] + change.data + data[at:]
    else:
        data = b""
    return [*members[:index], (name, data), *members[index + 1:]]


_PART_CHANGE = st.builds(PartChange, kind=st.sampled_from(_PART_CHANGES),
                         member=st.integers(0, 20), at=st.integers(0, 1 << 15), data=_PART)


@_settings(250)
@given(legacy=st.booleans(), changes=st.lists(_PART_CHANGE, min_size=1, max_size=3))
def test_a_workbook_with_damaged_parts_gives_a_report_or_a_named_error(
        legacy: bool, changes: list[PartChange]) -> None:
    members = _members(_legacy_base() if legacy else _base())
    for change in changes:
        members = _change_part(members, change)
    _read(_zip(members))


# ---- the baselines --------------------------------------------------------------------------

def test_the_baselines_read_as_built() -> None:
    assert len(_base_report().roster) == 7 and len(_base_report().summary) == 15
    assert len(_base_register().rows) == 4
    legacy = _read(_legacy_base()).report
    assert legacy is not None and legacy.legacy_encoding == "tcvn3"
    assert legacy.roster[0].full_name == "Nguyễn Văn Hùng"

