"""The provincial flow on a real (temporary) Prefect server, SQLite and local folders (its
main paths on PostgreSQL too): three districts' data files in, the provincial workbook and
data file out."""

from __future__ import annotations

import io
import json
import os
import re
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from province_factories import (
    PERIOD,
    csv_records,
    district_csv,
    district_json,
    edit,
    province_registry,
)
from sqlalchemy import select

from flows.provincial import province_paths
from warehouse import models as m
from warehouse.db import make_engine, session_factory

pytestmark = pytest.mark.usefixtures("prefect_server")
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
INDICATORS = [f"TH{n:02d}" for n in range(1, 16)]
NAMES = ("Nguyễn Văn An", "Trần Thị Bích")
DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}")
PID = re.compile(r"(?<!\d)\d{12}(?!\d)")


def drop(settings, sender: str, name: str, content: bytes, day: int = 24) -> None:
    folder = province_paths(settings).inbox / sender
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    moment = datetime(2024, 3, day, 9, 0, tzinfo=LOCAL).timestamp()
    os.utime(path, (moment, moment))


@pytest.fixture(scope="module")
def registry():
    return province_registry()


@pytest.fixture
def files(registry) -> dict[str, bytes]:
    return {"BL": district_csv(registry, "BL", missing=["BL03"], late=["BL04"]),
            "BLC": district_csv(registry, "BLC", seed=5),
            "DL": district_csv(registry, "DL", seed=11)}


@pytest.fixture
def province_inbox(settings, files):
    drop(settings, "BL", "DuLieu_BL_2024-03.csv", files["BL"], day=22)
    drop(settings, "BLC", "DuLieu_BLC_2024-03.csv", files["BLC"], day=24)
    drop(settings, "DL", "DuLieu_DL_2024-03.csv", files["DL"], day=28)  # after the 25th
    return settings


def recomputed(files: dict[str, bytes]) -> Counter:
    """The provincial totals, recomputed here from the files: each district's own rows."""
    total: Counter = Counter()
    for code, content in files.items():
        for r in csv_records(content):
            if r["unit_code"] == code:
                total[(r["population"], r["indicator"], r["breakdown"])] += int(r["value"])
    return total


def workbook_texts(path) -> list[str]:
    wb = load_workbook(path)
    return [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.value is not None and not isinstance(c.value, datetime)]


def assert_no_personal_data(texts: list[str]) -> None:
    for text in texts:
        assert not DATE.search(text), text
        assert not PID.search(text), text
        assert not any(name in text for name in NAMES), text


@pytest.mark.both_databases
def test_three_districts_are_consolidated_and_every_total_is_their_sum(province_inbox, files):
    from flows.provincial import provincial_consolidation

    summary = provincial_consolidation(PERIOD, province_inbox)
    assert sorted((r.unit, r.status, r.errors) for r in summary.rows) == [
        ("BL", "accepted", 0), ("BLC", "accepted", 0), ("DL", "accepted", 0)]
    assert summary.missing == ["LH"]
    # the province's data file: its rows are the sums of the districts' files
    rows = csv_records(summary.export_csv.read_bytes())
    province = {(r["population"], r["indicator"], r["breakdown"]): int(r["value"])
                for r in rows if r["unit_code"] == "LD"}
    expected = recomputed(files)
    values = {k: v for k, v in province.items() if not k[1].startswith("REPORTS_")}
    assert values == {k: v for k, v in expected.items() if not k[1].startswith("REPORTS_")}
    assert province[("tong", "REPORTS_EXPECTED", "tong")] == 13
    assert province[("tong", "REPORTS_ACCEPTED", "tong")] == 3 + 3 + 3
    assert province[("tong", "REPORTS_ON_TIME", "tong")] == 2 + 3 + 3
    assert json.loads(summary.export_json.read_text(encoding="utf-8"))[0]["period"] == PERIOD
    # the workbook's province totals are the same sums
    ws = load_workbook(summary.report)["TongHop"]
    total = next(r for r in ws.iter_rows(min_row=13)
                 if r[0].value == "Cộng toàn tỉnh (3/4 đơn vị có số liệu)")
    assert [c.value for c in total[4:19]] == [expected[("tong", i, "tong")] for i in INDICATORS]
    status = load_workbook(summary.report)["TinhHinhNopBaoCao"]
    on_time = {r[1].value: r[7].value for r in status.iter_rows(min_row=5, max_row=8)}
    assert on_time == {"BL": "Đúng hạn", "BLC": "Đúng hạn", "DL": "Trễ hạn", "LH": None}
    # the inbox is emptied into the processed folder
    paths = province_paths(province_inbox)
    assert not any(p.is_file() for p in paths.inbox.rglob("*"))
    assert len([p for p in paths.processed.rglob("*") if p.is_file()]) == 3


def test_the_outputs_hold_no_names_birth_dates_or_id_numbers(province_inbox, registry):
    from flows.provincial import provincial_consolidation

    def add_names(records):
        for n, r in enumerate(records):
            r["ho_ten"], r["ngay_sinh"] = NAMES[n % 2], "15/03/2007"
            r["so_dinh_danh"] = "068205001234"
    columns = ["period", "unit_code", "unit_level", "parent_code", "population", "indicator",
               "breakdown", "value", "ho_ten", "ngay_sinh", "so_dinh_danh"]
    drop(province_inbox, "LH", "DuLieu_LH_2024-03.csv",
         edit(district_csv(registry, "LH"), add_names, columns))
    summary = provincial_consolidation(PERIOD, province_inbox)
    lh = next(r for r in summary.rows if r.unit == "LH")
    assert (lh.status, lh.errors) == ("rejected", 1)
    assert_no_personal_data(workbook_texts(summary.report))
    for path in (summary.export_csv, summary.export_json):
        assert_no_personal_data([path.read_text(encoding="utf-8")])
    engine = make_engine(province_inbox.database_url)
    with session_factory(engine)() as session:
        messages = list(session.scalars(select(m.Finding.message)))
        assert any("ho_ten" in text for text in messages)
        assert_no_personal_data(messages)
    engine.dispose()


@pytest.mark.both_databases
def test_running_again_changes_nothing_and_the_report_is_rebuilt_identically(province_inbox,
                                                                              files):
    from flows.provincial import provincial_consolidation

    first = provincial_consolidation(PERIOD, province_inbox)
    report = first.report.read_bytes()
    data_file = first.export_csv.read_bytes()
    drop(province_inbox, "BL", "DuLieu_BL_2024-03.csv", files["BL"], day=22)
    second = provincial_consolidation(PERIOD, province_inbox)
    assert [r.status for r in second.rows] == ["unchanged (accepted)"]
    assert second.report.read_bytes() == report
    assert second.export_csv.read_bytes() == data_file
    engine = make_engine(province_inbox.database_url)
    with session_factory(engine)() as session:
        assert len(session.scalars(select(m.Submission)).all()) == 3
    engine.dispose()


def test_a_corrected_file_supersedes_and_a_json_twin_is_not_loaded_twice(province_inbox,
                                                                         registry, files):
    from flows.provincial import provincial_consolidation

    provincial_consolidation(PERIOD, province_inbox)
    corrected = district_csv(registry, "BL", late=["BL04"])  # BL03's report came in after all
    drop(province_inbox, "BL", "DuLieu_BL_2024-03_sua.csv", corrected, day=27)
    drop(province_inbox, "BL", "DuLieu_BL_2024-03_sua.json",
         district_json(registry, "BL", late=["BL04"]), day=27)
    summary = provincial_consolidation(PERIOD, province_inbox)
    by_file = {r.filename: r for r in summary.rows}
    assert (by_file["DuLieu_BL_2024-03_sua.csv"].status,
            by_file["DuLieu_BL_2024-03_sua.csv"].version) == ("accepted", 2)
    assert by_file["DuLieu_BL_2024-03_sua.json"].status == "twin of DuLieu_BL_2024-03_sua.csv"
    rows = csv_records(summary.export_csv.read_bytes())
    accepted = {r["unit_code"]: int(r["value"]) for r in rows
                if r["indicator"] == "REPORTS_ACCEPTED"}
    # Lâm Hà sent nothing: its REPORTS_* rows say so, it has no value rows
    assert accepted == {"BL": 4, "BLC": 3, "DL": 3, "LH": 0, "LD": 10}
    assert {r["indicator"] for r in rows if r["unit_code"] == "LH"} == {
        "REPORTS_EXPECTED", "REPORTS_ACCEPTED", "REPORTS_ON_TIME"}
    expected = recomputed({**files, "BL": corrected})
    province = {(r["population"], r["indicator"], r["breakdown"]): int(r["value"])
                for r in rows if r["unit_code"] == "LD"}
    assert all(province[k] == v for k, v in expected.items() if not k[1].startswith("REPORTS_"))


def test_a_broken_file_is_rejected_with_its_read_error_and_the_district_counts_received(
        province_inbox):
    from flows.provincial import provincial_consolidation

    drop(province_inbox, "LH", "DuLieu_LH_2024-03.xlsx", b"PK\x03\x04" + b"\0" * 64)
    summary = provincial_consolidation(PERIOD, province_inbox)
    lh = next(r for r in summary.rows if r.filename == "DuLieu_LH_2024-03.xlsx")
    assert (lh.unit, lh.status, lh.period) == ("LH", "rejected", PERIOD)
    status = load_workbook(summary.report)["TinhHinhNopBaoCao"]
    row = next(r for r in status.iter_rows(min_row=5) if r[1].value == "LH")
    assert (row[3].value, row[4].value, row[8].value) == ("Đã nhận", "Bị trả lại", 1)


def test_the_run_leaves_a_table_artifact(province_inbox):
    from prefect.artifacts import Artifact

    from flows.provincial import provincial_consolidation

    provincial_consolidation(PERIOD, province_inbox)
    artifact = Artifact.get(f"province-summary-{PERIOD}")
    assert artifact is not None and artifact.type == "table"
    table = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
    assert {(row["unit"], row["status"]) for row in table} == {
        ("BL", "accepted"), ("BLC", "accepted"), ("DL", "accepted")}
    # the same walk as a district's: the province's month has its completeness table too
    completeness = Artifact.get(f"province-completeness-{PERIOD}")
    rows = (json.loads(completeness.data) if isinstance(completeness.data, str)
            else completeness.data)
    assert {row["unit"]: row["state"] for row in rows} == {
        "BL": "accepted", "BLC": "accepted", "DL": "accepted", "LH": "missing"}


def test_the_2025_hierarchy_consolidates_communes(settings, tmp_path):
    """From July 2025 the province consolidates communes (Bảo Lâm 1–5) the same way."""
    from core.settings import PROJECT_ROOT
    from flows.provincial import provincial_consolidation

    directory = PROJECT_ROOT / "config" / "registry" / "lam-dong-2025"
    registry = province_registry(directory)
    for commune in ("BLM1", "BLM2"):
        drop(settings, commune, f"DuLieu_{commune}_2025-07.csv",
             district_csv(registry, commune, period="2025-07"))
    summary = provincial_consolidation("2025-07", settings, registry_dir=directory)
    assert sorted((r.unit, r.status) for r in summary.rows) == [
        ("BLM1", "accepted"), ("BLM2", "accepted")]
    assert summary.missing == ["BLM3", "BLM4"]  # Bảo Lâm 5 has no school cell
    wb = load_workbook(io.BytesIO(summary.report.read_bytes()))
    assert "- Các đảng ủy xã, phường," in [str(c.value) for r in wb["TongHop"].iter_rows()
                                           for c in r]
