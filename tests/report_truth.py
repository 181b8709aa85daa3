"""Reading a written report back as its reader would, and checking that it tells the truth
across its sheets: targets are the registry's for every expected unit, a unit without
valid data is words and never zeros, every total over an incomplete set says "(N/M đơn vị
có số liệu)" and agrees with the upward data file's REPORTS_* rows, and the front page's
sentence about completeness agrees with the completeness sheet.

Independent of the report builders: it reads cells with openpyxl and the registry from
its files, and takes nothing from reports/.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from openpyxl import load_workbook

from core.registry import Registry

COVERAGE = re.compile(r"\((\d+)/(\d+) đơn vị có số liệu\)")
NO_DATA = "Không có số liệu hợp lệ"
POPULATIONS = ("hoc_sinh", "vien_chuc")


def _rows(path: Path, sheet: str) -> list[list[object]]:
    return [list(r) for r in load_workbook(path)[sheet].iter_rows(values_only=True)]


def _texts(rows: list[list[object]]) -> list[str]:
    return [v for r in rows for v in r if isinstance(v, str)]


def data_file_counts(path: Path, unit: str) -> tuple[int, int]:
    """(REPORTS_ACCEPTED, REPORTS_EXPECTED) of ``unit`` in an upward data file."""
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    found = {r["indicator"]: int(r["value"]) for r in rows
             if r["unit_code"] == unit and r["indicator"].startswith("REPORTS_")}
    return found["REPORTS_ACCEPTED"], found["REPORTS_EXPECTED"]


def total_lines(rows: list[list[object]], word: str) -> list[list[object]]:
    return [r for r in rows if isinstance(r[0], str) and r[0].startswith(word)]


def check_coverage_labels(rows: list[list[object]], with_data: int, expected: int, *,
                          figures: bool = True) -> None:
    """Every total line carries the coverage exactly when it is incomplete; with nothing
    covered, a line of ``figures`` shows no number at all."""
    totals = total_lines(rows, "Cộng ")
    assert totals, "no total line"
    for line in totals:
        found = COVERAGE.search(str(line[0]))
        if with_data == expected:
            assert found is None, line[0]
        else:
            assert found is not None, line[0]
            assert (int(found[1]), int(found[2])) == (with_data, expected), line[0]
        if with_data == 0 and figures:
            numbers = [v for v in line[1:] if isinstance(v, int | float)]
            assert NO_DATA in [str(v) for v in line] and not numbers, line


def check_district_report(report: Path, data_file: Path, registry: Registry, unit: str,
                          period: str) -> tuple[int, int]:
    """The checks above on a district's (or commune's) workbook and its data file; returns
    (cells with an accepted report, expected cells)."""
    accepted, expected = data_file_counts(data_file, unit)
    cells = registry.reporting_cells(unit, period)
    assert expected == len(cells)
    summary = _rows(report, "TongHop")
    check_coverage_labels(summary, accepted, expected)
    # every expected cell has its line; the ones without data say so in words
    codes = {c.code for c in cells}
    lines = {r[2]: r for r in summary if r[2] in codes}
    assert set(lines) == codes
    without = [code for code, r in lines.items() if str(r[4]).startswith(NO_DATA)]
    assert len(without) == expected - accepted, without
    all_sentence = "Tất cả chi bộ đã có báo cáo hợp lệ." in _texts(summary)
    assert all_sentence == (accepted == expected)
    # the completeness sheet says the same
    status = {r[1]: r[4] for r in _rows(report, "TinhHinhNopBaoCao") if r[1] in codes}
    assert sorted(c for c, s in status.items() if s != "Hợp lệ") == sorted(without)
    # the target is every expected cell's, whatever its report did
    year = int(period[:4])
    targets = total_lines(_rows(report, "ChiTieu"), "Cộng toàn")
    assert len(targets) == 1
    wanted = sum(t for c in cells for p in POPULATIONS
                 if (t := registry.target(c.code, year, p)) is not None)
    assert targets[0][5] == wanted, (targets[0][5], wanted)
    # (its totals hold the targets, which stay numbers when no cell has data)
    check_coverage_labels(_rows(report, "ChiTieu"), accepted, expected, figures=False)
    assert "Chưa giao chỉ tiêu" not in _texts(_rows(report, "ChiTieu")) or not wanted
    return accepted, expected


def check_province_report(report: Path, data_file: Path, registry: Registry, province: str,
                          period: str) -> None:
    """The same on the provincial workbook: units without valid data, targets from the
    registry, coverage in units, the front page and the completeness sheet in agreement."""
    summary = _rows(report, "TongHop")
    units = [u for u in registry.children(province, period)
             if registry.reporting_cells(u.code, period)]
    lines = {r[2]: r for r in summary if r[2] in {u.code for u in units}}
    assert set(lines) == {u.code for u in units}
    without = sorted(code for code, r in lines.items() if str(r[4]).startswith(NO_DATA))
    check_coverage_labels(summary, len(units) - len(without), len(units))
    front = _texts(summary)
    assert ("Tất cả các đảng bộ đã gửi tệp dữ liệu hợp lệ." in front) == (not without)
    listed = sorted(code for code in lines if any(t.startswith("- ") and f"({code}):" in t
                                                  for t in front))
    assert listed == without
    status = {r[1]: r[4] for r in _rows(report, "TinhHinhNopBaoCao") if r[1] in lines}
    assert sorted(c for c, s in status.items() if s != "Hợp lệ") == without
    year = int(period[:4])
    wanted = sum(t for u in units for p in POPULATIONS
                 if (t := registry.target_below(u.code, year, p, period)) is not None)
    targets = total_lines(_rows(report, "ChiTieu"), "Cộng toàn")
    assert targets[0][5] == wanted, (targets[0][5], wanted)
    # the province's data file states the same coverage, in cells
    accepted, expected = data_file_counts(data_file, province)
    assert expected == len(registry.reporting_cells(province, period))
    cells_with_data = sum(data_file_counts(data_file, u.code)[0] for u in units
                          if u.code not in without)
    assert accepted == cells_with_data
