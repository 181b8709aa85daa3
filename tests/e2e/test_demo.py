"""`cellreports demo` as a user runs it: real subprocess, real files, real warehouse."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from report_truth import check_district_report, check_province_report

from cellreports.demo import planted_error
from cellreports.demo_run import PROVINCE_REGISTRY_BY_HIERARCHY
from core.registry import Registry
from core.settings import DEFAULT_REGISTRY

CODES = [f"TH{n:02d}" for n in range(1, 16)]
POPULATION_BY_LABEL = {"Học sinh": "hoc_sinh", "Viên chức": "vien_chuc"}
NOISE = ("Traceback", "| INFO", "| WARNING", "DEBUG", "database is locked", "CancelledError")


def _run_demo(data_dir: Path) -> subprocess.CompletedProcess[str]:
    # with the GX Data Docs site, as a user's demo builds it (the suite turns it off)
    env = {k: v for k, v in os.environ.items() if k != "CELLREPORTS_DATA_DOCS"}
    return subprocess.run(
        [sys.executable, "-m", "cellreports.cli", "demo", "--data-dir", str(data_dir)],
        capture_output=True, text=True, timeout=600, cwd=data_dir.parent, env=env)


def _warehouse(data_dir: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(data_dir / "warehouse.sqlite") as db:
        tables = [r[0] for r in db.execute(
            "select name from sqlite_master where type='table' and name not like 'sqlite_%'")]
        return {t: sorted(map(repr, db.execute(f"select * from {t}"))) for t in tables}


@pytest.fixture(scope="module")
def demo(tmp_path_factory, prefect_server):
    """The demo as a user runs it on a fresh machine (its own process, Prefect's temporary
    server), then the same command again in this process on the worker's Prefect server:
    what the second run must show is the warehouse, which does not depend on the process."""
    from typer.testing import CliRunner

    from cellreports.cli import app

    data_dir = tmp_path_factory.mktemp("demo") / "var"
    first = _run_demo(data_dir)
    assert first.returncode == 0, first.stderr
    after_first = _warehouse(data_dir)
    second = CliRunner().invoke(app, ["demo", "--data-dir", str(data_dir)])
    assert second.exit_code == 0, second.output
    return data_dir, first, after_first, second


# ---- an independent reading of the demo workbooks (openpyxl, not the project's reader) ----

def _as_date(value) -> date | None:  # type: ignore[no-untyped-def]
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _recompute(workbook_path: Path, period: str) -> Counter[tuple[str, str, str]]:
    """(population, code, breakdown) -> value, computed straight from the sheets."""
    year, month = map(int, period.split("-"))
    wb = load_workbook(workbook_path, data_only=True)
    result: Counter[tuple[str, str, str]] = Counter()
    summary = wb["TongHop"]
    for row in summary.iter_rows(values_only=True):
        if row and row[0] in ("TH01", "TH02", "TH03", "TH04", "TH13"):
            result[("hoc_sinh", row[0], "tong")] = row[2] or 0
            result[("vien_chuc", row[0], "tong")] = row[3] or 0
    roster = list(wb["DanhSach"].iter_rows(values_only=True))
    header_index = next(i for i, r in enumerate(roster) if r and r[0] == "STT")
    col = {label: i for i, label in enumerate(roster[header_index]) if label}
    for r in roster[header_index + 1:]:
        if not isinstance(r[0], int):
            continue
        population = POPULATION_BY_LABEL[r[col["Đối tượng"]]]
        stage = int(str(r[col["Giai đoạn"]])[0])
        decided = _as_date(r[col["Ngày quyết định kết nạp"]])
        full = _as_date(r[col["Ngày chuyển chính thức"]])
        codes = []
        codes += ["TH05"] if 1 <= stage <= 6 else []
        codes += ["TH06"] if 2 <= stage <= 6 else []
        codes += ["TH07"] if 3 <= stage <= 6 else []
        codes += ["TH08"] if 4 <= stage <= 6 else []
        codes += ["TH09"] if 5 <= stage <= 6 else []
        codes += ["TH10"] if stage == 6 else []
        codes += ["TH14"] if stage == 7 else []
        codes += ["TH11"] if decided and (decided.year, decided.month) == (year, month) else []
        codes += ["TH12"] if decided and decided.year == year and decided.month <= month else []
        codes += ["TH15"] if full and (full.year, full.month) == (year, month) else []
        for code in codes:
            result[(population, code, "tong")] += 1
            if r[col["Giới tính"]] == "Nữ":
                result[(population, code, "nu")] += 1
    return result


def test_demo_prints_outputs_and_a_table_without_noise(demo):
    data_dir, first, _after, _second = demo
    out = first.stdout
    for text in ("District report:", "Upward data file:", "Feedback files:", "BL03_2024-02.xlsx",
                 "rejected", "accepted", "datadocs/index.html"):
        assert text in out
    assert (data_dir / "datadocs" / "index.html").is_file()  # the GX Data Docs site
    for noise in NOISE:
        assert noise not in out and noise not in first.stderr, noise
    assert first.stderr.strip() == ""


def test_march_figures_equal_an_independent_recount_of_the_rosters(demo):
    data_dir, *_ = demo
    workbooks = {p.name[:4]: p for p in (data_dir / "processed").rglob("BL0?_2024-03.xlsx")}
    assert sorted(workbooks) == ["BL01", "BL02", "BL03", "BL04"]
    expected = {unit: _recompute(path, "2024-03") for unit, path in workbooks.items()}
    district: Counter[tuple[str, str, str]] = Counter()
    for counts in expected.values():
        district.update(counts)

    export = data_dir / "reports" / "2024-03" / "DuLieu_BL_2024-03.csv"
    rows = list(csv.DictReader(io.StringIO(export.read_text(encoding="utf-8"))))
    exported = {(r["unit_code"], r["population"], r["indicator"], r["breakdown"]): int(r["value"])
                for r in rows}
    for unit, counts in [*expected.items(), ("BL", district)]:
        for population in ("hoc_sinh", "vien_chuc"):
            for code in CODES:
                assert exported[(unit, population, code, "tong")] == counts[
                    (population, code, "tong")], (unit, population, code)
            for code in ("TH05", "TH07", "TH11", "TH14"):
                assert exported[(unit, population, code, "nu")] == counts[
                    (population, code, "nu")], (unit, population, code, "nu")
        for code in CODES:
            assert exported[(unit, "tong", code, "tong")] == sum(
                counts[(p, code, "tong")] for p in ("hoc_sinh", "vien_chuc"))

    report = load_workbook(data_dir / "reports" / "2024-03" / "BaoCaoTongHop_BL_2024-03.xlsx")
    sheet = [list(r) for r in report["TongHop"].iter_rows(values_only=True)]
    header = next(r for r in sheet if r[:2] == ["STT", "Chi bộ"])
    first_code = header.index("TH01")
    total = next(r for r in sheet if r[0] == "Cộng toàn huyện")
    assert total[first_code:first_code + 15] == [
        district[("hoc_sinh", c, "tong")] + district[("vien_chuc", c, "tong")] for c in CODES]


def test_the_planted_error_is_rejected_at_its_cell_and_the_others_load(demo):
    data_dir, *_ = demo
    planted = planted_error()
    with sqlite3.connect(data_dir / "warehouse.sqlite") as db:
        statuses = dict(db.execute(
            "select unit_code, status from submissions "
            "where period = '2024-02' and kind = 'cell_report'"))
        findings = list(db.execute(
            "select f.rule_id, f.severity, f.sheet, f.row, f.\"column\" from findings f "
            "join submissions s on s.id = f.submission_id "
            "where s.period = '2024-02' and f.severity = 'ERROR'"))
    assert statuses == {"BL01": "accepted", "BL02": "accepted", "BL03": "rejected",
                        "BL04": "accepted"}
    assert findings == [(planted.rule, "ERROR", planted.sheet, planted.excel_row,
                         planted.column)]
    feedback = load_workbook(data_dir / "outbox" / "BL03" / "BL03_2024-02_KetQuaKiemTra.xlsx")
    cell = feedback[planted.sheet][f"{planted.column}{planted.excel_row}"]
    assert cell.comment is not None and planted.raw_text in cell.comment.text


def test_running_the_demo_twice_leaves_the_warehouse_unchanged(demo):
    data_dir, _first, after_first, second = demo
    assert _warehouse(data_dir) == after_first
    assert "unchanged (accepted)" in second.output


def test_every_months_reports_read_true_on_every_sheet(demo):
    """February: BL03 rejected. The district's target stays the registry's 24, its totals
    say 3/4, the front page and the completeness sheet agree; the province's report of
    the same months shows the three districts that sent nothing as without data."""
    data_dir, *_ = demo
    district = Registry.load(DEFAULT_REGISTRY)
    province = Registry.load(PROVINCE_REGISTRY_BY_HIERARCHY["2024"])
    seen = {}
    for period in ("2024-01", "2024-02", "2024-03"):
        folder = data_dir / "reports" / period
        seen[period] = check_district_report(
            folder / f"BaoCaoTongHop_BL_{period}.xlsx", folder / f"DuLieu_BL_{period}.csv",
            district, "BL", period)
        upward = data_dir / "province" / "reports" / period
        check_province_report(upward / f"BaoCaoTongHop_LD_{period}.xlsx",
                              upward / f"DuLieu_LD_{period}.csv", province, "LD", period)
    assert seen == {"2024-01": (4, 4), "2024-02": (3, 4), "2024-03": (4, 4)}
    report = load_workbook(data_dir / "reports" / "2024-02" / "BaoCaoTongHop_BL_2024-02.xlsx")
    total = next(r for r in report["ChiTieu"].iter_rows(values_only=True)
                 if str(r[0]).startswith("Cộng toàn huyện"))
    assert total[0] == "Cộng toàn huyện (3/4 đơn vị có số liệu)" and total[5] == 24
