"""A batch's files are loaded a group at a time, in one transaction with a savepoint each
(flows.common.load_each): a file the database refuses halfway through its load is rolled
back alone, the files before and after it in its group are kept, and nothing of it is
left behind — on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError
from warehouse_factories import cell_workbook

import flows.common
import warehouse.load
from core.kinds import CELL_REPORT
from forms.reader import read_cell_report
from warehouse import models as m
from warehouse.archive import Archive
from warehouse.load import FAILED, SubmissionRecord, load_submission
from warehouse.unit_of_work import Warehouse

UNITS = ["BL01", "BL02", "BL03", "BL04", "BL05"]


def _records(settings) -> list[SubmissionRecord]:  # type: ignore[no-untyped-def]
    records = []
    for day, unit in enumerate(UNITS, start=1):
        content = cell_workbook(unit)
        report = read_cell_report(content)
        records.append(SubmissionRecord(
            stored=Archive(settings.archive).store(content), filename=f"{unit}_2024-03.xlsx",
            channel="folder", sender=unit, received_at=datetime(2024, 3, day, 9, tzinfo=UTC),
            kind=CELL_REPORT, unit_code=unit, period="2024-03", report=report))
    return records


def _per_unit(settings, model) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with Warehouse.of(settings).session() as session:
        return dict(session.execute(
            select(m.Submission.unit_code, func.count()).join(
                model, model.submission_id == m.Submission.id)
            .group_by(m.Submission.unit_code)).all())


@pytest.mark.both_databases
@pytest.mark.parametrize("group", [2, 100])
def test_a_file_refused_halfway_is_rolled_back_alone_and_its_group_loads(
        settings, registry, monkeypatch, group):
    Warehouse.of(settings).ready(registry)
    monkeypatch.setattr(flows.common, "LOAD_GROUP", group)
    monkeypatch.setattr(flows.common, "get_run_logger", lambda: logging.getLogger("test"))
    settle = warehouse.load.settle

    def refuse_bl03(session, submission):  # type: ignore[no-untyped-def]
        # its submission, findings and roster rows are written by now (flushed)
        if submission.unit_code == "BL03":
            session.flush()
            raise DataError("UPDATE …", {}, Exception("value out of range"))
        settle(session, submission)

    monkeypatch.setattr(warehouse.load, "settle", refuse_bl03)
    records = _records(settings)
    results = flows.common.load_each(
        records, settings, lambda session, r: load_submission(session, r, b"test-key"))

    assert [r.status for r in results] == ["accepted", "accepted", FAILED, "accepted",
                                           "accepted"]
    rows = len(records[0].report.roster)
    assert _per_unit(settings, m.RosterFact) == {u: rows for u in UNITS if u != "BL03"}
    with Warehouse.of(settings).session() as session:
        assert sorted(session.scalars(select(m.Submission.unit_code))) == [
            u for u in UNITS if u != "BL03"]
        assert session.scalar(select(func.count()).select_from(m.RawFile)) == 4

    # the refused file loads on the next run, as the only new one
    monkeypatch.setattr(warehouse.load, "settle", settle)
    again = flows.common.load_each(
        records, settings, lambda session, r: load_submission(session, r, b"test-key"))
    assert [r.new for r in again] == [False, False, True, False, False]
    assert _per_unit(settings, m.RosterFact)["BL03"] == rows
