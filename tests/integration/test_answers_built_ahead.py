"""Answers built ahead (services.feedback.build_ahead): a streamed month builds each batch's
feedback workbooks while the next batch loads; when the month is answered, a workbook
built ahead goes out only if what the answer says is still what it was built from, and
every other answer is built then."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from warehouse_factories import cell_workbook, load

import services.workers
from connectors.base import IncomingFile
from core.findings import Finding
from services.feedback import BuiltAhead, build_ahead, send_answers
from services.levels import DistrictLevel
from warehouse.unit_of_work import Warehouse

pytestmark = pytest.mark.both_databases

WRONG = Finding("S01", "TongHop", 12, "C", "Tổng số không khớp", "error")


def _incoming(content: bytes, unit: str) -> IncomingFile:
    return IncomingFile(content=content, filename=f"{unit}_2024-03.xlsx", channel="folder",
                        sender=unit, received_at=datetime(2024, 3, 20, 9, tzinfo=UTC),
                        handle=f"{unit}_2024-03.xlsx")


def _findings_sheet(path: Path) -> str:
    rows = load_workbook(path).worksheets[0].iter_rows(values_only=True)
    return " ".join(str(v) for row in rows for v in row if v is not None)


def test_a_workbook_built_ahead_goes_out_only_while_the_answer_is_the_same(
        settings, registry, sessions, tmp_path):
    Warehouse.of(settings).ready(registry)
    same, changed = cell_workbook("BL01"), cell_workbook("BL02")
    first = load(sessions, tmp_path, same).submission_id
    second = load(sessions, tmp_path, changed).submission_id
    early = build_ahead(settings, registry, [(first, same), (second, changed)])
    assert early.keys() == {first, second}
    # the month's settling gives the second file a finding after it was built ahead
    stale = early[second]
    ahead = {first: BuiltAhead(early[first].key, b"built ahead"),
             second: BuiltAhead((stale.key[0], (WRONG,), stale.key[2]), b"out of date")}

    folder = DistrictLevel.of(settings, registry).connectors()["folder"]
    sent = list(send_answers(settings, registry, [
        (folder, _incoming(same, "BL01"), first),
        (folder, _incoming(changed, "BL02"), second)], ahead))

    assert all(isinstance(where, Path) for where in sent), sent
    assert sent[0].read_bytes() == b"built ahead"  # still true: sent as built
    assert sent[1].read_bytes() == early[second].content  # built again, as it says now
    assert "NHẬN" in _findings_sheet(sent[1])


def test_a_worker_that_dies_builds_nothing_ahead(settings, registry, sessions, tmp_path,
                                                 monkeypatch):
    Warehouse.of(settings).ready(registry)
    content = cell_workbook("BL01")
    loaded = load(sessions, tmp_path, content).submission_id

    class Dying:
        def submit(self, *_args: object) -> object:
            from concurrent.futures import Future

            future: Future[None] = Future()
            future.set_exception(services.workers.WorkerDied())
            return future

    monkeypatch.setattr("services.feedback.lasting_worker", lambda *_args: Dying())
    assert build_ahead(settings, registry, [(loaded, content)]) == {}


def test_a_file_whose_bytes_the_run_let_go_is_answered_from_the_archive(
        settings, registry, sessions):
    # a streamed month lets each loaded batch's bytes go: its answer is built from the
    # archived file, the same workbook as from the bytes held
    Warehouse.of(settings).ready(registry)
    content = cell_workbook("BL01")
    wrong = Finding("R03", "DanhSach", 8, "F", "Giới tính «Nm» không đúng danh mục.")
    submission = load(sessions, settings.archive, content, findings=(wrong,)).submission_id
    held = build_ahead(settings, registry, [(submission, content)])[submission].content
    folder = DistrictLevel.of(settings, registry).connectors()["folder"]
    [where] = send_answers(settings, registry, [(folder, _incoming(b"", "BL01"), submission)])
    assert isinstance(where, Path)
    assert where.read_bytes() == held
    assert "Giới tính «Nm» không đúng danh mục." in _findings_sheet(where)
