"""The province's own upward data file (shared spec EXPORT.md), from the district files.

Rows: every district with valid data, its own rows as it reported them (values and
REPORTS_* counts); every other expected district, its REPORTS_* rows alone (its expected
cells, none accepted); then the province's rows — each value the sum of the districts'
values, and its REPORTS_* counts: the reporting cells active below it in the period,
those the accepted district files count as accepted, and as on time. Written by
reports.export's writers.
"""

from __future__ import annotations

from core.export_format import REPORTS_INDICATORS, TOTAL, value_keys
from core.month import UnitStatus
from core.province_month import ProvinceMonth
from reports.export import write_export_csv, write_export_json

__all__ = ["province_export_rows", "write_export_csv", "write_export_json"]


def _head(period: str, code: str, level: str, parent: str | None) -> dict[str, str]:
    return {"period": period, "unit_code": code, "unit_level": level,
            "parent_code": parent or ""}


def province_counts(data: ProvinceMonth) -> dict[str, int]:
    """REPORTS_EXPECTED / _ACCEPTED / _ON_TIME of the province, counted in cells."""
    codes = data.data_codes()
    return {
        "REPORTS_EXPECTED": data.expected_cells,
        "REPORTS_ACCEPTED": data.value(codes, TOTAL, "REPORTS_ACCEPTED"),
        "REPORTS_ON_TIME": data.value(codes, TOTAL, "REPORTS_ON_TIME"),
    }


def _unit_counts(data: ProvinceMonth, district: UnitStatus) -> dict[str, int]:
    """A unit's REPORTS_* rows: its file's, or for a unit without valid data its expected
    cells and none accepted."""
    if district.has_data:
        return {i: data.value([district.unit.code], TOTAL, i) for i in REPORTS_INDICATORS}
    return {"REPORTS_EXPECTED": district.cells_expected, "REPORTS_ACCEPTED": 0,
            "REPORTS_ON_TIME": 0}


def province_export_rows(data: ProvinceMonth) -> list[dict]:
    """Every expected unit by code, then the province; within a unit the order of
    reports.export (population, indicator, breakdown), REPORTS_* last. A unit without valid
    data (no file, a rejected one, or a file in which no cell has an accepted report) has
    its REPORTS_* rows only: zeros in its place would read as real counts."""
    rows: list[dict] = []
    for district in data.by_code():
        unit = district.unit
        head = _head(data.period, unit.code, unit.level, unit.parent_code)
        if district.has_data:
            rows.extend({**head, "population": p, "indicator": i, "breakdown": b,
                         "value": data.value([unit.code], p, i, b)}
                        for p, i, b in value_keys())
        rows.extend({**head, "population": TOTAL, "indicator": i, "breakdown": TOTAL,
                     "value": n} for i, n in _unit_counts(data, district).items())
    top = data.unit
    head = _head(data.period, top.code, top.level, top.parent_code)
    codes = data.data_codes()
    rows.extend({**head, "population": p, "indicator": i, "breakdown": b,
                 "value": data.value(codes, p, i, b)} for p, i, b in value_keys())
    rows.extend({**head, "population": TOTAL, "indicator": i, "breakdown": TOTAL, "value": n}
                for i, n in province_counts(data).items())
    return rows
