"""The reader returns a typed report for every tolerated style, or a named error."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import replace
from datetime import date

import pytest
from factories import make_header, make_roster, make_row, make_workbook
from openpyxl import load_workbook

from core import layout
from forms.errors import (
    CorruptWorkbook,
    EmptyFile,
    EncryptedWorkbook,
    MissingSheet,
    UnsupportedFormat,
)
from forms.reader import parse_period_value, read_cell_report


def _edit(content: bytes, edit) -> bytes:  # type: ignore[no-untyped-def]
    workbook = load_workbook(io.BytesIO(content))
    edit(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_clean_workbook_reads_header_summary_and_roster():
    report = read_cell_report(make_workbook())
    assert report.header.unit_code == "BL01"
    assert report.header.period == "2024-03"
    assert report.header.report_date == date(2024, 3, 20)
    assert report.header.form_version == layout.FORM_VERSION
    assert set(report.summary) == set(layout.INDICATOR_CODES)
    assert report.summary["TH01"].hoc_sinh == 1000
    assert [r.stage for r in report.roster] == [1, 2, 3, 4, 5, 6, 7]
    assert report.roster[6].decision_date == date(2024, 3, 5)
    assert not report.missing_roster_columns and not report.missing_summary_codes


def test_roster_rows_keep_their_excel_row_and_columns():
    report = read_cell_report(make_workbook())
    first = report.roster[0]
    assert report.roster_header_row is not None and first.excel_row > report.roster_header_row
    assert report.roster_columns["stt"] == "A"
    assert report.roster_columns["birth_date"] == "C"


@pytest.mark.parametrize("text, expected", [
    ("03/2024", "2024-03"), ("3/2024", "2024-03"), ("Tháng 3/2024", "2024-03"),
    ("tháng 03 năm 2024", "2024-03"), ("2024-03", "2024-03"), ("15/03/2024", "2024-03"),
    (date(2024, 3, 9), "2024-03"),
])
def test_period_is_read_in_every_written_form(text, expected):
    assert parse_period_value(text) == expected


def test_text_dates_numbers_as_text_and_pid_as_number_are_understood():
    def edit(wb):
        ws = wb[layout.SHEET_ROSTER]
        row = read_cell_report(make_workbook()).roster[0].excel_row
        ws[f"C{row}"] = "02/04/2005"            # text date dd/mm/yyyy
        ws[f"A{row}"] = "1"                     # STT as text
        ws[f"E{row}"] = 68205000001             # PID stored as a number: leading zero lost
        wb[layout.SHEET_SUMMARY]["C4"] = "1.000"  # thousands separator typed as text
    report = read_cell_report(_edit(make_workbook(), edit))
    first = report.roster[0]
    assert first.birth_date == date(2005, 4, 2)
    assert first.stt == 1
    assert first.pid == "068205000001"


def test_nfd_text_and_labels_without_diacritics_are_normalised():
    def edit(wb):
        ws = wb[layout.SHEET_ROSTER]
        header_row = read_cell_report(make_workbook()).roster_header_row
        ws[f"C{header_row}"] = "Ngay sinh"      # label typed without diacritics
        ws[f"F{header_row}"] = "Dân tộc:\n"     # trailing colon and line break
        ws[f"B{header_row + 1}"] = unicodedata.normalize("NFD", "Nguyễn Thị Hồng")
    report = read_cell_report(_edit(make_workbook(), edit))
    assert report.roster[0].full_name == "Nguyễn Thị Hồng"
    assert unicodedata.is_normalized("NFC", report.roster[0].full_name)
    assert report.roster[0].birth_date is not None
    assert report.roster[0].ethnicity == "Kinh"


def test_reordered_columns_blank_rows_and_signature_block_are_tolerated():
    def edit(wb):
        ws = wb[layout.SHEET_ROSTER]
        ws.move_range("A1:U200", cols=2)          # table starts in column C
        ws.insert_rows(read_cell_report(make_workbook()).roster[2].excel_row)  # a blank row
    report = read_cell_report(_edit(make_workbook(), edit))
    assert len(report.roster) == 7
    assert report.roster_columns["stt"] == "C"


def test_unknown_codes_are_kept_as_raw_text_for_the_validations():
    roster = make_roster()
    roster[0] = replace(roster[0], gender=None, invalid={"gender": "Khác"})
    report = read_cell_report(make_workbook(roster=roster))
    assert report.roster[0].gender is None
    assert report.roster[0].invalid == {"gender": "Khác"}


def test_codes_typed_without_diacritics_are_read_as_the_code():
    roster = make_roster()
    roster[0] = replace(roster[0], invalid={"gender": "nu", "ethnicity": "k'ho"})
    report = read_cell_report(make_workbook(roster=roster))
    assert (report.roster[0].gender, report.roster[0].ethnicity) == ("Nữ", "Cơ Ho")


def test_ethnic_spellings_are_stored_under_the_official_name():
    roster = make_roster()
    roster[0] = replace(roster[0], invalid={"ethnicity": "Việt"})
    roster[1] = replace(roster[1], invalid={"ethnicity": "K'Ho"})
    report = read_cell_report(make_workbook(roster=roster))
    assert [r.ethnicity for r in report.roster[:2]] == ["Kinh", "Cơ Ho"]


def test_stage_written_as_number_label_or_both():
    rows = [make_row(1, 1), make_row(2, 4), make_row(3, 1)]
    rows[0] = replace(rows[0], invalid={"stage": "1"})
    rows[1] = replace(rows[1], invalid={"stage": "Khai lý lịch"})
    rows[2] = replace(rows[2], invalid={"stage": "1. Cảm tình đảng"})
    report = read_cell_report(make_workbook(roster=rows))
    assert [r.stage for r in report.roster] == [1, 4, 1]
    assert all(not r.invalid for r in report.roster)


def test_missing_sheet_is_a_named_f02_error():
    content = _edit(make_workbook(), lambda wb: wb.remove(wb[layout.SHEET_SUMMARY]))
    with pytest.raises(MissingSheet) as caught:
        read_cell_report(content)
    assert caught.value.rule_id == "F02"
    assert "TongHop" in caught.value.message_vi


def test_missing_required_roster_column_is_reported_not_guessed():
    def edit(wb):
        ws = wb[layout.SHEET_ROSTER]
        ws[f"K{read_cell_report(make_workbook()).roster_header_row}"] = "Cột khác"
    report = read_cell_report(_edit(make_workbook(), edit))
    assert report.missing_roster_columns == ("stage",)
    assert report.roster == []


@pytest.mark.parametrize("content, error", [
    (b"", EmptyFile),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, UnsupportedFormat),
    (b"PK\x03\x04" + b"\0" * 50, CorruptWorkbook),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
     EncryptedWorkbook),
])
def test_files_that_are_not_workbooks_get_a_named_f01_error(content, error):
    with pytest.raises(error) as caught:
        read_cell_report(content)
    assert caught.value.rule_id == "F01"
    assert caught.value.message_vi


def test_truncated_workbook_is_corrupt():
    content = make_workbook()
    with pytest.raises(CorruptWorkbook):
        read_cell_report(content[: len(content) // 2])


def test_header_value_cells_are_located_for_feedback():
    report = read_cell_report(make_workbook(header=make_header(unit_code="XX99")))
    ref = report.header.cells["unit_code"]
    assert ref.sheet == layout.SHEET_INFO and ref.row and ref.column == "B"


def test_pre_numbered_blank_lines_of_the_template_are_not_people():
    def edit(wb):
        ws = wb[layout.SHEET_ROSTER]
        last = read_cell_report(make_workbook()).roster[-1].excel_row
        ws.insert_rows(last + 1, 5)
        for n in range(1, 6):
            ws.cell(last + n, 1, 7 + n)  # STT typed in advance, nothing else
    report = read_cell_report(_edit(make_workbook(), edit))
    assert len(report.roster) == 7
