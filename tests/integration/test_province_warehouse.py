"""The province's warehouse on real SQLite and real PostgreSQL: the reported_values
migration, and district data files loaded exactly once, superseded when corrected."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from province_factories import PERIOD, district_csv, edit, matches, province_registry
from sqlalchemy import func, inspect, select

from core.findings import Finding
from core.kinds import DISTRICT_DATA
from forms.export_reader import read_export
from warehouse import models as m
from warehouse.archive import Archive
from warehouse.db import downgrade, make_engine, upgrade
from warehouse.load import SubmissionRecord
from warehouse.load_province import load_district_file
from warehouse.province_queries import province_month

# the warehouse itself: every test on SQLite and on PostgreSQL
pytestmark = pytest.mark.both_databases


@pytest.fixture(scope="module")
def registry():
    return province_registry()


def record(tmp_path, content: bytes, *, findings=(), day: int = 20) -> SubmissionRecord:
    stored = Archive(tmp_path / "archive").store(content)
    return SubmissionRecord(stored=stored, filename="DuLieu_BL_2024-03.csv", channel="folder",
                          sender="BL", received_at=datetime(2024, 3, day, 3, 0, tzinfo=UTC),
                          kind=DISTRICT_DATA, unit_code="BL", period=PERIOD,
                          rows=read_export(content).rows, findings=list(findings))


def count(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_the_migration_adds_reported_values_and_takes_it_away_again(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine, "0002")
    assert "reported_values" not in inspect(engine).get_table_names()
    upgrade(engine)
    columns = {c["name"] for c in inspect(engine).get_columns("reported_values")}
    assert columns == {"submission_id", "unit_code", "unit_level", "parent_code", "population",
                       "indicator", "breakdown", "value"}
    primary = inspect(engine).get_pk_constraint("reported_values")["constrained_columns"]
    assert primary == ["submission_id", "unit_code", "population", "indicator", "breakdown"]
    [foreign] = inspect(engine).get_foreign_keys("reported_values")
    assert foreign["referred_table"] == "submissions"
    with engine.connect() as connection:  # the model and the migration agree
        diff = compare_metadata(MigrationContext.configure(connection), m.Base.metadata)
    assert [d for d in diff if "reported_values" in str(d)] == []
    downgrade(engine, "0002")
    assert "reported_values" not in inspect(engine).get_table_names()
    assert "submissions" in inspect(engine).get_table_names()
    upgrade(engine)
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_an_accepted_file_stores_every_row(sessions, tmp_path, registry):
    content = district_csv(registry, "BL", missing=["BL03"])
    with sessions() as session:
        result = load_district_file(session, record(tmp_path, content))
    assert (result.status, result.version, result.new) == ("accepted", 1, True)
    assert count(sessions, m.ReportedValue) == len(read_export(content).rows)
    with sessions() as session:
        sub = session.get(m.Submission, result.submission_id)
        assert (sub.kind, sub.unit_code, sub.period) == (DISTRICT_DATA, "BL", PERIOD)
        top = session.scalar(select(m.ReportedValue).where(
            m.ReportedValue.unit_code == "BL", m.ReportedValue.indicator == "REPORTS_ACCEPTED"))
        assert (top.value, top.unit_level, top.parent_code) == (3, "huyen", "LD")


def test_the_same_file_twice_is_one_submission(sessions, tmp_path, registry):
    content = district_csv(registry, "BL")
    with sessions() as session:
        first = load_district_file(session, record(tmp_path, content))
    with sessions() as session:
        again = load_district_file(session, record(tmp_path, content, day=22))
    assert again.submission_id == first.submission_id and not again.new
    assert count(sessions, m.Submission) == 1
    assert count(sessions, m.ReportedValue) == len(read_export(content).rows)


def test_a_rejected_file_keeps_its_findings_but_no_values(sessions, tmp_path, registry):
    finding = Finding("P05", None, 7, "H", "Số của «BL» … không bằng tổng các chi bộ.")
    with sessions() as session:
        result = load_district_file(session, record(tmp_path, district_csv(registry, "BL"),
                                                    findings=[finding]))
    assert result.status == "rejected"
    assert count(sessions, m.ReportedValue) == 0
    with sessions() as session:
        stored = session.scalar(select(m.Finding))
        assert (stored.rule_id, stored.severity, stored.row, stored.column) == (
            "P05", "ERROR", 7, "H")


def test_a_corrected_file_supersedes_and_the_province_uses_it(sessions, tmp_path, registry):
    wrong = district_csv(registry, "BL", missing=["BL03"])
    corrected = district_csv(registry, "BL")
    with sessions() as session:
        first = load_district_file(session, record(tmp_path, wrong, day=20))
    with sessions() as session:
        second = load_district_file(session, record(tmp_path, corrected, day=27))
    assert (second.status, second.version) == ("accepted", 2)
    with sessions() as session:
        statuses = dict(session.execute(select(m.Submission.id, m.Submission.status)).all())
        assert statuses == {first.submission_id: "superseded",
                            second.submission_id: "accepted"}
        assert session.get(m.Submission, second.submission_id).supersedes_id == \
            first.submission_id
        data = province_month(session, registry, "LD", PERIOD, deadline_day=25,
                              timezone="Asia/Ho_Chi_Minh")
    [bl] = [d for d in data.districts if d.unit.code == "BL"]
    assert (bl.accepted, bl.version, bl.on_time) == (True, 2, True)  # first valid on the 20th
    assert data.values[("BL", "tong", "REPORTS_ACCEPTED", "tong")] == 4
    assert [d.unit.code for d in data.missing()] == ["BLC", "DL", "LH"]
    assert data.expected_cells == 13


def test_a_late_file_is_not_on_time_and_a_rejected_one_is_received(sessions, tmp_path, registry):
    spoiled = edit(district_csv(registry, "DL"), lambda rs: [
        dict(r, value="99") if matches(r, unit_code="DL", indicator="TH01") else r
        for r in rs])
    with sessions() as session:
        load_district_file(session, record(tmp_path, district_csv(registry, "BL"), day=28))
    with sessions() as session:
        rejected = record(tmp_path, spoiled)
        rejected.unit_code, rejected.filename = "DL", "DuLieu_DL_2024-03.csv"
        load_district_file(session, SubmissionRecord(**{
            **rejected.__dict__, "findings": [Finding("P05", None, 2, "H", "…")]}))
    with sessions() as session:
        data = province_month(session, registry, "LD", PERIOD, deadline_day=25,
                              timezone="Asia/Ho_Chi_Minh")
    by_code = {d.unit.code: d for d in data.districts}
    assert (by_code["BL"].accepted, by_code["BL"].on_time) == (True, False)
    assert (by_code["DL"].received, by_code["DL"].accepted, by_code["DL"].errors) == (
        True, False, 1)
    assert not any(key[0] == "DL" for key in data.values)


def test_a_valid_file_whose_every_cell_was_rejected_is_no_data_and_targets_stay(
        sessions, tmp_path, registry):
    """Read back from the warehouse: Bảo Lâm's valid file counts none of its cells, so the
    district has no valid data; every expected district keeps the registry's target."""
    zeros = district_csv(registry, "BL", missing=["BL01", "BL02", "BL03", "BL04"])
    with sessions() as session:
        assert load_district_file(session, record(tmp_path, zeros)).status == "accepted"
        data = province_month(session, registry, "LD", PERIOD, deadline_day=25,
                              timezone="Asia/Ho_Chi_Minh")
    [bl] = [d for d in data.districts if d.unit.code == "BL"]
    assert (bl.accepted, bl.cells_accepted, bl.cells_expected, bl.has_data) == (
        True, 0, 4, False)
    assert bl.state == "no_cells" and [d.unit.code for d in data.missing()] == [
        "BL", "BLC", "DL", "LH"]
    assert data.targets[("BL", "hoc_sinh")] == 6 + 5 + 4 + 3
    assert data.targets[("LH", "vien_chuc")] == 2 + 1 + 1  # no file, still its target
    assert sum(data.targets.values()) == 76
