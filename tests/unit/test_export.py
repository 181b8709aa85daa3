"""The upward data file (EXPORT.md) built from a hand-made month."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest

from core.month import MonthData, UnitStatus
from core.registry import Unit
from reports.export import (
    export_chunks,
    export_rows,
    neutralise,
    write_export_csv,
    write_export_files,
    write_export_json,
)

# Written out from EXPORT.md / the form, not taken from the code under test.
COLUMNS = ["period", "unit_code", "unit_level", "parent_code", "population", "indicator",
           "breakdown", "value"]
INDICATORS = [f"TH{n:02d}" for n in range(1, 16)]
ROSTER = {"TH05", "TH06", "TH07", "TH08", "TH09", "TH10", "TH11", "TH12", "TH14", "TH15"}
BREAKDOWNS = ["tong", "nu", "dan_toc_thieu_so", "ton_giao", "doan_vien"]
POPULATIONS = ["hoc_sinh", "vien_chuc"]


def unit(code: str, name: str, level: str = "chi_bo", parent: str | None = "BL") -> Unit:
    return Unit(code, name, level, parent, None, None)


DISTRICT = unit("BL", "Đảng bộ huyện Bảo Lâm", "huyen", "LD")
CELLS = {
    "BL01": unit("BL01", "Chi bộ Trường THPT Bảo Lâm"),
    "BL02": unit("BL02", "Chi bộ Trường THPT Lộc An"),
    "BL03": unit("BL03", "Chi bộ Trường THPT Lộc Thành"),
}


def fake_value(code: str, population: str, indicator: str, breakdown: str) -> int:
    seed = sum(ord(ch) * (i + 1) for i, ch in enumerate(code + population + indicator + breakdown))
    return seed % 17


def make_month(*, stray_values: bool = False) -> MonthData:
    """BL02 on time, BL01 late (listed out of order), BL03 never sent its report."""
    cells = [
        UnitStatus(CELLS["BL02"], received=True, accepted=True, on_time=True, version=1,
                   received_at=datetime(2024, 4, 3, 8, 15)),
        UnitStatus(CELLS["BL01"], received=True, accepted=True, on_time=False, version=2,
                   received_at=datetime(2024, 4, 9, 16, 40), warnings=2),
        UnitStatus(CELLS["BL03"]),
    ]
    sending = ["BL01", "BL02"] + (["BL03"] if stray_values else [])
    values = {
        (code, population, indicator, breakdown): fake_value(code, population, indicator,
                                                             breakdown)
        for code in sending
        for population in POPULATIONS
        for indicator in INDICATORS
        for breakdown in (BREAKDOWNS if indicator in ROSTER else ["tong"])
    }
    del values[("BL01", "vien_chuc", "TH03", "tong")]  # a missing key counts as 0
    return MonthData(
        period="2024-03",
        unit=DISTRICT,
        parents={"LD": None, "BL": "LD", "BL01": "BL", "BL02": "BL", "BL03": "BL"},
        levels={"LD": "tinh", "BL": "huyen", "BL01": "chi_bo", "BL02": "chi_bo",
                "BL03": "chi_bo"},
        cells=cells,
        values=values,
        generated_at=datetime(2024, 4, 10, 9, 0),
    )


@pytest.fixture
def month() -> MonthData:
    return make_month()


def by_key(rows: list[dict]) -> dict[tuple[str, str, str, str], int]:
    keys = [(r["unit_code"], r["population"], r["indicator"], r["breakdown"]) for r in rows]
    assert len(keys) == len(set(keys)), "duplicate rows"
    return {k: r["value"] for k, r in zip(keys, rows, strict=True)}


def test_every_row_is_present(month: MonthData) -> None:
    rows = export_rows(month)
    per_unit = 3 * (15 + 10 * 4)            # populations × (TH01–TH15 + 4 breakdowns × 10)
    assert per_unit == 165
    assert len(rows) == 2 * per_unit + per_unit + 3   # two accepted cells, district, REPORTS_*
    assert all(list(r) == COLUMNS for r in rows)
    assert all(r["period"] == "2024-03" for r in rows)
    assert all(isinstance(r["value"], int) and r["value"] >= 0 for r in rows)
    assert [r["unit_code"] for r in rows[::per_unit]][:3] == ["BL01", "BL02", "BL"]


def test_cell_rows_carry_values_and_zeros(month: MonthData) -> None:
    values = by_key(export_rows(month))
    assert values[("BL01", "vien_chuc", "TH03", "tong")] == 0
    for (code, population, indicator, breakdown), value in month.values.items():
        assert values[(code, population, indicator, breakdown)] == value
    assert ("BL01", "hoc_sinh", "TH01", "nu") not in values       # not roster-derived
    assert ("BL01", "hoc_sinh", "TH13", "tong") in values


def test_missing_cell_is_excluded(month: MonthData) -> None:
    assert "BL03" not in {r["unit_code"] for r in export_rows(month)}


def test_values_of_a_not_accepted_cell_never_count() -> None:
    month = make_month(stray_values=True)
    rows = export_rows(month)
    assert "BL03" not in {r["unit_code"] for r in rows}
    assert by_key(rows) == by_key(export_rows(make_month()))


def test_tong_population_is_the_sum(month: MonthData) -> None:
    values = by_key(export_rows(month))
    for (code, population, indicator, breakdown), value in values.items():
        if population == "tong" and not indicator.startswith("REPORTS_"):
            assert value == (values[(code, "hoc_sinh", indicator, breakdown)]
                             + values[(code, "vien_chuc", indicator, breakdown)])


def test_district_rows_are_sums_of_accepted_cells(month: MonthData) -> None:
    values = by_key(export_rows(month))
    for population in POPULATIONS:
        for indicator in INDICATORS:
            for breakdown in (BREAKDOWNS if indicator in ROSTER else ["tong"]):
                expected = sum(
                    month.values.get((code, population, indicator, breakdown), 0)
                    for code in ("BL01", "BL02")
                )
                assert values[("BL", population, indicator, breakdown)] == expected
    th13 = sum(month.values.get((c, p, "TH13", "tong"), 0)
               for c in ("BL01", "BL02") for p in POPULATIONS)
    assert values[("BL", "tong", "TH13", "tong")] == th13


def test_unit_level_and_parent(month: MonthData) -> None:
    rows = export_rows(month)
    heads = {(r["unit_code"], r["unit_level"], r["parent_code"]) for r in rows}
    assert heads == {("BL01", "chi_bo", "BL"), ("BL02", "chi_bo", "BL"), ("BL", "huyen", "LD")}
    month.parents["BL"] = None
    assert {r["parent_code"] for r in export_rows(month) if r["unit_code"] == "BL"} == {""}


def test_report_counts(month: MonthData) -> None:
    rows = export_rows(month)
    tail = rows[-3:]
    assert [(r["unit_code"], r["population"], r["indicator"], r["breakdown"], r["value"])
            for r in tail] == [
        ("BL", "tong", "REPORTS_EXPECTED", "tong", 3),
        ("BL", "tong", "REPORTS_ACCEPTED", "tong", 2),
        ("BL", "tong", "REPORTS_ON_TIME", "tong", 1),
    ]
    assert sum(1 for r in rows if r["indicator"].startswith("REPORTS_")) == 3


def test_order_is_deterministic(month: MonthData) -> None:
    rows = export_rows(month)
    first = rows[:12]
    assert [(r["population"], r["indicator"], r["breakdown"]) for r in first] == [
        ("hoc_sinh", "TH01", "tong"), ("hoc_sinh", "TH02", "tong"),
        ("hoc_sinh", "TH03", "tong"), ("hoc_sinh", "TH04", "tong"),
        ("hoc_sinh", "TH05", "tong"), ("hoc_sinh", "TH05", "nu"),
        ("hoc_sinh", "TH05", "dan_toc_thieu_so"), ("hoc_sinh", "TH05", "ton_giao"),
        ("hoc_sinh", "TH05", "doan_vien"), ("hoc_sinh", "TH06", "tong"),
        ("hoc_sinh", "TH06", "nu"), ("hoc_sinh", "TH06", "dan_toc_thieu_so"),
    ]
    assert rows == export_rows(make_month())


def test_no_accepted_cell_gives_district_zeros() -> None:
    month = make_month()
    month.cells = [UnitStatus(c.unit) for c in month.cells]
    rows = export_rows(month)
    assert len(rows) == 165 + 3
    assert all(r["value"] == 0 for r in rows[:-3])
    assert [r["value"] for r in rows[-3:]] == [3, 0, 0]


def test_csv_format(month: MonthData) -> None:
    data = write_export_csv(export_rows(month))
    assert not data.startswith(b"\xef\xbb\xbf")
    assert b"\r" not in data
    lines = data.decode("utf-8").split("\n")
    assert lines[0] == (
        "period,unit_code,unit_level,parent_code,population,indicator,breakdown,value")
    assert lines[1] == "2024-03,BL01,chi_bo,BL," + "hoc_sinh,TH01,tong," + str(
        month.values[("BL01", "hoc_sinh", "TH01", "tong")])
    assert lines[-1] == ""                     # ends with a newline
    assert len(lines) == 1 + 498 + 1
    assert lines[-2] == "2024-03,BL,huyen,LD,tong,REPORTS_ON_TIME,tong,1"


def test_json_equals_csv_records(month: MonthData) -> None:
    rows = export_rows(month)
    from_csv = [dict(r, value=int(r["value"]))
                for r in csv.DictReader(io.StringIO(write_export_csv(rows).decode("utf-8")))]
    from_json = json.loads(write_export_json(rows).decode("utf-8"))
    assert from_json == from_csv
    assert all(isinstance(r["value"], int) for r in from_json)
    assert list(from_json[0]) == COLUMNS
    assert write_export_json(rows) == write_export_json(export_rows(make_month()))
    assert json.loads(write_export_json([])) == []


def test_no_personal_data(month: MonthData) -> None:
    text = write_export_csv(export_rows(month)).decode("utf-8")
    text += write_export_json(export_rows(month)).decode("utf-8")
    for cell in CELLS.values():
        assert cell.name not in text
    assert "Bảo Lâm" not in text


def test_formula_injection_guard() -> None:
    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    for text in ("+1", "-1", "@SUM(A1)", "\tx"):
        assert neutralise(text).startswith("'")
    assert neutralise("BL01") == "BL01"
    row = dict.fromkeys(COLUMNS, "x") | {"unit_code": "=cmd|' /C calc'!A0", "value": 5}
    line = write_export_csv([row]).decode("utf-8").split("\n")[1]
    assert line == "x,'=cmd|' /C calc'!A0,x,x,x,x,x,5"


def test_each_distinct_value_is_written_once_and_true_is_never_taken_for_one():
    # the writers make each column's distinct values once (a month repeats a few thousand
    # values 160,000 times); a column mixing types keeps each as it is
    rows = [dict(zip(COLUMNS, values, strict=True)) for values in [
        ("2024-03", "BL01", "chi_bo", "BL", "tong", "=SUM(A1)", 'có "ngoặc", phẩy', 1),
        ("2024-03", "BL02", "chi_bo", "BL", "tong", "=SUM(A1)", 'có "ngoặc", phẩy', True),
        ("2024-03", "BL03", "chi_bo", "", "tong", "-1", "tong", 0),
        ("2024-03", "BL01", "chi_bo", "BL", "tong", "=SUM(A1)", 'có "ngoặc", phẩy', 1)]]
    lines = write_export_csv(rows).decode("utf-8").splitlines()
    assert [line.rsplit(",", 1)[1] for line in lines[1:]] == ["1", "True", "0", "1"]
    assert lines[1] == lines[4] == ("2024-03,BL01,chi_bo,BL,tong,'=SUM(A1),"
                                    '"có ""ngoặc"", phẩy",1')
    assert lines[3].split(",")[5] == "'-1"
    records = json.loads(write_export_json(rows))
    assert [r["value"] for r in records] == [1, 1, 0, 1]
    assert records[0] == records[3] and records[0]["breakdown"] == 'có "ngoặc", phẩy'
    assert records[0]["indicator"] == "=SUM(A1)"  # JSON is not run by a spreadsheet


@pytest.mark.parametrize("cells", [1, 2, 100])
def test_the_data_file_made_a_chunk_of_cells_at_a_time_is_the_same_bytes(cells):
    # a month's rows are made and written a few cells at a time, never held all at once
    for month in (make_month(), make_month(stray_values=True)):
        chunks = list(export_chunks(month, cells))
        assert len(chunks) == -(-2 // cells) + 1  # the two accepted cells', then the unit's
        assert [row for chunk in chunks for row in chunk] == export_rows(month)
        assert write_export_files(month, cells) == (write_export_csv(export_rows(month)),
                                                    write_export_json(export_rows(month)))


def test_a_month_without_an_accepted_cell_makes_the_units_rows_alone():
    month = make_month()
    month = MonthData(**{**month.__dict__, "cells": [UnitStatus(c.unit) for c in month.cells]})
    data_csv, data_json = write_export_files(month)
    rows = export_rows(month)
    assert {r["unit_code"] for r in rows} == {"BL"}
    assert (data_csv, data_json) == (write_export_csv(rows), write_export_json(rows))
