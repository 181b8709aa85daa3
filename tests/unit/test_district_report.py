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
from reports.district import INTERNAL_SHEETS, SHEETS, build_district_workbook
from reports.district_attention import SHEET_ATTENTION
from reports.document import DocumentHeader
from reports.sheetstyle import (
    column_groups,
    keep_together,
    print_setup,
    printed_copy,
    sheet_names,
)

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
    assert book.sheetnames == ["TongHop", "TinhHinhNopBaoCao", "ChiTieu", "XuHuong",
                               "TheoThang", "PhanTich", "CanQuanTam", "KiemTra", "BieuDo"]
    assert list(SHEETS) == book.sheetnames


def test_header_block(book: openpyxl.Workbook) -> None:
    ws = book["TongHop"]
    found = texts(ws)
    for text in ("HUYỆN ỦY BẢO LÂM", "BAN TỔ CHỨC", "*", "ĐẢNG CỘNG SẢN VIỆT NAM",
                 DOCUMENT.number_line(), "Bảo Lâm, ngày 05 tháng 4 năm 2024", "BÁO CÁO TỔNG HỢP",
                 "Tình hình phát triển đảng viên trong học sinh, viên chức", "Tháng 3 năm 2024",
                 "K/T TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "Nguyễn Văn Thử", "Nơi nhận:",
                 "- Lưu BTCHU."):
        assert text in found
    assert all(unicodedata.is_normalized("NFC", t) for t in found)
    # the right block ends with the first printed page across (A–L)
    party = ws.cell(row=find_row(ws, 7, "ĐẢNG CỘNG SẢN VIỆT NAM"), column=7)
    assert party.font.b and party.font.u == "single"
    assert ws["G3"].font.i
    assert ws["A2"].font.b
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                assert cell.font.name == "Times New Roman", cell.coordinate


def test_default_document_header() -> None:
    ws = openpyxl.load_workbook(io.BytesIO(build_district_workbook(make_month())))["TongHop"]
    found = texts(ws)
    assert "HUYỆN ỦY BẢO LÂM" in found
    assert any(t.startswith("Số") and t.endswith("-BC/BTCHU") for t in found)


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
    why it has no figures, never a row of zeros — on each printed page across (E–L, M–S)."""
    ws = book["TongHop"]
    for code, reason in (("BL03", "bị trả lại"), ("BL04", "chưa nộp")):
        row = find_row(ws, 3, code)
        assert [ws.cell(row=row, column=c).value for c in (5, 13)] == [
            f"Không có số liệu hợp lệ ({reason})"] * 2
        assert all(ws.cell(row=row, column=c).value is None
                   for c in (*range(6, 13), *range(14, 20)))
        assert {f"E{row}:L{row}", f"M{row}:S{row}"} <= {str(r) for r in ws.merged_cells.ranges}
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


PRINT_TITLES = {"TongHop": "10:12", "TinhHinhNopBaoCao": "14:14", "ChiTieu": "4:4",
                "XuHuong": "4:5", "TheoThang": "4:5", "PhanTich": "4:5", "CanQuanTam": "5:5",
                "KiemTra": "4:4", "BieuDo": "1:2"}


@pytest.mark.parametrize("name", list(PRINT_TITLES))
def test_every_sheet_prints_on_a4_landscape_at_its_own_size(book: openpyxl.Workbook,
                                                           name: str) -> None:
    """Never fitted to the page (the 19 columns of TongHop printed at 6 pt that way)."""
    ws = book[name]
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.orientation == "landscape"
    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.scale) == 100
    assert ws.print_title_rows.replace("$", "") == PRINT_TITLES[name]
    assert ws.print_area


def test_the_summary_prints_on_two_pages_across_and_ends_with_the_signature(
        book: openpyxl.Workbook) -> None:
    """A–L under the heading, then A–D again beside M–S; the rows below the table (the
    cells without a report, "Nơi nhận", the signer) print with the last page across."""
    ws = book["TongHop"]
    last = ws.max_row
    table_end = find_row(ws, 1, "Cộng toàn huyện (2/4 đơn vị có số liệu)")
    assert ws.print_area.replace("'TongHop'!", "").replace("$", "").split(",") == [
        f"A1:L{table_end}", f"M10:S{last}"]
    assert ws.print_title_cols.replace("$", "") == "A:D"
    assert ws.cell(row=find_row(ws, 1, "Nơi nhận:"), column=1).value == "Nơi nhận:"
    assert ws.cell(row=find_row(ws, 13, "PHÓ TRƯỞNG BAN"), column=13).value
    assert ws.cell(row=last, column=13).value == "Nguyễn Văn Thử"
    assert ws["G10"].value == "Biểu số 01" and ws["M10"].value == "Biểu số 01 (tiếp theo)"


def test_every_sheet_in_times_new_roman(book: openpyxl.Workbook) -> None:
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.font.name == "Times New Roman", (ws.title, cell.coordinate)


# ---------------------------------------------------------------- printing (sheetstyle)


def test_column_groups_fill_each_page_and_never_cut_a_header_block() -> None:
    summary = [4.5, 20, 7, 10] + [7.6] * 15
    assert column_groups(summary, capacity=102.8) == [(1, 12), (13, 19)]
    breakdowns = [5, 22, 6, 9.5] + [8.5] * 15
    blocks = [(5, 9), (10, 14), (15, 19)]
    assert column_groups(breakdowns, capacity=102.8, blocks=blocks) == [
        (1, 9), (10, 14), (15, 19)]
    # a break inside a block would fit more on the first page: the block goes whole instead
    widths = [10, 10, 10, 20, 20, 30]
    assert column_groups(widths, labels=2, capacity=60) == [(1, 4), (5, 5), (6, 6)]
    assert column_groups(widths, labels=2, capacity=60, blocks=[(4, 5)]) == [
        (1, 3), (4, 5), (6, 6)]
    assert column_groups([5, 20, 7, 10, 30], capacity=102.8) == [(1, 5)]


def test_the_printed_copy_shows_and_prints_only_its_own_sheets(data: bytes) -> None:
    """LibreOffice prints a hidden sheet that keeps a print range: the copy drops those."""
    internal = openpyxl.load_workbook(io.BytesIO(printed_copy(data, [SHEET_ATTENTION])))
    sending = openpyxl.load_workbook(io.BytesIO(printed_copy(
        data, [s for s in SHEETS if s not in INTERNAL_SHEETS])))
    assert INTERNAL_SHEETS == (SHEET_ATTENTION,)
    for book, shown in ((internal, {SHEET_ATTENTION}), (sending, set(SHEETS) - {
            SHEET_ATTENTION})):
        assert {ws.title for ws in book.worksheets if ws.sheet_state == "visible"} == shown
        assert all(bool(ws.print_area) == (ws.title in shown) for ws in book.worksheets)
        assert book.active.title in shown
    assert sheet_names(data) == list(SHEETS)


def test_a_signature_that_would_be_cut_begins_a_new_page() -> None:
    """keep_together: a block that fits under the rows before it stays; one that a page
    break would cut goes whole to the next page."""
    for rows, moved in ((10, False), (22, True)):
        ws = openpyxl.Workbook().active
        for row in range(1, rows + 1):
            ws.row_dimensions[row].height = 20
        print_setup(ws, title_rows="1:1", last_row=rows + 8, last_column=3)
        for row in range(rows + 1, rows + 9):
            ws.cell(row=row, column=1, value="Nơi nhận:")  # 8 rows of 13 pt, ~18 pt each
        keep_together(ws, rows + 1, rows + 8, top=1)
        assert [b.id for b in ws.row_breaks.brk] == ([rows] if moved else [])


def test_the_workbook_is_built_with_the_collector_paused_and_it_runs_again_after(
        month: MonthData, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    import reports.district as district

    seen: list[bool] = []
    build = district.build_charts_sheet

    def charts(ws: Worksheet, data: MonthData) -> None:
        seen.append(gc.isenabled())
        build(ws, data)

    monkeypatch.setattr(district, "build_charts_sheet", charts)
    build_district_workbook(month)
    assert seen == [False]  # no cyclic collection walks its cells while they are built
    assert gc.isenabled()
