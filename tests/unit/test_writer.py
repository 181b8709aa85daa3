"""forms.writer: what lands in which cell, dropdowns, planted raw texts, stable bytes."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from core.form import Header, RosterRow, SummaryLine
from core.layout import (
    ETHNIC_GROUPS,
    FORM_VERSION,
    GENDERS,
    INDICATORS,
    INFO_FIELDS,
    ROSTER_COLUMNS,
    STAGES,
    SUMMARY_HEADERS,
)
from core.registry import Unit
from forms.writer import (
    ROSTER_FIRST_ROW,
    ROSTER_HEADER_ROW,
    SHEET_LISTS,
    STAGE_CHOICES,
    SUMMARY_FIRST_ROW,
    SUMMARY_HEADER_ROW,
    VALIDATION_LAST_ROW,
    info_excel_row,
    roster_column_letter,
    stage_text,
    summary_excel_row,
    write_cell_workbook,
    write_template,
)

REPO = Path(__file__).resolve().parents[2]


def make_header(**changes) -> Header:
    values = dict(unit_code="BL01", unit_name="Chi bộ Trường THPT Bảo Lâm", period="2024-03",
                  report_date=date(2024, 3, 20), prepared_by="Trần Thị Thu Hà",
                  secretary="Nguyễn Văn Hùng", form_version=FORM_VERSION)
    values.update(changes)
    return Header(**values)


def make_row(**changes) -> RosterRow:
    values = dict(
        excel_row=0, stt=1, full_name="Kră Jăn Ha Thuyên", birth_date=date(2006, 1, 9),
        gender="Nam", pid="068206009743", ethnicity="K'Ho", religion="Tin lành",
        population="hoc_sinh", class_or_position="12A1", youth_union=True, stage=7,
        stage_date=date(2024, 2, 15), helper_1="Nguyễn Văn Hùng", helper_2="BCH Đoàn trường",
        cert_no="96/GCN-TTCT", cert_date=date(2023, 10, 20), resolution_date=date(2024, 1, 14),
        decision_no="374-QĐ/HU", decision_date=date(2024, 2, 15), full_member_date=None,
        note=None,
    )
    values.update(changes)
    return RosterRow(**values)


def make_summary() -> dict[str, SummaryLine]:
    return {i.code: SummaryLine(i.code, summary_excel_row(i.code), n, None if n % 2 else n // 2)
            for n, i in enumerate(INDICATORS, start=1)}


def load(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


@pytest.fixture(scope="module")
def roster() -> list[RosterRow]:
    return [
        make_row(),
        make_row(stt=2, full_name="Nguyễn Thị Thu Hà", gender="Nữ", pid="068306123456",
                 ethnicity="Kinh", religion="Không", population="vien_chuc",
                 class_or_position="Giáo viên Toán", youth_union=False, stage=1,
                 stage_date=date(2023, 11, 2), helper_1=None, helper_2=None, cert_no=None,
                 cert_date=None, resolution_date=None, decision_no=None, decision_date=None),
        make_row(stt=3, full_name="Ka Điệp", gender="Nữ", pid="068307000001", birth_date=None,
                 stage=3, stage_date=date(2024, 1, 15), resolution_date=None,
                 decision_no=None, decision_date=None,
                 invalid={"birth_date": "31/02/2007", "stage": "9", "gender": "=nu"}),
    ]


@pytest.fixture(scope="module")
def workbook_bytes(roster) -> bytes:
    return write_cell_workbook(make_header(), make_summary(), roster, blank_rows=5)


@pytest.fixture(scope="module")
def wb(workbook_bytes) -> openpyxl.Workbook:
    return load(workbook_bytes)


def test_sheets_in_order_and_the_lists_sheet_is_hidden(wb):
    assert wb.sheetnames == ["ThongTin", "TongHop", "DanhSach", "HuongDan", SHEET_LISTS]
    assert wb[SHEET_LISTS].sheet_state == "hidden"
    assert all(wb[n].sheet_state == "visible" for n in wb.sheetnames[:4])
    assert wb.active.title == "ThongTin"


def test_info_sheet_has_title_labels_and_typed_values(wb):
    ws = wb["ThongTin"]
    assert "PHÁT TRIỂN ĐẢNG" in ws["A1"].value
    assert "A1:B1" in {str(r) for r in ws.merged_cells.ranges}
    for field, (label, _) in INFO_FIELDS.items():
        assert ws.cell(info_excel_row(field), 1).value == label
    values = {f: ws.cell(info_excel_row(f), 2) for f in INFO_FIELDS}
    assert values["unit_code"].value == "BL01"
    assert values["period"].value == "03/2024"
    assert values["period"].data_type == "s"
    assert values["report_date"].value == datetime(2024, 3, 20)
    assert values["report_date"].number_format == "dd/mm/yyyy"
    assert values["secretary"].value == "Nguyễn Văn Hùng"
    assert values["form_version"].value == FORM_VERSION


def test_summary_sheet_header_codes_and_values(wb):
    ws = wb["TongHop"]
    assert ws["A1"].value and ws.cell(SUMMARY_HEADER_ROW, 1).value == SUMMARY_HEADERS["code"]
    assert [ws.cell(SUMMARY_HEADER_ROW, c).value for c in range(1, 5)] == [
        "Mã số", "Chỉ tiêu", "Học sinh", "Viên chức"]
    for n, indicator in enumerate(INDICATORS, start=1):
        r = SUMMARY_FIRST_ROW + n - 1
        assert ws.cell(r, 1).value == indicator.code
        assert ws.cell(r, 2).value == indicator.label
        assert ws.cell(r, 3).value == n
        assert ws.cell(r, 4).value == (None if n % 2 else n // 2)
    assert ws.freeze_panes == f"A{SUMMARY_FIRST_ROW}"


def test_roster_header_follows_the_layout(wb):
    ws = wb["DanhSach"]
    assert ws["A1"].value and ws["A1"].font.bold
    header = [ws.cell(ROSTER_HEADER_ROW, c).value for c in range(1, len(ROSTER_COLUMNS) + 1)]
    assert header == list(ROSTER_COLUMNS.values())
    assert all(ws.cell(ROSTER_HEADER_ROW, c).font.bold for c in range(1, len(header) + 1))
    assert ws.cell(ROSTER_HEADER_ROW, 1).font.name == "Times New Roman"
    assert ws.freeze_panes == f"C{ROSTER_FIRST_ROW}"


def cell(ws, field: str, index: int):
    return ws[f"{roster_column_letter(field)}{ROSTER_FIRST_ROW + index}"]


def test_roster_values_are_typed_like_a_person_would_type_them(wb):
    ws = wb["DanhSach"]
    assert cell(ws, "stt", 0).value == 1
    assert cell(ws, "full_name", 0).value == "Kră Jăn Ha Thuyên"
    birth = cell(ws, "birth_date", 0)
    assert birth.value == datetime(2006, 1, 9) and birth.is_date
    assert birth.number_format == "dd/mm/yyyy"
    assert cell(ws, "gender", 0).value == "Nam"
    pid = cell(ws, "pid", 0)
    assert pid.value == "068206009743" and pid.data_type == "s"
    assert cell(ws, "ethnicity", 0).value == "K'Ho"
    assert cell(ws, "population", 0).value == "Học sinh"
    assert cell(ws, "population", 1).value == "Viên chức"
    assert cell(ws, "youth_union", 0).value == "Có"
    assert cell(ws, "youth_union", 1).value == "Không"
    assert cell(ws, "stage", 0).value == "7. Đảng viên dự bị" == stage_text(7)
    assert cell(ws, "decision_no", 0).value == "374-QĐ/HU"
    for field in ("stage_date", "cert_date", "resolution_date", "decision_date"):
        assert cell(ws, field, 0).is_date, field
    assert cell(ws, "full_member_date", 0).value is None
    assert cell(ws, "helper_1", 1).value is None


def test_planted_raw_texts_are_written_verbatim(wb):
    ws = wb["DanhSach"]
    assert cell(ws, "birth_date", 2).value == "31/02/2007"
    assert cell(ws, "stage", 2).value == "9"
    gender = cell(ws, "gender", 2)  # text starting with "=" must not become a formula
    assert gender.value == "=nu" and gender.data_type == "s"


def test_planted_raw_texts_in_header_and_summary():
    header = make_header(report_date=None, invalid={"report_date": "32/13/2024",
                                                    "period": "Tháng 13"})
    summary = {"TH01": SummaryLine("TH01", 0, None, 70, invalid={"hoc_sinh": "chín trăm"})}
    wb = load(write_cell_workbook(header, summary, []))
    info = wb["ThongTin"]
    assert info.cell(info_excel_row("report_date"), 2).value == "32/13/2024"
    assert info.cell(info_excel_row("period"), 2).value == "Tháng 13"
    ws = wb["TongHop"]
    assert ws.cell(summary_excel_row("TH01"), 3).value == "chín trăm"
    assert ws.cell(summary_excel_row("TH01"), 4).value == 70


def list_values(wb, defined_name: str) -> list[str]:
    sheet, ref = wb.defined_names[defined_name].attr_text.split("!")
    return [c.value for (c,) in wb[sheet][ref.replace("$", "")]]


def test_dropdowns_on_coded_columns_reference_the_hidden_lists(wb):
    ws = wb["DanhSach"]
    by_column = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    expected = {"gender": list(GENDERS), "ethnicity": list(ETHNIC_GROUPS),
                "population": ["Học sinh", "Viên chức"], "youth_union": ["Có", "Không"],
                "stage": list(STAGE_CHOICES)}
    assert len(by_column) == len(expected)
    for field, values in expected.items():
        letter = roster_column_letter(field)
        dv = by_column[f"{letter}{ROSTER_FIRST_ROW}:{letter}{VALIDATION_LAST_ROW}"]
        assert dv.type == "list"
        assert list_values(wb, dv.formula1) == values
    assert len(list_values(wb, "DM_DanToc")) == 54
    # every stage, in the "n. label" form the reader accepts
    assert set(STAGE_CHOICES) == {f"{n}. {label}" for n, label in STAGES.items()}


def test_blank_rows_are_formatted_and_the_signature_block_follows(wb, roster):
    ws = wb["DanhSach"]
    first_blank = ROSTER_FIRST_ROW + len(roster)
    for r in range(first_blank, first_blank + 5):
        assert all(ws.cell(r, c).value is None for c in range(1, len(ROSTER_COLUMNS) + 1))
        assert ws.cell(r, 1).border.left.style == "thin"
        assert ws[f"{roster_column_letter('birth_date')}{r}"].number_format == "dd/mm/yyyy"
    texts = {(c.row, c.column_letter): c.value for row in ws.iter_rows(min_row=first_blank + 5)
             for c in row if c.value}
    assert "BÍ THƯ CHI BỘ" in texts.values()
    assert "Nguyễn Văn Hùng" in texts.values()  # the secretary signs
    assert "Trần Thị Thu Hà" in texts.values()  # the person who prepared it
    assert "ngày 20 tháng 03 năm 2024" in texts.values()
    # Nothing under the columns that make a row a data row (STT, birth date, stage).
    data_markers = {roster_column_letter(f) for f in ("stt", "birth_date", "stage")}
    assert not {col for _, col in texts} & data_markers


def test_instructions_are_in_vietnamese_and_mention_format_and_deadline(wb):
    text = "\n".join(str(c.value) for (c,) in wb["HuongDan"].iter_rows(max_col=1) if c.value)
    assert "dd/mm/yyyy" in text
    assert "ngày 25" in text
    assert all(choice in text for choice in STAGE_CHOICES)
    assert "ThongTin" in text and "TongHop" in text and "DanhSach" in text


def test_same_input_gives_identical_bytes(workbook_bytes, roster):
    again = write_cell_workbook(make_header(), make_summary(), roster, blank_rows=5)
    assert again == workbook_bytes


def test_zip_members_carry_fixed_times_and_core_properties(workbook_bytes):
    with zipfile.ZipFile(io.BytesIO(workbook_bytes)) as zf:
        names = zf.namelist()
        assert names[0] == "[Content_Types].xml"
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    assert "2024-01-01T00:00:00Z" in core
    assert core.count("2024-01-01T00:00:00Z") == 2  # created and modified


_HASH_SCRIPT = """
import hashlib
from datetime import date
from core.form import Header, RosterRow
from forms.writer import write_cell_workbook
h = Header(unit_code="BL01", period="2024-03", report_date=date(2024, 3, 20))
r = [RosterRow(excel_row=0, stt=1, full_name="Ka Nhi", birth_date=date(2006, 5, 1))]
print(hashlib.sha256(write_cell_workbook(h, {}, r, blank_rows=3)).hexdigest())
"""


def test_bytes_do_not_depend_on_the_process_or_the_clock():
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, "-c", _HASH_SCRIPT], env=env, cwd=REPO,
                             capture_output=True, text=True, check=True)
        digests.add(out.stdout.strip())
    assert len(digests) == 1


def test_columns_can_be_reordered_or_left_out():
    columns = [c for c in ROSTER_COLUMNS if c != "pid"]
    columns[1], columns[2] = columns[2], columns[1]
    wb = load(write_cell_workbook(make_header(), {}, [make_row()], columns=columns))
    ws = wb["DanhSach"]
    header = [ws.cell(ROSTER_HEADER_ROW, c).value for c in range(1, len(columns) + 1)]
    assert header == [ROSTER_COLUMNS[c] for c in columns]
    assert "Số định danh cá nhân" not in header
    assert ws["B4"].is_date and ws["C4"].value == "Kră Jăn Ha Thuyên"
    with pytest.raises(ValueError):
        write_cell_workbook(make_header(), {}, [], columns=["stt", "nonsense"])


def test_template_is_prefilled_and_blank():
    unit = Unit("BL02", "Chi bộ Trường THPT Lộc An", "chi_bo", "BL", None, None)
    content = write_template(unit, "2024-04", rows=60)
    assert content == write_template(unit, "2024-04", rows=60)
    wb = load(content)
    info = wb["ThongTin"]
    value = {f: info.cell(info_excel_row(f), 2).value for f in INFO_FIELDS}
    assert value["unit_code"] == "BL02"
    assert value["unit_name"] == "Chi bộ Trường THPT Lộc An"
    assert value["period"] == "04/2024"
    assert value["form_version"] == FORM_VERSION
    assert value["report_date"] is None and value["secretary"] is None

    ws = wb["TongHop"]
    for indicator in INDICATORS:
        r = summary_excel_row(indicator.code)
        assert (ws.cell(r, 1).value, ws.cell(r, 2).value) == (indicator.code, indicator.label)
        # the roster's indicators count themselves (tests/unit/test_template_form.py)
        for c in (3, 4):
            value = ws.cell(r, c).value
            assert value.startswith("=") if indicator.from_roster else value is None

    roster = wb["DanhSach"]
    data_rows = range(ROSTER_FIRST_ROW, ROSTER_FIRST_ROW + 60)
    assert all(roster.cell(r, c).value is None
               for r in data_rows for c in range(1, len(ROSTER_COLUMNS) + 1))
    assert roster.cell(ROSTER_FIRST_ROW + 59, 1).border.bottom.style == "thin"
    assert roster.cell(ROSTER_FIRST_ROW + 60, 1).border.bottom.style is None
    assert len(roster.data_validations.dataValidation) == 6  # the coded columns, Tôn giáo
    assert "BÍ THƯ CHI BỘ" in {c.value for row in roster.iter_rows() for c in row}


def test_template_period_must_be_a_month():
    unit = Unit("BL02", "Chi bộ Trường THPT Lộc An", "chi_bo", "BL", None, None)
    with pytest.raises(ValueError):
        write_template(unit, "04/2024")


def test_digest_is_stable_for_the_template_across_calls():
    unit = Unit("BL01", "Chi bộ Trường THPT Bảo Lâm", "chi_bo", "BL", None, None)
    digests = {hashlib.sha256(write_template(unit, "2024-03")).hexdigest() for _ in range(2)}
    assert len(digests) == 1
