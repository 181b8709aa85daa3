"""Rows written as text (core/sheet_rows.py) give openpyxl's own bytes: on every kind of
workbook the project writes and on generated cells of every type, formulas, dates and rich
text included (those go through openpyxl's writer)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time

import et_xmlfile
import openpyxl
import pytest
from factories import make_header, make_roster, make_summary, make_workbook
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.styles import Font
from openpyxl.worksheet._writer import WorksheetWriter

from cellreports.demo import generate_month
from core import sheet_rows
from core.findings import WARNING, Finding
from core.registry import Registry
from core.xlsxio import deterministic_xlsx, write_value
from forms.writer import write_template
from reports.district import build_district_workbook
from reports.feedback import FeedbackContext, build_feedback


@pytest.fixture
def openpyxl_rows(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], None]]:
    """Call it to make openpyxl write its own rows and merged ranges until the test ends."""
    assert sheet_rows.write_rows_as_text(), "written for other versions"

    def openpyxl_own() -> None:
        monkeypatch.setattr(WorksheetWriter, "write_row", sheet_rows.OPENPYXL_WRITE_ROW)
        monkeypatch.setattr(WorksheetWriter, "write_merged_cells",
                            sheet_rows.OPENPYXL_WRITE_MERGED_CELLS)

    yield openpyxl_own


def _both(build: Callable[[], bytes], openpyxl_rows: Callable[[], None]) -> tuple[bytes, bytes]:
    ours = build()
    openpyxl_rows()
    return ours, build()


def test_the_rows_as_text_are_installed_by_the_project() -> None:
    assert WorksheetWriter.write_row is sheet_rows.write_row
    assert WorksheetWriter.write_merged_cells is sheet_rows.write_merged_cells


def test_the_cells_workbooks_and_the_blank_form_are_openpyxl_bytes(
        registry: Registry, openpyxl_rows: Callable[[], None]) -> None:
    unit = registry.get("BL01")

    def build() -> bytes:
        months = [f.content for f in generate_month(registry, "2024-03")]
        roster = make_roster((1, 2, 3, 4, 5, 6, 7))
        return b"".join([*months, write_template(unit, "2024-03"), make_workbook(
            header=make_header("BL02"), roster=roster, summary=make_summary(roster))])

    ours, theirs = _both(build, openpyxl_rows)
    assert ours == theirs


def test_the_district_report_and_a_feedback_are_openpyxl_bytes(
        openpyxl_rows: Callable[[], None]) -> None:
    from district_month import demo_month, make_month

    findings = [Finding("R03", "DanhSach", 8, "F", "Giới tính «Nm» không đúng danh mục."),
                Finding("F06", None, None, None, "Kỳ báo cáo khác kỳ.", WARNING)]
    context = FeedbackContext("BL01_2024-03.xlsx", "Chi bộ Trường THPT Bảo Lâm (BL01)",
                              "2024-03", 1, datetime(2024, 3, 20, 9), False,
                              deadline=date(2024, 3, 25))

    def build() -> bytes:
        return b"".join([build_district_workbook(demo_month()),
                         build_district_workbook(make_month()),
                         build_feedback(make_workbook(), findings, context)])

    ours, theirs = _both(build, openpyxl_rows)
    assert ours == theirs


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
VALUES = st.one_of(
    st.none(), TEXT, st.sampled_from([" a", "a ", "  ", "\t x\n", "a & <b> \"c\" 'd'", "\r\n",
                                      "=SUM(A1:A2)", "#N/A", ""]),
    st.integers(-(10 ** 20), 10 ** 20), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.dates(date(1900, 3, 1), date(2100, 1, 1)),
    st.datetimes(datetime(1900, 3, 1), datetime(2100, 1, 1)), st.times(),
)
CELL = st.tuples(st.integers(1, 30), st.integers(1, 12), VALUES,
                 st.sampled_from(["none", "font", "number_format", "comment", "rich", "link",
                                  "formula"]))


def _sheet(cells: list[tuple[int, int, object, str]], heights: list[int]) -> bytes:
    wb = Workbook()
    ws = wb.active
    bold = Font(bold=True)
    for row, column, value, extra in cells:
        cell = ws.cell(row=row, column=column)
        if extra == "rich":
            text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
            cell.value = CellRichText(["a ", TextBlock(InlineFont(b=True), text)])
            continue
        if extra == "formula":
            cell.value = "=SUM(A1:B2)"
            continue
        write_value(cell, value)  # as the project writes: text stays text
        if extra == "font":
            cell.font = bold
        elif extra == "number_format":
            cell.number_format = "0.00"
        elif extra == "comment":
            cell.comment = Comment(f"ghi chú {value}", "cellreports")
        elif extra == "link":
            cell.hyperlink = "https://example.org/a?b=1&c=2"
    for row in heights:
        ws.row_dimensions[row].height = 20
    return deterministic_xlsx(wb)


@settings(max_examples=60, deadline=None)
@example([(1, 1, float("nan"), "font"), (1, 2, float("-inf"), "none"), (2, 1, -0.0, "none"),
          (2, 2, 10 ** 17, "none"), (2, 3, 1e-7, "none"), (3, 1, " Lê ", "font")], [2, 9])
@given(st.lists(CELL, max_size=25), st.lists(st.integers(1, 35), max_size=4))
def test_any_cells_are_written_as_openpyxl_writes_them(
        cells: list[tuple[int, int, object, str]], heights: list[int]) -> None:
    assert sheet_rows.write_rows_as_text()
    ours = _sheet(cells, heights)
    try:
        WorksheetWriter.write_row = sheet_rows.OPENPYXL_WRITE_ROW  # type: ignore[method-assign]
        theirs = _sheet(cells, heights)
    finally:
        WorksheetWriter.write_row = sheet_rows.write_row  # type: ignore[method-assign]
    assert ours == theirs


def test_on_other_versions_openpyxl_keeps_its_own_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(WorksheetWriter, "write_row", sheet_rows.OPENPYXL_WRITE_ROW)
    monkeypatch.setattr(openpyxl, "__version__", "3.2.0")
    assert sheet_rows.write_rows_as_text() is False
    monkeypatch.setattr(openpyxl, "__version__", sheet_rows.WRITTEN_FOR[0])
    monkeypatch.setattr(et_xmlfile, "__version__", "2.1.0")
    assert sheet_rows.write_rows_as_text() is False
    assert WorksheetWriter.write_row is sheet_rows.OPENPYXL_WRITE_ROW


def test_a_time_value_is_left_to_openpyxl() -> None:
    wb = Workbook()
    wb.active["A1"] = time(9, 30)
    assert sheet_rows._cell_text(wb.active["A1"], None) is None


@pytest.mark.parametrize("value", [
    "text", "", "=SUM(A1:A2)", "#N/A", "a\x01b\x1fc", "x" * 40_000, "Tổng số", 0, 12, -3,
    2.5, float("nan"), True, None, date(2024, 3, 1), datetime(2024, 3, 1, 9),
    CellRichText("rich ", TextBlock(InlineFont(b=True), "bold")),
])
def test_write_value_leaves_a_cell_as_openpyxls_setter_with_text_kept_as_text(value) -> None:  # type: ignore[no-untyped-def]
    """write_value sets text and numbers itself (the report's million cells); the cell
    holds what ``cell.value = …`` gives, text stored as text and without illegal
    characters."""
    ours, theirs = Workbook().active["A1"], Workbook().active["A1"]
    write_value(ours, value)
    theirs.value = ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
    if isinstance(value, str):
        theirs.data_type = "s"
    # repr: NaN equals itself there
    assert (repr(ours._value), ours.data_type, ours.number_format) == (
        repr(theirs._value), theirs.data_type, theirs.number_format)
    assert len(str(ours._value)) <= 32767 or not isinstance(value, str)
