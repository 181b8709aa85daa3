"""The district's consolidated workbook built from a hand-made month."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from datetime import datetime

import openpyxl
import pytest
from district_month import INDICATORS, POPULATIONS, make_month, unit
from openpyxl.worksheet.worksheet import Worksheet

from core.month import MonthData, UnitStatus
from reports.district import SHEETS, build_district_workbook
from reports.document import DocumentHeader

FIRST_VALUE_COLUMN = 5  # E: after STT, Chi bộ, Mã chi bộ, Đối tượng
DOCUMENT = DocumentHeader(signer_name="Nguyễn Văn Thử", number="15")


@pytest.fixture(scope="module")
def month() -> MonthData:
    return make_month()


@pytest.fixture(scope="module")
def data(month: MonthData) -> bytes:
    return build_district_workbook(month, document=DOCUMENT)


@pytest.fixture(scope="module")
def book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def texts(ws: Worksheet) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def find_row(ws: Worksheet, column: int, value: str) -> int:
    rows = [c.row for c in ws.iter_cols(min_col=column, max_col=column).__next__()
            if c.value == value]
    assert len(rows) == 1, f"{value!r} found {len(rows)} times"
    return rows[0]


def row_values(ws: Worksheet, row: int) -> list[object]:
    return [ws.cell(row=row, column=FIRST_VALUE_COLUMN + i).value for i in range(15)]


def test_sheets(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == ["TongHop", "TinhHinhNopBaoCao", "ChiTieu", "PhanTich",
                               "CanQuanTam", "KiemTra", "BieuDo"]
    assert list(SHEETS) == book.sheetnames


def test_header_block(book: openpyxl.Workbook) -> None:
    ws = book["TongHop"]
    found = texts(ws)
    for text in ("HUYỆN ỦY BẢO LÂM", "BAN TỔ CHỨC", "*", "ĐẢNG CỘNG SẢN VIỆT NAM",
                 "Số: 15-BC/BTCHU", "Bảo Lâm, ngày 05 tháng 4 năm 2024", "BÁO CÁO TỔNG HỢP",
                 "Tình hình phát triển đảng viên trong học sinh, viên chức", "Tháng 3 năm 2024",
                 "K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Nguyễn Văn Thử", "Nơi nhận:",
                 "- Lưu BTCHU."):
        assert text in found
    assert all(unicodedata.is_normalized("NFC", t) for t in found)
    party = ws.cell(row=find_row(ws, 9, "ĐẢNG CỘNG SẢN VIỆT NAM"), column=9)
    assert party.font.b and party.font.u == "single"
    assert ws["I3"].font.i
    assert ws["A2"].font.b
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                assert cell.font.name == "Times New Roman", cell.coordinate


def test_default_document_header() -> None:
    ws = openpyxl.load_workbook(io.BytesIO(build_district_workbook(make_month())))["TongHop"]
    found = texts(ws)
    assert "HUYỆN ỦY BẢO LÂM" in found
    assert any(t.startswith("Số:") and t.endswith("-BC/BTCHU") for t in found)


def test_table_headers(book: openpyxl.Workbook) -> None:
    ws = book["TongHop"]
    header = find_row(ws, FIRST_VALUE_COLUMN, "TH01")
    assert [ws.cell(row=header, column=FIRST_VALUE_COLUMN + i).value
            for i in range(15)] == INDICATORS
    assert ws.cell(row=header + 1, column=FIRST_VALUE_COLUMN).value == "Tổng số"
    assert ws.cell(row=header + 1, column=FIRST_VALUE_COLUMN + 14).value == (
        "Chuyển đảng chính thức trong tháng")


def test_cell_rows_are_numbers(book: openpyxl.Workbook, month: MonthData) -> None:
    ws = book["TongHop"]
    for code in ("BL01", "BL02"):
        first = find_row(ws, 3, code)
        for offset, population in enumerate(POPULATIONS):
            assert ws.cell(row=first + offset, column=4).value == (
                "Học sinh" if population == "hoc_sinh" else "Viên chức")
            cells = [ws.cell(row=first + offset, column=FIRST_VALUE_COLUMN + i)
                     for i in range(15)]
            assert all(c.data_type == "n" and isinstance(c.value, int) for c in cells)
            assert [c.value for c in cells] == [
                month.values[(code, population, ind, "tong")] for ind in INDICATORS]


def test_totals_equal_sums(book: openpyxl.Workbook, month: MonthData) -> None:
    ws = book["TongHop"]
    accepted = ("BL01", "BL02")
    per_population = {
        p: [sum(month.values.get((c, p, ind, "tong"), 0) for c in accepted) for ind in INDICATORS]
        for p in POPULATIONS
    }
    # two of the four expected cells have an accepted report: every total says so
    assert row_values(ws, find_row(ws, 1, "Cộng học sinh (2/4 đơn vị có số liệu)")) == (
        per_population["hoc_sinh"])
    assert row_values(ws, find_row(ws, 1, "Cộng viên chức (2/4 đơn vị có số liệu)")) == (
        per_population["vien_chuc"])
    grand = row_values(ws, find_row(ws, 1, "Cộng toàn huyện (2/4 đơn vị có số liệu)"))
    assert grand == [a + b for a, b in zip(*per_population.values(), strict=True)]
    assert all(isinstance(v, int) for v in grand)


def test_no_formulas(data: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets
        for name in sheets:
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name)


def test_text_is_never_a_formula() -> None:
    month = make_month()
    month.cells[0] = UnitStatus(unit("BL01", "=HYPERLINK(\"x\")"), received=True,
                                accepted=True, on_time=True, version=1)
    data = build_district_workbook(month)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in archive.read(name)
    ws = openpyxl.load_workbook(io.BytesIO(data))["TongHop"]
    assert ws.cell(row=find_row(ws, 3, "BL01"), column=2).data_type == "s"
    assert "=HYPERLINK(\"x\")" in texts(ws)


def test_missing_cells_listed(book: openpyxl.Workbook) -> None:
    ws = book["TongHop"]
    found = texts(ws)
    start = found.index("Chi bộ chưa có báo cáo hợp lệ:")
    listed = found[start + 1:start + 3]
    assert "BL03" in listed[0] and "Lộc Thành" in listed[0] and "bị trả lại" in listed[0]
    assert "BL04" in listed[1] and "Lộc Bắc" in listed[1] and "chưa nộp" in listed[1]
    assert "Tất cả chi bộ đã có báo cáo hợp lệ." not in found


def test_cells_without_valid_data_are_rows_of_words_not_zeros(book: openpyxl.Workbook,
                                                            ) -> None:
    """Every expected cell has its line in the table; one without an accepted report shows
    why it has no figures, never a row of zeros."""
    ws = book["TongHop"]
    for code, reason in (("BL03", "bị trả lại"), ("BL04", "chưa nộp")):
        row = find_row(ws, 3, code)
        assert ws.cell(row=row, column=FIRST_VALUE_COLUMN).value == (
            f"Không có số liệu hợp lệ ({reason})")
        assert all(ws.cell(row=row, column=FIRST_VALUE_COLUMN + i).value is None
                   for i in range(1, 15))
        assert f"E{row}:S{row}" in {str(r) for r in ws.merged_cells.ranges}
    assert [ws.cell(row=find_row(ws, 3, c), column=1).value
            for c in ("BL01", "BL02", "BL03", "BL04")] == [1, 2, 3, 4]


def test_complete_totals_carry_no_coverage_note() -> None:
    ws = openpyxl.load_workbook(io.BytesIO(
        build_district_workbook(make_month(all_accepted=True))))["TongHop"]
    assert find_row(ws, 1, "Cộng toàn huyện")
    assert not [t for t in texts(ws) if "đơn vị có số liệu" in t]


def test_a_month_without_any_accepted_cell_shows_no_figure_anywhere() -> None:
    """A commune whose only cell was rejected: its totals are words, not zeros, on every
    sheet, and its target is still the registry's."""
    from dataclasses import replace

    month = make_month()
    month.cells = [replace(c, accepted=False) for c in month.cells]
    month.values = {}
    book = openpyxl.load_workbook(io.BytesIO(build_district_workbook(month)))
    ws = book["TongHop"]
    grand = find_row(ws, 1, "Cộng toàn huyện (0/4 đơn vị có số liệu)")
    assert ws.cell(row=grand, column=FIRST_VALUE_COLUMN).value == "Không có số liệu hợp lệ"
    for sheet in ("TongHop", "ChiTieu", "PhanTich"):
        numbers = [c.value for row in book[sheet].iter_rows(min_row=5) for c in row
                   if isinstance(c.value, int | float) and not isinstance(c.value, bool)]
        if sheet == "TongHop":
            assert numbers == [1, 2, 3, 4], numbers  # the STT column only
        if sheet == "PhanTich":
            assert numbers == []
    targets = book["ChiTieu"]
    total = find_row(targets, 1, "Cộng toàn huyện (0/4 đơn vị có số liệu)")
    assert targets.cell(row=total, column=5).value is None       # no admissions figure
    assert targets.cell(row=total, column=6).value == 24          # every cell's target
    assert targets.cell(row=total, column=12).value == "Không có số liệu hợp lệ"
    assert "Chưa giao chỉ tiêu" not in texts(targets)
    assert not book["BieuDo"]._images  # no chart of zeros


def test_all_accepted_sentence() -> None:
    ws = openpyxl.load_workbook(io.BytesIO(
        build_district_workbook(make_month(all_accepted=True))))["TongHop"]
    found = texts(ws)
    assert "Tất cả chi bộ đã có báo cáo hợp lệ." in found
    assert "Chi bộ chưa có báo cáo hợp lệ:" not in found


def test_submissions_sheet(book: openpyxl.Workbook) -> None:
    ws = book["TinhHinhNopBaoCao"]
    header = find_row(ws, 2, "Mã chi bộ")
    assert [c.value for c in ws[header]] == [
        "STT", "Mã chi bộ", "Tên chi bộ", "Tiếp nhận", "Kết quả", "Phiên bản",
        "Thời điểm nhận", "Đúng hạn", "Số lỗi", "Số cảnh báo"]
    rows = {ws.cell(row=r, column=2).value: [c.value for c in ws[r]]
            for r in range(header + 1, header + 5)}
    assert rows["BL01"][3:8] == ["Đã nhận", "Hợp lệ", 1, datetime(2024, 4, 3, 8, 15),
                                 "Đúng hạn"]
    assert rows["BL02"][4] == "Hợp lệ" and rows["BL02"][7] == "Trễ hạn"
    assert rows["BL02"][9] == 2
    assert rows["BL03"][3:5] == ["Đã nhận", "Bị trả lại"] and rows["BL03"][8] == 4
    assert rows["BL04"][3:5] == ["Chưa nhận", "Chưa nộp"]
    assert ws.cell(row=header + 1, column=7).number_format == "dd/mm/yyyy hh:mm"
    totals = [c.value for c in ws[header + 5]]
    assert totals[0] == "Cộng"
    assert (totals[2], totals[3], totals[4], totals[7]) == (4, 3, 2, 1)
    assert all(isinstance(v, int) for v in (totals[2], totals[3], totals[4], totals[7]))


def test_completeness_summary(book: openpyxl.Workbook, month: MonthData) -> None:
    ws = book["TinhHinhNopBaoCao"]
    counts = {ws.cell(row=r, column=2).value: (ws.cell(row=r, column=4).value,
                                               ws.cell(row=r, column=5).value)
              for r in range(find_row(ws, 2, "Nội dung") + 1, find_row(ws, 2, "Mã chi bộ"))
              if ws.cell(row=r, column=2).value}
    expected = len(month.cells)
    received = sum(c.received for c in month.cells)
    accepted = sum(c.accepted for c in month.cells)
    on_time = sum(c.accepted and c.on_time for c in month.cells)
    want = {
        "Chi bộ phải báo cáo": expected,
        "Đã nhận báo cáo": received,
        "Có báo cáo hợp lệ": accepted,
        "– trong đó: đúng hạn": on_time,
        "– trong đó: trễ hạn": accepted - on_time,
        "Chưa có báo cáo hợp lệ": expected - accepted,
        "– trong đó: bị trả lại, chưa gửi lại bản hợp lệ": received - accepted,
        "– trong đó: chưa nộp": expected - received,
    }
    assert {k: v[0] for k, v in counts.items()} == want == {
        "Chi bộ phải báo cáo": 4, "Đã nhận báo cáo": 3, "Có báo cáo hợp lệ": 2,
        "– trong đó: đúng hạn": 1, "– trong đó: trễ hạn": 1, "Chưa có báo cáo hợp lệ": 2,
        "– trong đó: bị trả lại, chưa gửi lại bản hợp lệ": 1, "– trong đó: chưa nộp": 1}
    assert {k: v[1] for k, v in counts.items()} == {k: v / 4 for k, v in want.items()}


def test_byte_identical(data: bytes, month: MonthData) -> None:
    assert build_district_workbook(month, document=DOCUMENT) == data
    assert build_district_workbook(make_month(), document=DOCUMENT) == data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert len({i.date_time for i in archive.infolist()}) == 1
        assert archive.namelist()[0] == "[Content_Types].xml"


PRINT_TITLES = {"TongHop": "11:12", "TinhHinhNopBaoCao": "14:14", "ChiTieu": "4:4",
                "PhanTich": "4:5", "CanQuanTam": "5:5", "KiemTra": "4:4", "BieuDo": "1:2"}


@pytest.mark.parametrize("name", list(PRINT_TITLES))
def test_print_settings(book: openpyxl.Workbook, name: str) -> None:
    ws = book[name]
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.orientation == ("portrait" if name == "BieuDo" else "landscape")
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.fitToWidth) == 1
    assert int(ws.page_setup.fitToHeight) == 0
    assert ws.print_title_rows.replace("$", "") == PRINT_TITLES[name]
    assert ws.print_area


def test_every_sheet_in_times_new_roman(book: openpyxl.Workbook) -> None:
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == "Times New Roman", (ws.title, cell.coordinate)
