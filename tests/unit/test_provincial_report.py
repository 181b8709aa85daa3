"""The provincial workbook and the province's data file, from a hand-made ProvinceMonth."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from openpyxl import load_workbook
from province_factories import (
    csv_records,
    demo_files,
    demo_province_month,
    district_csv,
    province_registry,
)

from core.month import UnitStatus
from core.province_month import ProvinceMonth
from reports.province_export import province_export_rows, write_export_csv
from reports.provincial import SHEETS, build_provincial_workbook

INDICATORS = [f"TH{n:02d}" for n in range(1, 16)]


@pytest.fixture(scope="module")
def registry():
    return province_registry()


@pytest.fixture(scope="module")
def files(registry) -> dict[str, bytes]:
    return demo_files(registry)


@pytest.fixture(scope="module")
def data(registry, files) -> ProvinceMonth:
    return demo_province_month(registry, files)


@pytest.fixture(scope="module")
def workbook(data):
    return load_workbook(io.BytesIO(build_provincial_workbook(data)))


def sums(files: dict[str, bytes]) -> Counter:
    """Recomputed here from the files: each district's own rows, added up."""
    total: Counter = Counter()
    for code, content in files.items():
        for r in csv_records(content):
            if r["unit_code"] == code:
                total[(r["population"], r["indicator"], r["breakdown"])] += int(r["value"])
    return total


def texts(ws) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


def test_the_workbook_has_its_sheets_and_the_party_document_header(workbook):
    assert workbook.sheetnames == list(SHEETS)
    ws = workbook["TongHop"]
    assert ws["A1"].value == "TỈNH ỦY LÂM ĐỒNG" and ws["A2"].value == "BAN TỔ CHỨC"
    assert ws["A3"].value == "*" and ws["A4"].value.endswith("-BC/BTCTU")
    # the right block ends with the first printed page across (A–L)
    assert ws["G1"].value == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert ws["G3"].value == "Đà Lạt, ngày 02 tháng 4 năm 2024" and ws["G3"].font.i
    assert ws["A1"].font.name == "Times New Roman"
    body = texts(ws)
    assert "K/T TRƯỞNG BAN" in body and "Nơi nhận:" in body
    assert "- Các huyện ủy, thành ủy," in body
    assert ws["G10"].value == "Biểu số 01" and ws["M10"].value == "Biểu số 01 (tiếp theo)"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.print_title_rows == "$10:$12"


def test_the_province_totals_are_the_sums_of_the_district_files(workbook, files):
    ws = workbook["TongHop"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=13) if isinstance(r[0].value, str)}
    expected = sums(files)
    for label, population in (("Cộng học sinh", "hoc_sinh"), ("Cộng viên chức", "vien_chuc"),
                              ("Cộng toàn tỉnh", "tong")):
        # three of the four districts have valid data: the label says so beside the figures
        values = [c.value for c in rows[f"{label} (3/4 đơn vị có số liệu)"][4:19]]
        assert values == [expected[(population, i, "tong")] for i in INDICATORS], label


def test_each_district_has_three_rows_and_the_missing_one_is_named(workbook, files):
    ws = workbook["TongHop"]
    codes = [ws.cell(row, 3).value for row in range(13, 23)]
    assert codes == ["BL", None, None, "BLC", None, None, "DL", None, None, "LH"]
    # Lâm Hà's line says why it has no figures, on each printed page across (E–L, M–S);
    # it is never a row of zeros
    assert ws.cell(22, 5).value == ws.cell(22, 13).value == (
        "Không có số liệu hợp lệ (chưa gửi tệp)")
    assert all(ws.cell(22, c).value is None for c in (*range(6, 13), *range(14, 20)))
    # Bảo Lâm's file covers 3 of its 4 cells: its name says so
    assert ws.cell(13, 2).value == "Đảng bộ huyện Bảo Lâm (3/4 đơn vị có số liệu)"
    bl = {r["indicator"]: int(r["value"]) for r in csv_records(files["BL"])
          if r["unit_code"] == "BL" and r["population"] == "vien_chuc" and r["breakdown"] == "tong"}
    assert [ws.cell(14, c).value for c in range(5, 20)] == [bl[i] for i in INDICATORS]
    assert any("Đảng bộ huyện Lâm Hà (LH): chưa gửi tệp" in t for t in texts(ws))


def test_completeness_counts_districts_and_their_cells(workbook):
    ws = workbook["TinhHinhNopBaoCao"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5, max_row=9)]
    assert [r[1] for r in rows[:4]] == ["BL", "BLC", "DL", "LH"]
    assert rows[3][3:5] == ["Chưa nhận", "Chưa gửi"]
    assert rows[2][7] == "Trễ hạn" and rows[0][7] == "Đúng hạn"
    assert rows[0][10:13] == [4, 3, 2]  # Bảo Lâm's file: 4 cells, 3 accepted, 2 on time
    assert rows[3][10:13] == [3, None, None]  # Lâm Hà: the registry's count
    totals = rows[4]
    assert totals[2:5] == [4, 3, 3] and totals[7] == 2
    assert totals[10:13] == [13, 9, 7]


def test_target_progress_sets_admissions_against_the_registry_targets(workbook, files,
                                                                      registry):
    """The province's target is the sum of its units' targets in the registry (every cell
    of every district, Lâm Hà's too), never the TH13 that happened to arrive."""
    ws = workbook["ChiTieu"]
    expected = sums(files)
    total_row = next(r for r in ws.iter_rows(min_row=5)
                     if r[0].value == "Cộng toàn tỉnh (3/4 đơn vị có số liệu)")
    ytd = expected[("tong", "TH12", "tong")]
    target = sum(t.target for t in registry.targets if t.year == 2024)
    assert target == 76 and target != expected[("tong", "TH13", "tong")]
    assert [total_row[4].value, total_row[5].value] == [ytd, target]
    assert total_row[6].value == pytest.approx(ytd / target)
    assert total_row[7].value == pytest.approx(target * 3 / 12)
    lh = next(r[0].row for r in ws.iter_rows(min_row=5) if r[2].value == "LH")
    assert ws.cell(lh, 12).value == "Không có số liệu hợp lệ (chưa gửi tệp)"
    assert [ws.cell(lh, 6).value, ws.cell(lh + 1, 6).value] == [12, 4]  # its target stays
    assert ws.cell(lh, 5).value is None and ws.cell(lh + 1, 5).value is None  # no admissions


def test_breakdowns_add_up_across_districts(workbook, files):
    ws = workbook["CoCau"]
    expected = sums(files)
    total_row = next(r for r in ws.iter_rows(min_row=6)
                     if r[0].value == "Cộng toàn tỉnh (3/4 đơn vị có số liệu)")
    wanted = [expected[("tong", i, b)] for i in ("TH05", "TH11", "TH12")
              for b in ("tong", "nu", "dan_toc_thieu_so", "ton_giao", "doan_vien")]
    assert [c.value for c in total_row[4:19]] == wanted


def test_numbers_are_values_never_formulas_and_the_output_is_reproducible(workbook, data):
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate)
    assert build_provincial_workbook(data) == build_provincial_workbook(data)


def test_commune_recipients_from_july_2025(data, registry):
    from dataclasses import replace

    from core.registry import Unit

    commune = Unit("BLM1", "Đảng bộ xã Bảo Lâm 1", "xa", "LD", None, None)
    month = replace(data, districts=[UnitStatus(commune)], values={})
    ws = load_workbook(io.BytesIO(build_provincial_workbook(month)))["TongHop"]
    assert "- Các đảng ủy xã, phường," in texts(ws)


def test_the_province_file_repeats_the_districts_and_adds_their_sums(data, files):
    rows = province_export_rows(data)
    by_unit = Counter(r["unit_code"] for r in rows)
    assert set(by_unit) == {"BL", "BLC", "DL", "LH", "LD"}
    # every unit with data has the same rows; Lâm Hà, without, its REPORTS_* rows alone
    assert len({by_unit[c] for c in ("BL", "BLC", "DL", "LD")}) == 1
    assert {(r["indicator"], r["value"]) for r in rows if r["unit_code"] == "LH"} == {
        ("REPORTS_EXPECTED", 3), ("REPORTS_ACCEPTED", 0), ("REPORTS_ON_TIME", 0)}
    province = {(r["population"], r["indicator"], r["breakdown"]): r["value"] for r in rows
                if r["unit_code"] == "LD"}
    expected = sums(files)
    for key, value in province.items():
        if not key[1].startswith("REPORTS_"):
            assert value == expected[key], key
    assert [province[("tong", f"REPORTS_{k}", "tong")] for k in ("EXPECTED", "ACCEPTED",
                                                                 "ON_TIME")] == [13, 9, 7]
    assert {(r["unit_level"], r["parent_code"]) for r in rows if r["unit_code"] == "LD"} == {
        ("tinh", "")}
    district = {(r["population"], r["indicator"], r["breakdown"]): r["value"] for r in rows
                if r["unit_code"] == "BL"}
    assert district == {(r["population"], r["indicator"], r["breakdown"]): int(r["value"])
                        for r in csv_records(files["BL"]) if r["unit_code"] == "BL"}
    header = write_export_csv(rows).split(b"\n", 1)[0]
    assert header == b"period,unit_code,unit_level,parent_code,population,indicator,breakdown,value"


def test_a_valid_file_without_any_accepted_cell_is_no_data_on_every_sheet(registry):
    """A commune whose only cell was rejected sends a valid file of zeros: the province
    shows it as without valid data (never a row of 0), the front page does not claim every
    unit sent valid data, and the province's file keeps only its REPORTS_* rows."""
    files = {"BL": district_csv(registry, "BL"),
             "BLC": district_csv(registry, "BLC", missing=["BLC01", "BLC02", "BLC03"]),
             "DL": district_csv(registry, "DL"), "LH": district_csv(registry, "LH")}
    data = demo_province_month(registry, files)
    data.districts = [d for d in data.districts if d.received]  # all four sent a file
    book = load_workbook(io.BytesIO(build_provincial_workbook(data)))
    ws = book["TongHop"]
    blc = next(r[0].row for r in ws.iter_rows(min_row=13) if r[2].value == "BLC")
    assert ws.cell(blc, 5).value == ("Không có số liệu hợp lệ (tệp hợp lệ nhưng không có chi "
                                     "bộ nào có báo cáo hợp lệ)")
    assert all(ws.cell(blc, c).value is None for c in (*range(6, 13), *range(14, 20)))
    body = texts(ws)
    assert "Tất cả các đảng bộ đã gửi tệp dữ liệu hợp lệ." not in body
    assert any(t.startswith("- Đảng bộ thành phố Bảo Lộc (BLC): tệp hợp lệ nhưng") for t in body)
    assert "Cộng toàn tỉnh (3/4 đơn vị có số liệu)" in body
    submissions = book["TinhHinhNopBaoCao"]
    row = next(r for r in submissions.iter_rows(min_row=5) if r[1].value == "BLC")
    assert row[4].value == "Hợp lệ, không có số liệu" and row[11].value == 0
    targets = book["ChiTieu"]
    row = next(r for r in targets.iter_rows(min_row=5) if r[2].value == "BLC")
    assert row[4].value is None and row[5].value == 7 + 5 + 4  # no admissions, target kept
    cocau = [r[2].value for r in book["CoCau"].iter_rows(min_row=6)]
    assert "BLC" not in cocau and "BL" in cocau
    rows = [r for r in province_export_rows(data) if r["unit_code"] == "BLC"]
    assert {(r["indicator"], r["value"]) for r in rows} == {
        ("REPORTS_EXPECTED", 3), ("REPORTS_ACCEPTED", 0), ("REPORTS_ON_TIME", 0)}


def test_a_units_target_is_its_own_or_the_sum_of_the_targets_below_it(registry):
    assert registry.target_below("BL", 2024, "hoc_sinh", "2024-03") == 6 + 5 + 4 + 3
    assert registry.target_below("BL01", 2024, "vien_chuc", "2024-03") == 2
    assert registry.target_below("LD", 2024, "vien_chuc", "2024-03") == 6 + 4 + 4 + 4
    assert registry.target_below("BL", 2023, "hoc_sinh", "2024-03") is None


def test_the_breakdowns_print_at_their_own_size_one_group_a_page_across(workbook):
    """CoCau's 19 columns are three A4 landscape pages across, each group of five
    breakdowns whole beside STT…Đối tượng again; its title and note stay on the first."""
    ws = workbook["CoCau"]
    assert not ws.sheet_properties.pageSetUpPr.fitToPage and int(ws.page_setup.scale) == 100
    ranges = ws.print_area.replace("'CoCau'!", "").replace("$", "").split(",")
    last_table_row = max(r for r in range(6, ws.max_row + 1) if ws.cell(r, 5).border.left.style)
    assert ranges == [f"A1:I{ws.max_row}", f"J4:N{last_table_row}", f"O4:S{last_table_row}"]
    assert ws.print_title_cols.replace("$", "") == "A:D"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:I1", "A2:I2", "E4:I4", "J4:N4", "O4:S4"} <= merged
    assert f"A{ws.max_row}:I{ws.max_row}" in merged  # the note


def test_the_completeness_sheet_repeats_its_three_unit_columns(workbook):
    ws = workbook["TinhHinhNopBaoCao"]
    assert ws.print_title_cols.replace("$", "") == "A:C"
    assert len(ws.print_area.split(",")) == 2
