"""The provincial workbook and the province's data file, from a hand-made ProvinceMonth."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from openpyxl import load_workbook
from province_factories import csv_records, demo_files, demo_province_month, province_registry

from reports.province_export import province_export_rows, write_export_csv
from reports.province_model import DistrictStatus, ProvinceMonth
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
    assert ws["I1"].value == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert ws["I3"].value == "Đà Lạt, ngày 02 tháng 4 năm 2024" and ws["I3"].font.i
    assert ws["A1"].font.name == "Times New Roman"
    body = texts(ws)
    assert "K/T TRƯỞNG BAN" in body and "Nơi nhận:" in body
    assert "- Các huyện ủy, thành ủy," in body
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.print_title_rows == "$11:$12"


def test_the_province_totals_are_the_sums_of_the_district_files(workbook, files):
    ws = workbook["TongHop"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=13) if isinstance(r[0].value, str)}
    expected = sums(files)
    for label, population in (("Cộng học sinh", "hoc_sinh"), ("Cộng viên chức", "vien_chuc"),
                              ("Cộng toàn tỉnh", "tong")):
        values = [c.value for c in rows[label][4:19]]
        assert values == [expected[(population, i, "tong")] for i in INDICATORS], label


def test_each_district_has_three_rows_and_the_missing_one_is_named(workbook, files):
    ws = workbook["TongHop"]
    codes = [ws.cell(row, 3).value for row in range(13, 22)]
    assert codes == ["BL", None, None, "BLC", None, None, "DL", None, None]
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


def test_target_progress_sets_admissions_against_the_reported_targets(workbook, files):
    ws = workbook["ChiTieu"]
    expected = sums(files)
    total_row = next(r for r in ws.iter_rows(min_row=5) if r[0].value == "Cộng toàn tỉnh")
    ytd, target = expected[("tong", "TH12", "tong")], expected[("tong", "TH13", "tong")]
    assert [total_row[4].value, total_row[5].value] == [ytd, target]
    assert total_row[6].value == pytest.approx(ytd / target)
    assert total_row[7].value == pytest.approx(target * 3 / 12)
    lh = [r for r in ws.iter_rows(min_row=5) if r[2].value == "LH"][0]
    assert lh[11].value == "Chưa có tệp dữ liệu hợp lệ tháng này"


def test_breakdowns_add_up_across_districts(workbook, files):
    ws = workbook["CoCau"]
    expected = sums(files)
    total_row = next(r for r in ws.iter_rows(min_row=6) if r[0].value == "Cộng toàn tỉnh")
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

    from cellreports.registry import Unit

    commune = Unit("BLM1", "Đảng bộ xã Bảo Lâm 1", "xa", "LD", None, None)
    month = replace(data, districts=[DistrictStatus(commune)], values={})
    ws = load_workbook(io.BytesIO(build_provincial_workbook(month)))["TongHop"]
    assert "- Các đảng ủy xã, phường," in texts(ws)


def test_the_province_file_repeats_the_districts_and_adds_their_sums(data, files):
    rows = province_export_rows(data)
    by_unit = Counter(r["unit_code"] for r in rows)
    assert set(by_unit) == {"BL", "BLC", "DL", "LD"}
    assert len({n for n in by_unit.values()}) == 1  # every unit has the same rows
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
