"""The warehouse on real SQLite and real PostgreSQL: migrations, exactly-once, supersede."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from factories import make_roster, make_summary, make_workbook
from sqlalchemy import func, inspect, select

from core.findings import Finding
from forms.reader import read_cell_report
from warehouse import models as m
from warehouse.archive import Archive
from warehouse.db import downgrade, make_engine, session_factory, upgrade
from warehouse.load import CELL_REPORT, SubmissionRecord, load_submission, pid_hash

# the warehouse itself: every test on SQLite and on PostgreSQL
pytestmark = pytest.mark.both_databases

KEY = b"test-key"


@pytest.fixture
def sessions(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


def _record(tmp_path, content: bytes, findings=(), received=datetime(2024, 3, 21, tzinfo=UTC)):
    stored = Archive(tmp_path / "archive").store(content)
    report = read_cell_report(content)
    return SubmissionRecord(stored=stored, filename="BL01_2024-03.xlsx", channel="folder",
                            sender="BL01", received_at=received, kind=CELL_REPORT,
                            unit_code=report.header.unit_code, period=report.header.period,
                            report=report, findings=list(findings))


def _count(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_migrations_go_from_empty_to_head_and_back(warehouse_url):
    engine = make_engine(warehouse_url)
    upgrade(engine)
    assert {"submissions", "findings", "roster_facts", "indicator_values"} <= set(
        inspect(engine).get_table_names())
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_accepted_submission_stores_roster_and_figures(sessions, tmp_path):
    with sessions() as session:
        result = load_submission(session, _record(tmp_path, make_workbook()), KEY)
    assert (result.status, result.version, result.new) == ("accepted", 1, True)
    assert _count(sessions, m.RosterFact) == 7
    with sessions() as session:
        th05 = session.scalar(select(m.IndicatorValue.value).where(
            m.IndicatorValue.indicator == "TH05", m.IndicatorValue.population == "hoc_sinh",
            m.IndicatorValue.breakdown == "tong"))
    assert th05 == 6  # stages 1–6 of the factory roster


def test_the_same_file_twice_is_one_submission(sessions, tmp_path):
    content = make_workbook()
    with sessions() as session:
        first = load_submission(session, _record(tmp_path, content), KEY)
    with sessions() as session:
        second = load_submission(session, _record(tmp_path, content), KEY)
    assert second.new is False and second.submission_id == first.submission_id
    assert _count(sessions, m.Submission) == 1
    assert _count(sessions, m.RosterFact) == 7


def test_rejected_submission_keeps_findings_but_no_figures(sessions, tmp_path):
    finding = Finding("R02", "DanhSach", 6, "C", "Ngày sinh không hợp lệ")
    with sessions() as session:
        result = load_submission(session, _record(tmp_path, make_workbook(), [finding]), KEY)
    assert result.status == "rejected"
    assert _count(sessions, m.Finding) == 1
    assert _count(sessions, m.RosterFact) == 0 and _count(sessions, m.IndicatorValue) == 0


def test_corrected_version_supersedes_the_rejected_one(sessions, tmp_path):
    finding = Finding("R02", "DanhSach", 6, "C", "Ngày sinh không hợp lệ")
    roster = make_roster()
    corrected = make_workbook(roster=[*roster[:6], replace(roster[6], note="đã sửa")],
                              summary=make_summary(roster))
    with sessions() as session:
        first = load_submission(session, _record(tmp_path, make_workbook(), [finding]), KEY)
    with sessions() as session:
        second = load_submission(session, _record(
            tmp_path, corrected, received=datetime(2024, 3, 22, tzinfo=UTC)), KEY)
    assert (second.status, second.version) == ("accepted", 2)
    with sessions() as session:
        old = session.get(m.Submission, first.submission_id)
        new = session.get(m.Submission, second.submission_id)
        assert old.status == "superseded" and new.supersedes_id == old.id


def test_identification_numbers_are_stored_only_as_keyed_hashes(sessions, tmp_path):
    with sessions() as session:
        load_submission(session, _record(tmp_path, make_workbook()), KEY)
    with sessions() as session:
        hashes = list(session.scalars(select(m.RosterFact.pid_hash)))
    pid = make_roster()[0].pid
    assert pid_hash(pid, KEY) in hashes
    assert all(pid not in (h or "") for h in hashes)


def test_a_failure_inside_the_load_leaves_nothing_half_written(sessions, tmp_path,
                                                               monkeypatch):
    def fail_midway(report):
        raise RuntimeError("crash after the roster rows were added")

    # the submission, findings and roster rows are already in the session at this point
    monkeypatch.setattr("warehouse.load.submission_figures", fail_midway)
    with sessions() as session, pytest.raises(RuntimeError):
        load_submission(session, _record(tmp_path, make_workbook()), KEY)
    assert _count(sessions, m.Submission) == 0
    assert _count(sessions, m.RosterFact) == 0


def test_the_registry_mirror_adds_new_units_and_targets_and_updates_changed_ones(
        sessions, registry):
    """sync_registry (run at every run's start): a renamed unit, a changed target, a new
    unit and target are mirrored; the rows that did not change stay as they were."""
    from dataclasses import replace as changed

    from core.registry import Registry, Target, Unit
    from warehouse.load import sync_registry

    renamed = changed(registry.units["BL01"], name="Chi bộ Trường THPT Bảo Lâm (mới)")
    new = Unit("BL99", "Chi bộ Trường THCS Mới", "chi_bo", "BL", None, None)
    targets = [changed(t, target=t.target + 5) if t.unit_code == "BL01" else t
               for t in registry.targets] + [Target("BL99", 2024, "hoc_sinh", 3)]
    edited = Registry(list({**registry.units, "BL01": renamed, "BL99": new}.values()), targets)
    with sessions() as session:
        sync_registry(session, registry)
    with sessions() as session:
        sync_registry(session, edited)
    with sessions() as session:
        units = {u.code: (u.name, u.parent_code) for u in session.scalars(select(m.Unit))}
        stored = {(t.unit_code, t.year, t.population): t.target
                  for t in session.scalars(select(m.TargetRow))}
    assert units["BL01"] == (renamed.name, "BL") and units["BL99"] == (new.name, "BL")
    assert {code: name for code, (name, _) in units.items()
            if code not in ("BL01", "BL99")} == {
        code: unit.name for code, unit in registry.units.items() if code != "BL01"}
    assert stored == {(t.unit_code, t.year, t.population): t.target for t in targets}
