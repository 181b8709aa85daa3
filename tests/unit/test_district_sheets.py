"""The district workbook's sheets beyond the summary: targets, breakdowns, the internal
list, checks and charts — every figure recomputed here from the hand-made month."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from district_month import ATTENTION, demo_month, make_month
from openpyxl.worksheet.worksheet import Worksheet

from core.month import AGE_BANDS, MonthData
from reports.charts import (
    admissions_png,
    draw_admissions,
    draw_funnel,
    funnel_png,
    monthly_values,
)
from reports.district import build_district_workbook

POPULATIONS = ("hoc_sinh", "vien_chuc")
NO_STUDENT = "Chưa kết nạp học sinh nào"
STAFF_BEHIND = "Chỉ tiêu viên chức chậm tiến độ"


@pytest.fixture(scope="module")
def month() -> MonthData:
    return make_month()


@pytest.fixture(scope="module")
def data(month: MonthData) -> bytes:
    return build_district_workbook(month)


@pytest.fixture(scope="module")
def book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def accepted(month: MonthData) -> list[str]:
    return sorted(c.unit.code for c in month.cells if c.accepted)


def rows_of(ws: Worksheet, column: int, value: object) -> list[int]:
    return [c.row for c in next(ws.iter_cols(min_col=column, max_col=column))
            if c.value == value]


def only_row(ws: Worksheet, column: int, value: object) -> int:
    [row] = rows_of(ws, column, value)
    return row


def line(ws: Worksheet, row: int, first: int, last: int) -> list[object]:
    return [ws.cell(row=row, column=c).value for c in range(first, last + 1)]


def texts(ws: Worksheet) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


# ---------------------------------------------------------------- ChiTieu


def test_targets_per_cell(book: openpyxl.Workbook, month: MonthData) -> None:
    ws = book["ChiTieu"]
    for code in accepted(month):
        first = only_row(ws, 3, code)
        for offset, population in enumerate(POPULATIONS):
            row = first + offset
            ytd = month.values[(code, population, "TH12", "tong")]
            target = month.targets[(code, population)]
            ytd_cell, target_cell, percent, due, gap, pace, remaining = (
                ws.cell(row=row, column=c) for c in range(5, 12))
            assert (ytd_cell.value, target_cell.value) == (ytd, target)
            assert ytd_cell.data_type == "n" and target_cell.data_type == "n"
            assert percent.value == pytest.approx(ytd / target)
            assert percent.number_format == "0.0%"
            assert due.value == pytest.approx(target * 3 / 12)
            assert gap.value == pytest.approx(ytd - target * 3 / 12)
            # behind only when short of the pace by a whole person (config/rules/pace.csv)
            assert pace.value == ("Vượt tiến độ" if ytd * 12 > target * 3 else
                                  "Chậm tiến độ" if target * 3 - ytd * 12 >= 12 else
                                  "Đúng tiến độ")
            assert remaining.value == max(target - ytd, 0)


def test_targets_by_hand(book: openpyxl.Workbook) -> None:
    ws = book["ChiTieu"]
    bl01 = only_row(ws, 3, "BL01")
    assert line(ws, bl01, 5, 12) == [2, 6, pytest.approx(1 / 3), 1.5, 0.5, "Vượt tiến độ", 4,
                                     None]
    # a staff target of 2 is half a person short of its pace in March: not behind
    assert line(ws, bl01 + 1, 5, 12) == [0, 2, 0, 0.5, -0.5, "Đúng tiến độ", 2, None]
    bl03 = only_row(ws, 3, "BL03")  # rejected: target and pace due, no admissions
    assert line(ws, bl03, 5, 8) == [None, 4, None, 1.0]
    assert ws.cell(row=bl03, column=12).value == "Chưa có báo cáo hợp lệ tháng này"


def test_target_totals_set_accepted_admissions_against_every_cells_target(
        book: openpyxl.Workbook, month: MonthData) -> None:
    """A rejected or missing report never shrinks the target: the admissions are the
    accepted cells', the target every expected cell's, and the label says 2 of 4."""
    ws = book["ChiTieu"]
    codes = accepted(month)
    for label, populations in (("Cộng học sinh", ["hoc_sinh"]),
                               ("Cộng viên chức", ["vien_chuc"]),
                               ("Cộng toàn huyện", list(POPULATIONS))):
        ytd = sum(month.values[(c, p, "TH12", "tong")] for c in codes for p in populations)
        target = sum(month.targets[(c.unit.code, p)] for c in month.cells for p in populations)
        row = only_row(ws, 1, f"{label} (2/4 đơn vị có số liệu)")
        assert line(ws, row, 5, 9) == [ytd, target, pytest.approx(ytd / target),
                                       pytest.approx(target * 3 / 12),
                                       pytest.approx(ytd - target * 3 / 12)]
    # the registry's 24, not the 15 of the two accepted cells
    assert line(ws, only_row(ws, 1, "Cộng toàn huyện (2/4 đơn vị có số liệu)"), 5, 6) == [
        3, 24]


def test_no_student_flag_exactly_on_cells_without_student_admissions(
        book: openpyxl.Workbook, month: MonthData) -> None:
    ws = book["ChiTieu"]
    flagged = rows_of(ws, 12, NO_STUDENT)
    zero = [c for c in accepted(month) if month.values[(c, "hoc_sinh", "TH12", "tong")] == 0]
    assert zero == ["BL02"]
    assert flagged == [only_row(ws, 3, "BL02")]
    assert ws.cell(row=flagged[0], column=4).value == "Học sinh"
    assert ws.cell(row=flagged[0], column=12).font.b
    # BL01's staff are half a person short of the pace: no flag (tests/unit/
    # test_district_progress.py flags a whole person)
    assert rows_of(ws, 12, STAFF_BEHIND) == []
    notes = texts(ws)
    assert any(t.startswith(NO_STUDENT) and "BL02" in t for t in notes)
    assert not any(t.startswith(STAFF_BEHIND) for t in notes)


def test_targets_header_names_the_month(book: openpyxl.Workbook) -> None:
    ws = book["ChiTieu"]
    assert ws.cell(row=4, column=8).value == "Cần đạt đến hết tháng 3"
    # the formula, too long for the narrow column, is in the note under the table
    assert any(t.startswith("Tiến độ: số cần đạt đến hết tháng 3 = chỉ tiêu năm × 3/12;")
               for t in texts(ws))


# ---------------------------------------------------------------- PhanTich

BREAKDOWNS = ("tong", "nu", "dan_toc_thieu_so", "ton_giao", "doan_vien")
GROUPS = ("TH05", "TH11", "TH12")
BANDS = [label for label, _, _ in AGE_BANDS]


def test_breakdown_header(book: openpyxl.Workbook) -> None:
    ws = book["PhanTich"]
    assert line(ws, 5, 6, 15) == ["Nữ", "Dân tộc thiểu số", "Có tôn giáo", "Đoàn viên",
                                  *BANDS]
    assert BANDS[0] == "18–30"


def test_breakdown_per_cell(book: openpyxl.Workbook, month: MonthData) -> None:
    ws = book["PhanTich"]
    for code in accepted(month):
        first = only_row(ws, 3, code)
        for offset, group in enumerate(GROUPS):
            got = line(ws, first + offset, 5, 9)
            assert got == [sum(month.values[(code, p, group, b)] for p in POPULATIONS)
                           for b in BREAKDOWNS]
    assert only_row(ws, 3, "BL01") and not rows_of(ws, 3, "BL03")


@pytest.mark.parametrize("label, populations", [
    ("Cộng học sinh", ("hoc_sinh",)), ("Cộng viên chức", ("vien_chuc",)),
    ("Cộng toàn huyện", POPULATIONS)])
def test_breakdown_totals(book: openpyxl.Workbook, month: MonthData, label: str,
                          populations: tuple[str, ...]) -> None:
    ws = book["PhanTich"]
    codes = accepted(month)
    first = only_row(ws, 1, f"{label} (2/4 đơn vị có số liệu)")
    for offset, group in enumerate(GROUPS):
        row = first + offset
        assert line(ws, row, 5, 9) == [
            sum(month.values.get((c, p, group, b), 0) for c in codes for p in populations)
            for b in BREAKDOWNS]
        bands = line(ws, row, 10, 15)
        if group == "TH11":
            assert bands == [None] * 6
        else:
            assert bands == [sum(v for (c, p, g, b), v in month.age_bands.items()
                                 if c in codes and p in populations and g == group
                                 and b == band) for band in BANDS]
    assert all(isinstance(v, int) for v in line(ws, first, 5, 15))


def test_breakdown_age_bands_by_hand(book: openpyxl.Workbook) -> None:
    ws = book["PhanTich"]
    total = only_row(ws, 1, "Cộng toàn huyện (2/4 đơn vị có số liệu)")
    assert line(ws, total, 10, 15) == [4, 1, 1, 0, 0, 3]      # TH05
    assert line(ws, total + 2, 10, 15) == [2, 1, 0, 0, 0, 0]  # TH12


# ---------------------------------------------------------------- CanQuanTam


def test_attention_lists_the_names(book: openpyxl.Workbook) -> None:
    ws = book["CanQuanTam"]
    found = texts(ws)
    assert "Tài liệu nội bộ — không gửi cấp trên" in found
    assert "Tài liệu nội bộ" in ws.oddHeader.center.text
    for item in ATTENTION:
        row = only_row(ws, 3, item.full_name)
        assert ws.cell(row=row, column=2).value == {
            "BL01": "Chi bộ Trường THPT Bảo Lâm", "BL02": "Chi bộ Trường THPT Lộc An"}[
            item.unit_code]
        assert ws.cell(row=row, column=4).value.date() == item.birth_date
        assert ws.cell(row=row, column=7).value.date() == item.since
        assert ws.cell(row=row, column=8).value == item.message
    lan = only_row(ws, 3, "Nguyễn Thị Lan")
    assert line(ws, lan, 5, 6) == ["Học sinh", "4. Khai lý lịch"]
    headings = [t for t in found if t.endswith(("(H04)", "(H05)", "(H06)", "(R07)"))]
    assert [h[-4:-1] for h in headings] == ["H04", "H05", "R07"]


def test_attention_empty() -> None:
    month = make_month()
    month.attention = []
    ws = openpyxl.load_workbook(io.BytesIO(build_district_workbook(month)))["CanQuanTam"]
    found = texts(ws)
    assert "Trong tháng không có trường hợp nào cần quan tâm." in found
    assert "Họ và tên" not in found
    assert "Tài liệu nội bộ — không gửi cấp trên" in found


def test_names_stay_on_the_internal_sheet(book: openpyxl.Workbook) -> None:
    for ws in book.worksheets:
        if ws.title != "CanQuanTam":
            assert not {i.full_name for i in ATTENTION} & set(texts(ws)), ws.title


# ---------------------------------------------------------------- KiemTra


def test_checks(book: openpyxl.Workbook) -> None:
    ws = book["KiemTra"]
    assert line(ws, 4, 1, 9) == ["STT", "Mã chi bộ", "Tên chi bộ", "Phiên bản", "Số lỗi",
                                 "Số cảnh báo", "Phản hồi", "Kết quả", "Việc cần làm"]
    rows = {ws.cell(row=r, column=2).value: line(ws, r, 4, 9) for r in range(5, 9)}
    assert rows["BL01"] == [1, 0, 1, "Đã gửi", "Hợp lệ", "Chi bộ xem lại các cảnh báo"]
    assert rows["BL02"] == [3, 0, 2, "Đã gửi", "Hợp lệ", "Chi bộ xem lại các cảnh báo"]
    assert rows["BL03"] == [None, 4, 0, "Đã gửi", "Bị trả lại",
                            "Chi bộ sửa lỗi theo phản hồi và gửi lại"]
    assert rows["BL04"] == [None, None, None, "–", "Chưa nộp", "Đôn đốc chi bộ nộp báo cáo"]
    assert line(ws, 9, 1, 8) == ["Cộng", None, None, None, 4, 3, 3, 2]


# ---------------------------------------------------------------- BieuDo


def test_charts_sheet_holds_two_images(book: openpyxl.Workbook, data: bytes) -> None:
    assert len(book["BieuDo"]._images) == 2
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        media = [n for n in archive.namelist() if n.startswith("xl/media/")]
        assert len(media) == 2
        for name in media:
            png = archive.read(name)
            assert png.startswith(b"\x89PNG") and b"Software" not in png
    assert "Biểu đồ 1. Số người ở từng bước của quy trình (cộng các chi bộ có báo cáo " \
           "hợp lệ) (2/4 đơn vị có số liệu)" in texts(book["BieuDo"])


def test_chart_data(month: MonthData) -> None:
    assert monthly_values(month) == {"hoc_sinh": [1, 0, 1], "vien_chuc": [0, 1, 0]}
    funnel, admissions = funnel_png(month), admissions_png(month)
    draw_funnel.cache_clear()
    draw_admissions.cache_clear()  # drawn again, not given back from the cache
    assert funnel_png(make_month()) == funnel and admissions_png(make_month()) == admissions
    assert draw_funnel.cache_info().misses == draw_admissions.cache_info().misses == 1


def test_a_chart_is_drawn_again_when_its_numbers_change(month: MonthData) -> None:
    other = replace(month, targets={key: value + 1 for key, value in month.targets.items()})
    assert admissions_png(other) != admissions_png(month)
    assert funnel_png(other) == funnel_png(month)  # the funnel has no target


# ---------------------------------------------------------------- the whole workbook


def test_byte_identical(data: bytes) -> None:
    assert build_district_workbook(make_month()) == data


def test_byte_identical_in_a_fresh_process(data: bytes) -> None:
    """A report rebuilt later (another process, a cold matplotlib) has the same bytes."""
    tests = Path(__file__).resolve().parents[1]
    code = ("import hashlib, sys; sys.path.insert(0, sys.argv[1]);"
            "from district_month import make_month;"
            "from reports.district import build_district_workbook;"
            "print(hashlib.sha256(build_district_workbook(make_month())).hexdigest())")
    out = subprocess.run([sys.executable, "-c", code, str(tests)], capture_output=True,
                         text=True, check=True, cwd=tests.parent).stdout.strip()
    assert out == hashlib.sha256(data).hexdigest()


def test_empty_month_builds() -> None:
    month = make_month()
    month.cells = []
    month.values, month.targets, month.monthly_admissions, month.age_bands = {}, {}, {}, {}
    month.attention = []
    book = openpyxl.load_workbook(io.BytesIO(build_district_workbook(month)))
    # nothing expected, nothing to draw or add up: no chart and no figure of zeros
    assert len(book["BieuDo"]._images) == 0
    assert line(book["ChiTieu"], only_row(book["ChiTieu"], 1, "Cộng toàn huyện"), 5, 6) == [
        None, None]


def test_demo_month_builds() -> None:
    book = openpyxl.load_workbook(io.BytesIO(build_district_workbook(demo_month())))
    ws = book["ChiTieu"]
    assert rows_of(ws, 12, NO_STUDENT) == [only_row(ws, 3, "BL03")]
    assert date(2024, 9, 1) and book["CanQuanTam"].max_row > 10
