"""Which sheet is the form's: a second (hidden) sheet of the same name is ambiguous and
refused (F11), a hidden form sheet is read only when it is the only one, and a roster far
above any school's size is refused while it is read (F11), before validation."""

from __future__ import annotations

import io

import pytest
from factories import make_header, make_roster, make_summary, make_workbook
from openpyxl import load_workbook

from core import layout
from core.limits import Limits
from forms.dispatch import read_any
from forms.errors import AmbiguousSheet, RosterTooLong
from forms.reader import read_cell_report


def _with_sheets(content: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    book = load_workbook(io.BytesIO(content))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _other_cell() -> bytes:
    return make_workbook(header=make_header("BL04", unit_name="Chi bộ Trường THCS-THPT Lộc Bắc"))


def test_a_very_hidden_thongtin_before_the_visible_one_is_refused_naming_both() -> None:
    """BL02's roster under a very hidden «ThongTin» of BL04, placed first: refused, not
    counted under BL04."""
    hidden_info = load_workbook(io.BytesIO(_other_cell()))[layout.SHEET_INFO]

    def add_hidden(book):  # type: ignore[no-untyped-def]
        book[layout.SHEET_INFO].title = "Thông tin"
        sheet = book.create_sheet(layout.SHEET_INFO, 0)
        for row in hidden_info.iter_rows():
            for cell in row:
                sheet[cell.coordinate] = cell.value
        sheet.sheet_state = "veryHidden"

    content = _with_sheets(make_workbook(header=make_header(
        "BL02", unit_name="Chi bộ Trường THPT Lộc An")), add_hidden)
    with pytest.raises(AmbiguousSheet) as caught:
        read_cell_report(content)
    error = caught.value
    assert error.rule_id == "F11"
    assert "«ThongTin» (đang ẩn)" in error.message_vi and "«Thông tin»" in error.message_vi
    outcome = read_any(content)
    assert outcome.report is None and outcome.error is not None
    assert outcome.error.rule_id == "F11"


def test_two_visible_roster_sheets_are_refused_too() -> None:
    def add_copy(book):  # type: ignore[no-untyped-def]
        book.copy_worksheet(book[layout.SHEET_ROSTER]).title = "Danh sách"

    with pytest.raises(AmbiguousSheet, match="«DanhSach», «Danh sách»"):
        read_cell_report(_with_sheets(make_workbook(), add_copy))


def test_a_hidden_form_sheet_is_read_when_it_is_the_only_one_and_the_report_says_so() -> None:
    def hide(book):  # type: ignore[no-untyped-def]
        book[layout.SHEET_SUMMARY].sheet_state = "hidden"

    report = read_cell_report(_with_sheets(make_workbook(), hide))
    assert report.hidden_sheets == (layout.SHEET_SUMMARY,)
    assert report.summary["TH01"].hoc_sinh == 1000
    assert read_cell_report(make_workbook()).hidden_sheets == ()


def test_a_roster_over_the_cap_is_refused_while_it_is_read() -> None:
    roster = make_roster(tuple([1] * 30))
    content = make_workbook(roster=roster, summary=make_summary(roster))
    assert len(read_cell_report(content, Limits(max_roster_rows=30)).roster) == 30
    with pytest.raises(RosterTooLong) as caught:
        read_cell_report(content, Limits(max_roster_rows=29))
    assert caught.value.rule_id == "F11" and "hơn 29 người" in caught.value.message_vi
