"""The monthly flow on a real (temporary) Prefect server, SQLite and local folders (its
main paths on PostgreSQL too)."""

from __future__ import annotations

import csv
import io

import pytest
from factories import make_header, make_rejected_bl02, make_workbook
from inbox_files import drop
from openpyxl import load_workbook
from sqlalchemy import select

from warehouse import models as m
from warehouse.db import make_engine, session_factory

pytestmark = pytest.mark.usefixtures("prefect_server")


def _drop_month(settings):  # type: ignore[no-untyped-def]
    drop(settings, "BL01", "BL01_2024-03.xlsx", make_workbook())
    drop(settings, "BL02", "BL02_2024-03.xlsx", make_rejected_bl02())
    drop(settings, "BL03", "anh_chup.xlsx", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    drop(settings, "BL04", "BL04_2024-03.xlsx",
         make_workbook(header=make_header("BL04", unit_name="Chi bộ Trường THCS-THPT Lộc Bắc")),
         day=27)
    return settings


@pytest.fixture
def month_inbox(settings):
    return _drop_month(settings)


def _snapshot(settings) -> dict[str, list[tuple]]:
    engine = make_engine(settings.database_url)
    tables = {}
    with session_factory(engine)() as session:
        for model in (m.Submission, m.Finding, m.RosterFact, m.IndicatorValue, m.RawFile):
            rows = session.scalars(select(model)).all()
            columns = [c.key for c in model.__table__.columns]
            tables[model.__tablename__] = sorted(
                tuple(str(getattr(r, c)) for c in columns) for r in rows)
    engine.dispose()
    return tables


@pytest.mark.both_databases
def test_a_month_is_collected_validated_loaded_and_reported(month_inbox):
    from flows.monthly import monthly_consolidation

    summary = monthly_consolidation("2024-03", month_inbox)
    by_file = {r.filename: r for r in summary.rows}
    assert by_file["BL01_2024-03.xlsx"].status == "accepted"
    assert by_file["BL04_2024-03.xlsx"].status == "accepted"
    assert (by_file["BL02_2024-03.xlsx"].status, by_file["BL02_2024-03.xlsx"].errors) == (
        "rejected", 1)
    assert by_file["anh_chup.xlsx"].status == "rejected"
    assert sorted(summary.missing) == ["BL02", "BL03"]
    # the inbox is emptied into the processed folder; nothing is deleted
    assert not any(p.is_file() for p in month_inbox.inbox.rglob("*"))
    assert len([p for p in (month_inbox.data_dir / "processed").rglob("*") if p.is_file()]) == 4
    # the upward data file counts two accepted cells, one of them late
    rows = list(csv.DictReader(io.StringIO(summary.export_csv.read_text(encoding="utf-8"))))
    counts = {r["indicator"]: int(r["value"]) for r in rows
              if r["unit_code"] == "BL" and r["indicator"].startswith("REPORTS_")}
    assert counts == {"REPORTS_EXPECTED": 4, "REPORTS_ACCEPTED": 2, "REPORTS_ON_TIME": 1}
    assert summary.report.exists()


def test_feedback_goes_back_to_the_sender_with_the_finding_on_the_cell(month_inbox):
    from flows.monthly import monthly_consolidation

    summary = monthly_consolidation("2024-03", month_inbox)
    bl02 = next(r for r in summary.rows if r.filename == "BL02_2024-03.xlsx")
    assert bl02.feedback.parent.name == "BL02"
    workbook = load_workbook(bl02.feedback)
    assert workbook.sheetnames[0] == "KetQuaKiemTra"
    rows = [[c.value for c in row] for row in workbook["KetQuaKiemTra"].iter_rows()]
    assert any(row[1] == "R02" and row[3] == "DanhSach" and row[5] == "C" for row in rows)
    finding_row = next(row for row in rows if row[1] == "R02")[4]
    commented = workbook["DanhSach"][f"C{finding_row}"]
    assert commented.comment is not None and "R02" in commented.comment.text


@pytest.mark.both_databases
def test_running_the_same_month_again_changes_nothing(month_inbox):
    from flows.monthly import monthly_consolidation

    first = monthly_consolidation("2024-03", month_inbox)
    before = _snapshot(month_inbox)
    report_bytes = first.report.read_bytes()
    # the same files arrive again
    drop(month_inbox, "BL01", "BL01_2024-03.xlsx", make_workbook())
    drop(month_inbox, "BL02", "BL02_2024-03.xlsx", make_rejected_bl02())
    second = monthly_consolidation("2024-03", month_inbox)
    assert _snapshot(month_inbox) == before
    assert sorted(r.status for r in second.rows) == [
        "unchanged (accepted)", "unchanged (rejected)"]
    assert second.report.read_bytes() == report_bytes


def test_the_district_workbook_built_on_a_worker_process_is_the_same_file(month_inbox,
                                                                         monkeypatch):
    """A district large enough (here: any) has its workbook built on another core while
    the run builds the rest (services.reporting): the same bytes as built in the run's own
    process, and the same Word report and data files."""
    from core.registry import Registry
    from flows.monthly import monthly_consolidation
    from services.reporting import write_district_outputs

    monthly_consolidation("2024-03", month_inbox.model_copy(update={"cpu_workers": 1}))
    registry = Registry.load(month_inbox.registry_dir)
    outputs = {}
    for workers in (1, 2):
        monkeypatch.setattr("services.reporting.MIN_UNITS_BESIDE", 1 if workers > 1 else 10**6)
        built = write_district_outputs(
            month_inbox.model_copy(update={"cpu_workers": workers}), registry, "2024-03")
        outputs[workers] = [p.read_bytes() for p in (built.report, built.word,
                                                     built.export_csv, built.export_json)]
    assert outputs[2] == outputs[1]


def test_the_run_leaves_a_table_artifact_summarising_the_month(month_inbox):
    import json

    from prefect.artifacts import Artifact

    from flows.monthly import monthly_consolidation

    monthly_consolidation("2024-03", month_inbox)
    artifact = Artifact.get("month-summary-2024-03")
    assert artifact is not None and artifact.type == "table"
    table = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
    assert {(row["unit"], row["status"]) for row in table} >= {
        ("BL01", "accepted"), ("BL02", "rejected"), ("BL04", "accepted")}


def _table(key: str) -> list[dict]:
    import json

    from prefect.artifacts import Artifact

    artifact = Artifact.get(key)
    assert artifact is not None and artifact.type == "table", key
    return json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data


def test_the_run_leaves_completeness_findings_and_links_as_artifacts(month_inbox):
    from prefect.artifacts import Artifact

    from flows.monthly import monthly_consolidation

    summary = monthly_consolidation("2024-03", month_inbox)
    states = {row["unit"]: (row["state"], row["on time"]) for row in
              _table("month-completeness-2024-03")}
    assert states == {"BL01": ("accepted", "yes"), "BL02": ("rejected", "no"),
                      "BL03": ("missing", "no"), "BL04": ("accepted", "no")}
    rules = {row["rule"]: (row["errors"], row["warnings"]) for row in
             _table("month-findings-2024-03")}
    assert rules["R02"][0] == 1 and rules["F01"][0] == 1  # the bad date; the PNG
    link = Artifact.get("district-report-2024-03")
    assert link is not None  # Prefect keeps a link artifact as markdown [text](uri)
    assert summary.report.resolve().as_uri() in str(link.data)


def test_the_data_docs_site_is_built_and_linked_only_when_it_is_on(month_inbox, tmp_path):
    """Settings.data_docs (on by default; the suite runs without the site elsewhere): on,
    the run's validations are in the site and the run links it; off, nothing is built or
    linked, and the run's verdicts and findings are the same."""
    from prefect.artifacts import Artifact

    from core.settings import Settings
    from flows.monthly import monthly_consolidation

    on = month_inbox.model_copy(update={"data_docs": True})
    summary = monthly_consolidation("2024-03", on)
    site = on.paths().data_docs
    assert summary.data_docs == site / "index.html"
    index = summary.data_docs.read_text(encoding="utf-8")
    assert "'run_name': 'BL 2024-03 run " in index  # the run's own validations
    assert len(list((site / "validations").rglob("*.html"))) >= 5  # a page per frame
    link = Artifact.get("data-docs-2024-03")
    assert link is not None and summary.data_docs.as_uri() in str(link.data)

    off = _drop_month(Settings(data_dir=tmp_path / "off", pid_hash_key="test-key",
                               data_docs=False))
    quiet = monthly_consolidation("2024-03", off)
    assert quiet.data_docs is None and not off.paths().data_docs.exists()
    assert sorted((r.filename, r.status, r.errors, r.warnings) for r in quiet.rows) == sorted(
        (r.filename, r.status, r.errors, r.warnings) for r in summary.rows)
    assert quiet.findings == summary.findings


def test_a_corrected_version_supersedes_and_its_feedback_lists_what_was_fixed(month_inbox):
    from flows.monthly import monthly_consolidation

    monthly_consolidation("2024-03", month_inbox)
    corrected = make_workbook(header=make_header("BL02", unit_name="Chi bộ Trường THPT Lộc An"))
    drop(month_inbox, "BL02", "BL02_2024-03_sua.xlsx", corrected, day=22)
    summary = monthly_consolidation("2024-03", month_inbox)
    [row] = [r for r in summary.rows if r.filename == "BL02_2024-03_sua.xlsx"]
    assert (row.status, row.version) == ("accepted", 2)
    assert "BL02" not in summary.missing
    sheet = load_workbook(row.feedback)["KetQuaKiemTra"]
    texts = [str(c.value) for r in sheet.iter_rows() for c in r if c.value is not None]
    assert any("thay cho lần gửi thứ 1" in t for t in texts)
    assert any(t.startswith("Các sai sót của lần gửi thứ 1 đã được sửa: 1") for t in texts)
    assert "R02" in texts
    engine = make_engine(month_inbox.database_url)
    with session_factory(engine)() as session:
        statuses = sorted(session.scalars(select(m.Submission.status).where(
            m.Submission.unit_code == "BL02")))
    assert statuses == ["accepted", "superseded"]


def test_a_file_the_database_refuses_stays_in_the_inbox_and_the_others_load(month_inbox,
                                                                            monkeypatch):
    from sqlalchemy.exc import DataError

    import flows.monthly as monthly
    import services.levels as levels
    from warehouse.load import load_submission

    def refuse_bl04(session, record, key):
        if record.filename.startswith("BL04"):
            raise DataError("INSERT …", {}, Exception("integer out of range"))
        return load_submission(session, record, key)

    monkeypatch.setattr(levels, "load_submission", refuse_bl04)
    summary = monthly.monthly_consolidation("2024-03", month_inbox)
    by_file = {r.filename: r.status for r in summary.rows}
    assert by_file["BL04_2024-03.xlsx"] == "failed"
    assert by_file["BL01_2024-03.xlsx"] == "accepted"
    assert (month_inbox.inbox / "BL04" / "BL04_2024-03.xlsx").exists()
    assert not (month_inbox.inbox / "BL01" / "BL01_2024-03.xlsx").exists()
    monkeypatch.undo()
    again = monthly.monthly_consolidation("2024-03", month_inbox)
    assert {r.filename: r.status for r in again.rows} == {"BL04_2024-03.xlsx": "accepted"}


def test_if_the_batch_validation_breaks_each_file_is_validated_alone(month_inbox, monkeypatch):
    import flows.monthly as monthly
    import validations.run
    from validations.run import validate_batch

    def breaks_on_batches(items, *args, **kwargs):
        if len(items) > 1:
            raise RuntimeError("something in this batch upsets the engine")
        return validate_batch(items, *args, **kwargs)

    # the level imports it when it checks (services.levels: GX only when needed)
    monkeypatch.setattr(validations.run, "validate_batch", breaks_on_batches)
    summary = monthly.monthly_consolidation("2024-03", month_inbox)
    by_file = {r.filename: (r.status, r.errors) for r in summary.rows}
    assert by_file["BL01_2024-03.xlsx"] == ("accepted", 0)
    assert by_file["BL02_2024-03.xlsx"] == ("rejected", 1)


@pytest.mark.both_databases
def test_reports_rebuilt_from_the_warehouse_are_identical_to_the_run(month_inbox):
    from core.registry import Registry
    from flows.monthly import monthly_consolidation
    from services.reporting import write_district_outputs

    summary = monthly_consolidation("2024-03", month_inbox)
    written = {p: p.read_bytes() for p in (summary.report, summary.export_csv,
                                           summary.export_json)}
    for path in written:
        path.unlink()
    rebuilt = write_district_outputs(month_inbox, Registry.load(month_inbox.registry_dir),
                                     "2024-03")
    assert {p: p.read_bytes() for p in (rebuilt.report, rebuilt.export_csv,
                                         rebuilt.export_json)} == written
