"""Two batches of a streamed month overlap (flows.walk._stream) only when the later one's
history cannot change by loading the earlier one; and a large batch is checked in a worker
process with the findings it would have here."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from factories import make_header, make_roster, make_row, make_summary, make_workbook

from connectors.base import IncomingFile
from core.history import History
from core.kinds import CELL_REPORT, COURSE_REGISTER
from core.register import CourseRegister
from core.settings import Settings
from forms.dispatch import ReadOutcome
from forms.reader import read_cell_report
from services import levels, workers
from services.levels import DistrictLevel


def _outcome(unit: str, *people: int) -> ReadOutcome:
    roster = [replace(make_row(n, 2), stt=i) for i, n in enumerate(people, start=1)]
    return ReadOutcome(CELL_REPORT, report=read_cell_report(make_workbook(
        header=make_header(unit), roster=roster, summary=make_summary(roster))))


@pytest.fixture
def level(tmp_path: Path) -> DistrictLevel:
    return DistrictLevel.of(Settings(data_dir=tmp_path, pid_hash_key="test-key"))


def test_batches_with_other_cells_and_other_people_are_independent(level):
    assert level.independent([_outcome("BL01", 1, 2)], [_outcome("BL02", 3), ReadOutcome(
        "unknown")])


@pytest.mark.parametrize("later", [
    pytest.param(lambda: _outcome("BL01", 9), id="the same cell (its earlier reports)"),
    pytest.param(lambda: _outcome("BL02", 2), id="the same person (H07)"),
])
def test_a_later_batch_sharing_a_cell_or_a_person_waits(level, later):
    assert not level.independent([_outcome("BL01", 1, 2)], [later()])


def test_a_batch_after_a_course_register_waits(level):
    register = ReadOutcome(COURSE_REGISTER, register=CourseRegister([], {}, 1))
    assert not level.independent([register], [_outcome("BL02", 3)])


def test_a_large_batch_is_checked_in_a_worker_with_the_same_findings(level, monkeypatch):
    roster = make_roster()
    bad = make_workbook(header=make_header("BL02"), roster=roster,
                        summary=make_summary(roster, TH07_hoc_sinh=99))
    files = [(IncomingFile(content, f"{unit}.xlsx", "folder", unit, _at(), ""),
              ReadOutcome(CELL_REPORT, report=read_cell_report(content)))
             for unit, content in [("BL01", make_workbook()), ("BL02", bad)]]
    here = level.check(files, "2024-03", History(), None,
                       _Log())
    monkeypatch.setattr(levels, "MIN_ITEMS", 1)
    try:
        there = level.check(files, "2024-03", History(), None,
                            _Log())
        [worker] = workers.lasting_worker("check")._started
        assert worker.process.poll() is None  # checked there
    finally:
        workers._close_lasting()
    assert there == here and here[1] and not any(f.is_error for f in here[0])


def test_a_batch_checked_whole_in_the_worker_has_the_findings_of_check_then_across(
        level, monkeypatch):
    from datetime import datetime

    from warehouse.archive import StoredFile

    # BL01 and BL02 list person 1 (H07 across the batch); BL03 lists no one else's
    outcomes = [_outcome("BL01", 1, 2), _outcome("BL02", 1, 3), _outcome("BL03", 4)]
    files = [(IncomingFile(b"", f"{o.report.header.unit_code}.xlsx", "folder",
                           o.report.header.unit_code, _at(), ""), o) for o in outcomes]
    started = datetime(2024, 3, 25, 9)
    found = level.check(files, "2024-03", History(), started, _Log())
    stored = StoredFile("0" * 64, 0, "x")
    records = [level.record(stored, i, o, f, "2024-03")
               for (i, o), f in zip(files, found, strict=True)]
    here = [r.findings for r in level.check_across(records, "2024-03", History(), started)]
    monkeypatch.setattr(levels, "MIN_ITEMS", 1)
    there = level.check(files, "2024-03", History(), started, _Log(), across=True)
    assert workers.lasting_started("check")  # checked there, H07 with it
    assert there == here
    assert ["H07" in {f.rule_id for f in found} for found in there] == [True, True, False]


def _at():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime(2024, 3, 20, 9, tzinfo=UTC)


class _Log:
    def log(self, level: int, message: str, *args: object) -> None:
        raise AssertionError(message % args)  # nothing to say about these files


def test_one_cpu_worker_keeps_the_check_in_the_runs_own_process(tmp_path, monkeypatch):
    level = DistrictLevel.of(Settings(data_dir=tmp_path, pid_hash_key="test-key",
                                      cpu_workers=1))
    content = make_workbook()
    files = [(IncomingFile(content, "BL01.xlsx", "folder", "BL01", _at(), ""),
              ReadOutcome(CELL_REPORT, report=read_cell_report(content)))]
    monkeypatch.setattr(levels, "MIN_ITEMS", 1)
    assert level.check(files, "2024-03", History(), None, _Log()) == [[]]
    assert "check" not in workers._lasting
