"""The province's checks of the districts' data files: each planted defect gives exactly
its own finding (rules P01–P08, docs/province.md), and good files give none."""

from __future__ import annotations

import pytest
from province_factories import PERIOD, district_csv, edit, matches, province_registry

from core.errors import ReadError
from forms.export_reader import NotCsv, read_export
from validations.export_checks import validate_exports
from validations.export_frames import ExportItem, personal_kind

COLUMNS = ["period", "unit_code", "unit_level", "parent_code", "population", "indicator",
           "breakdown", "value"]


@pytest.fixture(scope="module")
def registry():
    return province_registry()


@pytest.fixture(scope="module")
def good(registry) -> bytes:
    """Bảo Lâm with BL03 missing and BL04 late."""
    return district_csv(registry, "BL", missing=["BL03"], late=["BL04"])


def check(registry, *contents: bytes, period: str = PERIOD):
    items = []
    for content in contents:
        try:
            items.append(ExportItem(read_export(content)))
        except ReadError as error:
            items.append(ExportItem(None, error))
    return validate_exports(items, registry, period, "LD")


def rules(findings) -> list[str]:
    return sorted(f.rule_id for f in findings)


def bump(records, by: int = 1, **where: str) -> None:
    for r in records:
        if matches(r, **where):
            r["value"] = str(int(r["value"]) + by)


def test_good_files_of_three_districts_have_no_findings(registry, good):
    found = check(registry, good, district_csv(registry, "BLC"), district_csv(registry, "DL"))
    assert found == [[], [], []]


def test_an_unreadable_file_gives_its_read_error_and_the_others_are_unaffected(registry, good):
    found = check(registry, b"PK\x03\x04" + b"\0" * 64, good)
    assert rules(found[0]) == ["F01"] and found[1] == []
    assert found[0][0].message == NotCsv.default_message


def test_a_unit_unknown_to_the_province_is_p03(registry, good):
    def rename(records):
        for r in records:
            if r["unit_code"] == "BL02":
                r["unit_code"] = "BL99"
    [found] = check(registry, edit(good, rename))
    assert rules(found) == ["P03"]
    assert "BL99" in found[0].message and found[0].column == "B"


def test_a_cell_of_another_district_under_this_district_is_p04(registry, good):
    def move(records):
        for r in records:
            if r["unit_code"] == "BL02":
                r["unit_code"] = "DL02"
    [found] = check(registry, edit(good, move))
    assert rules(found) == ["P04"] and "DL" in found[0].message


def test_a_cell_of_another_district_in_this_file_is_p03(registry, good):
    def move(records):
        for r in records:
            if r["unit_code"] == "BL02":
                r["unit_code"], r["parent_code"] = "DL02", "DL"
    [found] = check(registry, edit(good, move))
    # its values are not Bảo Lâm's either, so Bảo Lâm's sums no longer hold
    assert sorted(set(rules(found))) == ["P03", "P05"]
    assert "không thuộc" in next(f for f in found if f.rule_id == "P03").message


def test_a_unit_not_active_in_the_period_is_p03(registry):
    after = district_csv(registry, "BL", period="2024-03")
    moved = edit(after, lambda rs: [dict(r, period="2025-07") for r in rs])
    [found] = check(registry, moved, period="2025-07")
    assert set(rules(found)) == {"P03", "P07"}  # inactive units, and no cells expected
    assert any("không hoạt động" in f.message for f in found)


def test_a_level_that_differs_from_the_registry_is_p04(registry, good):
    def relevel(records):
        for r in records:
            if r["unit_code"] == "BL01":
                r["unit_level"] = "truong"
    [found] = check(registry, edit(good, relevel))
    assert rules(found) == ["P04"] and found[0].column == "C"


def test_the_district_under_another_parent_is_p04(registry, good):
    def reparent(records):
        for r in records:
            if r["unit_code"] == "BL":
                r["parent_code"] = "DN"
    [found] = check(registry, edit(good, reparent))
    assert rules(found) == ["P04"] and found[0].column == "D"


def test_a_district_value_that_is_not_the_sum_of_its_cells_is_p05(registry, good):
    def spoil(records):
        # both populations' rows of the district move together: the total stays consistent
        bump(records, unit_code="BL", population="hoc_sinh", indicator="TH07", breakdown="nu")
        bump(records, unit_code="BL", population="tong", indicator="TH07", breakdown="nu")
    [found] = check(registry, edit(good, spoil))
    assert rules(found) == ["P05"]
    assert "TH07" in found[0].message and found[0].column == "H"


def test_a_total_that_is_not_students_plus_staff_is_p06(registry, good):
    def spoil(records):
        bump(records, unit_code="BL01", population="tong", indicator="TH03", breakdown="tong")
        bump(records, unit_code="BL", population="tong", indicator="TH03", breakdown="tong")
    [found] = check(registry, edit(good, spoil))
    assert rules(found) == ["P06", "P06"]
    assert {f.row for f in found} == {
        r + 2 for r in _lines(good, ("BL01", "BL"), "tong", "TH03", "tong")}


def _lines(content: bytes, units, population, indicator, breakdown) -> list[int]:
    from province_factories import csv_records
    return [i for i, r in enumerate(csv_records(content))
            if r["unit_code"] in units and matches(r, population=population,
                                                   indicator=indicator, breakdown=breakdown)]


def test_missing_zero_rows_are_p01_with_one_finding_per_unit(registry, good):
    def drop_zeros(records):
        return [r for r in records if not (r["unit_code"] == "BL02" and r["value"] == "0")]
    dropped = edit(good, drop_zeros)
    assert dropped.count(b"\n") < good.count(b"\n")
    [found] = check(registry, dropped)
    assert rules(found) == ["P01"]
    assert "BL02" in found[0].message and "thiếu" in found[0].message


def test_a_row_twice_is_p01(registry, good):
    [found] = check(registry, edit(good, lambda rs: [*rs, rs[10]]))
    assert rules(found) == ["P01"] and "lặp lại" in found[0].message


def test_an_unknown_indicator_code_is_p01(registry, good):
    extra = {"period": PERIOD, "unit_code": "BL01", "unit_level": "chi_bo", "parent_code": "BL",
             "population": "hoc_sinh", "indicator": "TH16", "breakdown": "tong", "value": "0"}
    [found] = check(registry, edit(good, lambda rs: [*rs, extra]))
    assert rules(found) == ["P01"] and "TH16" in found[0].message


def test_a_file_for_another_month_is_a_p02_warning(registry):
    february = district_csv(registry, "BL", period="2024-02")
    [found] = check(registry, february)
    assert rules(found) == ["P02"] and not found[0].is_error


def test_reports_accepted_that_does_not_count_the_cells_is_p07(registry, good):
    [found] = check(registry, edit(good, lambda rs: bump(rs, indicator="REPORTS_ACCEPTED")))
    assert rules(found) == ["P07"] and found[0].is_error


def test_on_time_above_accepted_is_p07(registry, good):
    [found] = check(registry, edit(good, lambda rs: bump(rs, 2, indicator="REPORTS_ON_TIME")))
    assert rules(found) == ["P07"]


def test_expected_reports_that_differ_from_the_registry_are_a_p07_warning(registry, good):
    [found] = check(registry, edit(good, lambda rs: bump(rs, indicator="REPORTS_EXPECTED")))
    assert rules(found) == ["P07"] and not found[0].is_error


def test_a_column_of_names_is_p08_and_the_names_are_not_repeated(registry, good):
    def add_names(records):
        for r in records:
            r["ho_ten"] = "Nguyễn Văn An"
    [found] = check(registry, edit(good, add_names, [*COLUMNS, "ho_ten"]))
    assert rules(found) == ["P08"]
    assert "ho_ten" in found[0].message and "họ tên" in found[0].message
    assert "Nguyễn" not in found[0].message and found[0].column == "I"


@pytest.mark.parametrize(("field", "text", "kind"), [
    ("unit_level", "068205001234", "pid"),
    ("parent_code", "15/03/2007", "date"),
    ("breakdown", "Trần Thị Bích", "name"),
])
def test_personal_data_in_a_column_of_the_spec_is_p08(registry, good, field, text, kind):
    assert personal_kind(text) == kind

    def plant(records):
        records[3][field] = text
    [found] = check(registry, edit(good, plant))
    assert "P08" in rules(found)
    [p08] = [f for f in found if f.rule_id == "P08"]
    assert p08.row == 5 and text not in p08.message
    assert all(text not in f.message for f in found)


def test_a_value_that_looks_like_a_date_or_an_id_number_is_p08(registry, good):
    def plant(records):
        records[3]["value"] = "20070315"
    [found] = check(registry, edit(good, plant))
    assert "P08" in rules(found)


def test_unit_names_and_codes_do_not_look_like_personal_data():
    for text in ("BL01", "hoc_sinh", "dan_toc_thieu_so", "2024-03", "REPORTS_ON_TIME",
                 "Đảng bộ huyện Bảo Lâm", "Chi bộ Trường THPT Lộc An", "LD", "0", "25"):
        assert personal_kind(text) is None, text


def test_a_batch_of_one_unreadable_file_gives_only_its_read_error(registry):
    [found] = check(registry, "period,Lâm Hà\n".encode("latin-1"))
    assert rules(found) == ["F01"]


def test_a_file_with_a_header_and_no_rows_is_p01(registry):
    [found] = check(registry, b"period,unit_code,unit_level,parent_code,population,indicator,"
                              b"breakdown,value\n")
    assert set(rules(found)) == {"P01"}
