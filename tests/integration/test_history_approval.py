"""Versions, the record of changed figures, report versions, approval and lock, lineage —
on the embedded SQLite and on the real PostgreSQL."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, inspect, select
from warehouse_factories import cell_workbook, load

from core.findings import Finding
from services.reporting import stale_periods, write_district_outputs
from warehouse import models as m
from warehouse.approval import AlreadyApproved, NotApproved, approve, reopen, states
from warehouse.db import downgrade, make_engine, upgrade
from warehouse.lineage import explain
from warehouse.report_log import builds

# the warehouse itself: every test on SQLite and on PostgreSQL
pytestmark = pytest.mark.both_databases

ONE_MORE_MEMBER = (1, 2, 3, 4, 5, 6, 7, 7)  # a second person admitted (stage 7)


def _changes(sessions) -> list[tuple]:
    with sessions() as session:
        return [(c.unit_code, c.population, c.indicator, c.breakdown, c.old_value,
                 c.new_value, c.submission_id, c.replaced_id)
                for c in session.scalars(select(m.FigureChange).order_by(m.FigureChange.id))]


def _status(sessions, submission_id: int) -> str:
    with sessions() as session:
        return session.get(m.Submission, submission_id).status


def _district_csv(path) -> dict[tuple[str, str, str, str], int]:
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    return {(r["unit_code"], r["population"], r["indicator"], r["breakdown"]): int(r["value"])
            for r in rows}


def test_the_schema_at_head_matches_the_models_and_goes_back_to_empty(warehouse_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = make_engine(warehouse_url)
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), m.Base.metadata)
    assert differences == []
    assert {"periods", "period_events", "figure_changes", "report_builds"} <= set(
        inspect(engine).get_table_names())
    downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)  # and up again
    assert "report_builds" in inspect(engine).get_table_names()
    engine.dispose()


def test_a_corrected_version_records_each_changed_figure_and_the_file_it_came_from(
        sessions, tmp_path):
    first = load(sessions, tmp_path, cell_workbook())
    second = load(sessions, tmp_path, cell_workbook(stages=ONE_MORE_MEMBER), day=22)
    assert (_status(sessions, first.submission_id), second.version) == ("superseded", 2)
    changes = _changes(sessions)
    th14 = [c for c in changes if c[2] == "TH14" and c[3] == "tong"]
    assert th14 == [("BL01", "hoc_sinh", "TH14", "tong", 1, 2, second.submission_id,
                     first.submission_id)]
    assert all(c[6] == second.submission_id for c in changes)
    assert not any(c[2] == "TH05" for c in changes)  # unchanged figures are not listed


def test_a_late_file_updates_its_month_s_report_and_the_old_report_stays_retrievable(
        sessions, settings, registry, tmp_path):
    load(sessions, tmp_path, cell_workbook("BL01", "2024-02"), month=2, day=20)
    first = write_district_outputs(settings, registry, "2024-02")
    before = first.report.read_bytes()
    assert stale_periods(settings, registry, "2024-03") == []
    late = load(sessions, tmp_path, cell_workbook("BL02", "2024-02"), month=3, day=5)
    assert stale_periods(settings, registry, "2024-03") == ["2024-02"]
    second = write_district_outputs(settings, registry, "2024-02")
    assert stale_periods(settings, registry, "2024-03") == []
    assert _district_csv(second.export_csv)[("BL02", "hoc_sinh", "TH05", "tong")] == 6
    late_changes = [c for c in _changes(sessions) if c[6] == late.submission_id]
    assert ("BL02", "hoc_sinh", "TH05", "tong", None, 6, late.submission_id, None) \
        in late_changes
    with sessions() as session:
        versions = [b for b in builds(session, "BL", "2024-02") if b.kind == "workbook"]
    assert len(versions) == 2 and versions[0].sha256 != versions[1].sha256
    old_copy = settings.reports / versions[0].copy_path
    assert old_copy.read_bytes() == before != second.report.read_bytes()
    assert versions[1].submission_ids.count(",") == 1  # built from BL01 and BL02


def test_rebuilding_an_unchanged_month_is_not_a_new_report_version(sessions, settings,
                                                                   registry, tmp_path):
    load(sessions, tmp_path, cell_workbook())
    write_district_outputs(settings, registry, "2024-03")
    write_district_outputs(settings, registry, "2024-03")
    with sessions() as session:
        # workbook, Word report, CSV, JSON once each
        assert len(builds(session, "BL", "2024-03")) == 4


def _outputs(result) -> list:  # type: ignore[no-untyped-def]
    return [result.report, result.word, result.export_csv, result.export_json]


def _stamps(result) -> list[int]:  # type: ignore[no-untyped-def]
    return [path.stat().st_mtime_ns for path in _outputs(result)]


def test_a_month_built_from_the_same_inputs_is_left_as_it_is_and_rebuilt_when_they_change(
        sessions, settings, registry, tmp_path):
    """Nothing new since the outputs were built: nothing is written. A new accepted file,
    another wording, or an output changed on disk: built again."""
    import shutil

    load(sessions, tmp_path, cell_workbook())
    first = write_district_outputs(settings, registry, "2024-03")
    stamps, contents = _stamps(first), [p.read_bytes() for p in _outputs(first)]
    again = write_district_outputs(settings, registry, "2024-03")
    assert _stamps(again) == stamps and again.missing == first.missing
    assert [s.state for s in again.statuses] == [s.state for s in first.statuses]

    first.export_csv.write_text("edited by hand", encoding="utf-8")  # rebuilt: restored
    write_district_outputs(settings, registry, "2024-03")
    assert [p.read_bytes() for p in _outputs(first)] == contents

    wording = tmp_path / "registry"
    shutil.copytree(settings.registry_dir, wording)
    toml = wording / "document.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'signer_name = ""', 'signer_name = "Nguyễn Văn Thử"'), encoding="utf-8")
    signed = write_district_outputs(settings.model_copy(update={"registry_dir": wording}),
                                    registry, "2024-03")
    assert signed.word.read_bytes() != contents[1]

    load(sessions, tmp_path, cell_workbook("BL02"), day=21)
    newer = write_district_outputs(settings, registry, "2024-03")
    assert _district_csv(newer.export_csv)[("BL02", "hoc_sinh", "TH05", "tong")] == 6


def test_outputs_recorded_without_their_inputs_are_built_once_more_as_the_same_version(
        sessions, settings, registry, tmp_path):
    """Builds recorded before report_builds.inputs_sha256 existed: the next run builds
    them again (the same bytes: no new version), the one after leaves them."""
    load(sessions, tmp_path, cell_workbook())
    first = write_district_outputs(settings, registry, "2024-03")
    with sessions() as session:
        for build in builds(session, "BL", "2024-03"):
            build.inputs_sha256 = None
        session.commit()
    write_district_outputs(settings, registry, "2024-03")
    stamps = _stamps(first)
    write_district_outputs(settings, registry, "2024-03")
    assert _stamps(first) == stamps
    with sessions() as session:
        recorded = builds(session, "BL", "2024-03")
    assert len(recorded) == 4 and all(b.inputs_sha256 for b in recorded)


def test_an_approved_month_keeps_a_later_file_pending_and_its_figures_unchanged(
        sessions, settings, registry, tmp_path):
    first = load(sessions, tmp_path, cell_workbook())
    report = write_district_outputs(settings, registry, "2024-03")
    approved_csv = report.export_csv.read_bytes()
    with sessions() as session:
        approve(session, "BL", "2024-03", "can.bo.to.chuc")
    correction = load(sessions, tmp_path, cell_workbook(stages=ONE_MORE_MEMBER), day=25)
    assert correction.status == "pending"
    assert _status(sessions, first.submission_id) == "accepted"
    assert stale_periods(settings, registry, "2024-03") == []
    again = write_district_outputs(settings, registry, "2024-03")
    assert again.export_csv.read_bytes() == approved_csv
    with sessions() as session:
        (state,) = states(session, "BL")
    assert (state.status, state.approved_by, state.pending) == ("approved", "can.bo.to.chuc", 1)
    assert state.approved_at is not None


def test_reopening_applies_pending_corrections_oldest_first_and_records_who(sessions,
                                                                            tmp_path):
    first = load(sessions, tmp_path, cell_workbook())
    with sessions() as session:
        approve(session, "BL", "2024-03", "nguoi.duyet")
    second = load(sessions, tmp_path, cell_workbook(stages=ONE_MORE_MEMBER), day=25)
    third = load(sessions, tmp_path, cell_workbook(stages=(1, 1, 2, 3, 4, 5, 6, 7, 7)), day=26)
    rejected = load(sessions, tmp_path, cell_workbook(stages=(1, 2)), day=27,
                    findings=(Finding("X01", "TongHop", 9, "C", "Không khớp"),))
    with sessions() as session:
        applied = reopen(session, "BL", "2024-03", "nguoi.mo.lai")
    assert [s.id for s in applied] == [second.submission_id, third.submission_id]
    statuses = [_status(sessions, r.submission_id) for r in (first, second, third, rejected)]
    assert statuses == ["superseded", "superseded", "accepted", "rejected"]
    with sessions() as session:
        events = [(e.action, e.actor, e.applied) for e in session.scalars(
            select(m.PeriodEvent).order_by(m.PeriodEvent.id))]
        value = session.scalar(select(m.IndicatorValue.value).where(
            m.IndicatorValue.submission_id == third.submission_id,
            m.IndicatorValue.indicator == "TH05", m.IndicatorValue.population == "hoc_sinh",
            m.IndicatorValue.breakdown == "tong"))
    assert events == [("approved", "nguoi.duyet", 0), ("reopened", "nguoi.mo.lai", 2)]
    assert value == 7
    after = load(sessions, tmp_path, cell_workbook(stages=(1, 2, 3)), day=28)
    assert after.status == "accepted"  # open again: a new file goes straight in force


def test_approving_twice_or_reopening_an_open_month_is_refused(sessions):
    with sessions() as session:
        approve(session, "BL", "2024-03", "a")
    with sessions() as session, pytest.raises(AlreadyApproved):
        approve(session, "BL", "2024-03", "b")
    with sessions() as session, pytest.raises(NotApproved):
        reopen(session, "BL", "2024-04", "b")
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(m.PeriodEvent)) == 1


def test_every_figure_of_the_upward_data_file_is_explained_by_its_submissions_and_rows(
        sessions, settings, registry, tmp_path):
    load(sessions, tmp_path, cell_workbook("BL01"))
    load(sessions, tmp_path, cell_workbook("BL02", stages=ONE_MORE_MEMBER), day=22)
    outputs = write_district_outputs(settings, registry, "2024-03")
    figures = _district_csv(outputs.export_csv)
    assert len(figures) > 100
    with sessions() as session:
        for (unit, population, indicator, breakdown), value in figures.items():
            if indicator == "REPORTS_ON_TIME":
                continue  # arrival times against the deadline: the status sheet says why
            found = explain(session, registry, unit, "2024-03", population, indicator,
                            breakdown)
            assert found.value == value, (unit, population, indicator, breakdown)
            for source in found.sources:
                if indicator in ("TH05", "TH11", "TH12", "TH14"):
                    assert len(source.rows) == source.value
        th14 = explain(session, registry, "BL", "2024-03", "hoc_sinh", "TH14")
    assert [(s.unit_code, s.version, s.value) for s in th14.sources] == [
        ("BL01", 1, 1), ("BL02", 1, 2)]
    assert [r.stage for r in th14.sources[1].rows] == [7, 7]
