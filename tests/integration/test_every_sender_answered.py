"""No answer lost: every submission gets a feedback file of its own that the warehouse
points at; the same bytes from two senders are two submissions, each answered; whatever
the inbox passes over is listed in the run summary; a roster over the cap is refused
before validation. Through the monthly flow on SQLite; the two whose warehouse rows
matter (long and odd names in its columns, the same bytes under two senders) on PostgreSQL
too."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import make_header, make_roster, make_summary, make_workbook
from inbox_files import drop
from openpyxl import load_workbook
from sqlalchemy import select

from connectors.folder_inbox import LOCK_FILE, SYMLINK
from core.settings import DEFAULT_RULES
from warehouse import models as m
from warehouse.db import make_engine, session_factory

pytestmark = pytest.mark.usefixtures("prefect_server")

LONG = "Bao cao thang 3 cua chi bo truong trung hoc pho thong " * 4  # > the 150 name cap


def _workbook(people: int) -> bytes:
    """BL01's report with ``people`` on its roster (so different bytes for each)."""
    roster = make_roster(tuple([1] * people))
    return make_workbook(roster=roster, summary=make_summary(roster))


def _submissions(settings) -> list[m.Submission]:  # type: ignore[no-untyped-def]
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        found = list(session.scalars(select(m.Submission).order_by(m.Submission.id)))
    engine.dispose()
    return found


@pytest.mark.both_databases
def test_colliding_names_each_get_their_own_feedback_file(settings):
    """The same stem as .xlsx and .xls, names the sanitiser maps to one, long names
    sharing their first 150 characters, and our own feedback sent back in: every one of
    them is answered in a file of its own, and «sent» points at a file that exists."""
    from flows.monthly import monthly_consolidation

    names = ["BL01.xlsx", "BL01.xls", "BL01:a.xlsx", "BL01?a.xlsx", f"{LONG}1.xlsx",
             f"{LONG}2.xlsx", "BL01_KetQuaKiemTra.xlsx", "BL01_KetQuaKiemTra_lan2.xlsx"]
    for n, name in enumerate(names):
        drop(settings, "BL01", name, _workbook(n + 1), day=10 + n)
    summary = monthly_consolidation("2024-03", settings)
    assert len(summary.rows) == len(names)
    sent = [s for s in _submissions(settings) if s.feedback_sent_at is not None]
    assert len(sent) == len(names)
    paths = [Path(s.feedback_path) for s in sent]
    assert len(set(paths)) == len(names)
    for path in paths:
        assert path.is_file() and path.parent == settings.outbox / "BL01"
        assert "_KetQuaKiemTra" in path.name and path.suffix == ".xlsx"
        assert "_KetQuaKiemTra_KetQuaKiemTra" not in path.name
        assert len(path.name) <= 150
    assert len(list((settings.outbox / "BL01").iterdir())) == len(names)
    # each file is its own submission's answer: the findings sheet names its file
    for submission in sent:
        first = load_workbook(submission.feedback_path, read_only=True).worksheets[0]
        cells = [str(c) for row in first.iter_rows(values_only=True) for c in row if c]
        assert any(submission.filename in c for c in cells), submission.filename


@pytest.mark.both_databases
def test_the_same_bytes_from_two_senders_are_two_submissions_each_answered(settings):
    from flows.monthly import monthly_consolidation

    content = make_workbook()  # BL01's report
    drop(settings, "BL01", "BL01_2024-03.xlsx", content)
    drop(settings, "BL02", "BL01_2024-03.xlsx", content, day=21)  # sent from BL02's folder
    for cell in ("BL02", "BL03", "BL04"):
        drop(settings, cell, "trong.xlsx", b"", day=22)
    summary = monthly_consolidation("2024-03", settings)
    statuses = sorted((r.filename, r.status) for r in summary.rows)
    assert statuses == [("BL01_2024-03.xlsx", "accepted"), ("BL01_2024-03.xlsx", "rejected"),
                        ("trong.xlsx", "rejected"), ("trong.xlsx", "rejected"),
                        ("trong.xlsx", "rejected")]
    submissions = _submissions(settings)
    assert len(submissions) == 5
    by_sender = {(s.sender, s.filename): s for s in submissions}
    assert by_sender[("BL01", "BL01_2024-03.xlsx")].status == "accepted"
    assert by_sender[("BL02", "BL01_2024-03.xlsx")].status == "rejected"
    for submission in submissions:
        assert submission.feedback_sent_at is not None
        assert Path(submission.feedback_path).parent == settings.outbox / submission.sender
        assert Path(submission.feedback_path).is_file()
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        rules = set(session.scalars(select(m.Finding.rule_id).where(
            m.Finding.submission_id == by_sender[("BL02", "BL01_2024-03.xlsx")].id)))
    engine.dispose()
    assert "F05" in rules  # BL02's folder may not send for BL01
    assert not any(settings.inbox.rglob("*.xlsx"))
    # the next run: every copy is known, from its own sender, and nothing is loaded again
    for cell in ("BL01", "BL02"):
        drop(settings, cell, "lai.xlsx", content, day=23)
    again = monthly_consolidation("2024-03", settings)
    assert sorted(r.status for r in again.rows) == ["unchanged (accepted)",
                                                    "unchanged (rejected)"]
    assert len(_submissions(settings)) == 5


def test_what_the_inbox_passes_over_is_listed_in_the_run_summary(settings, tmp_path):
    from flows.monthly import monthly_consolidation

    drop(settings, "BL01", ".BL01_2024-03.xlsx", make_workbook())
    drop(settings, "BL01", "~$BL01_2024-03.xlsx", b"owner")
    secret = tmp_path / "passwd"
    secret.write_bytes(b"root:x:0:0:root:/root:/bin/bash")
    (settings.inbox / "BL02").mkdir(parents=True)
    (settings.inbox / "BL02" / "BL02_2024-03.xlsx").symlink_to(secret)
    summary = monthly_consolidation("2024-03", settings)
    assert [(r.filename, r.status) for r in summary.rows] == [(".BL01_2024-03.xlsx",
                                                              "accepted")]
    assert sorted((s.name, s.reason) for s in summary.skipped) == [
        ("BL01/~$BL01_2024-03.xlsx", LOCK_FILE), ("BL02/BL02_2024-03.xlsx", SYMLINK)]
    archived = [p.read_bytes() for p in settings.archive.rglob("*") if p.is_file()]
    assert secret.read_bytes() not in archived


def test_a_roster_over_the_cap_is_refused_before_validation(settings, tmp_path):
    from flows.monthly import monthly_consolidation

    rules = tmp_path / "limits.csv"
    rules.write_text(DEFAULT_RULES.read_text(encoding="utf-8").replace(
        "max_roster_rows,500,", "max_roster_rows,5,"), encoding="utf-8")
    settings = settings.model_copy(update={"rules_file": rules})
    roster = make_roster((1, 1, 1, 1, 1, 1))
    drop(settings, "BL01", "BL01_2024-03.xlsx",
         make_workbook(roster=roster, summary=make_summary(roster)))
    drop(settings, "BL02", "BL02_2024-03.xlsx", make_workbook(
        header=make_header("BL02", unit_name="Chi bộ Trường THPT Lộc An"),
        roster=roster[:5], summary=make_summary(roster[:5])))
    summary = monthly_consolidation("2024-03", settings)
    by_file = {r.filename: r.status for r in summary.rows}
    assert by_file == {"BL01_2024-03.xlsx": "rejected", "BL02_2024-03.xlsx": "accepted"}
    [refused] = [f for f in summary.findings if f.rule_id == "F11"]
    assert refused.is_error and "hơn 5 người" in refused.message
    feedback = next((settings.outbox / "BL01").iterdir())
    assert load_workbook(feedback, read_only=True).sheetnames == ["KetQuaKiemTra"]


def _month_of_answers(settings) -> None:  # type: ignore[no-untyped-def]
    """Four cells, each with a clean report and then a correction with a wrong count."""
    cells = {"BL01": "Chi bộ Trường THPT Bảo Lâm", "BL02": "Chi bộ Trường THPT Lộc An",
             "BL03": "Chi bộ Trường THPT Lộc Thành", "BL04": "Chi bộ Trường THCS-THPT Lộc Bắc"}
    for n, (code, name) in enumerate(cells.items()):
        roster = make_roster(tuple([1] * (n + 2)))
        header = make_header(code, unit_name=name)
        drop(settings, code, f"{code}_a.xlsx",
             make_workbook(header=header, roster=roster, summary=make_summary(roster)), day=10)
        drop(settings, code, f"{code}_b.xlsx",
             make_workbook(header=header, roster=roster, summary=make_summary(roster[:1])),
             day=11)


def test_feedback_built_on_worker_processes_is_what_this_process_builds(settings, tmp_path,
                                                                        monkeypatch):
    """The month's feedback workbooks built on two worker processes (services.workers) are
    byte for byte those built in the run's own process, under the same names, each
    recorded as sent; accepted and turned-back files alike."""
    from flows.monthly import monthly_consolidation

    monkeypatch.setattr("services.workers.MIN_ITEMS", 1)
    outboxes = {}
    for workers in (1, 2):
        run = settings.model_copy(update={
            "data_dir": tmp_path / f"w{workers}", "cpu_workers": workers,
            "warehouse_url": f"sqlite:///{tmp_path / f'w{workers}.sqlite'}"})
        _month_of_answers(run)
        summary = monthly_consolidation("2024-03", run)
        assert sorted(r.status for r in summary.rows).count("rejected") == 4
        assert all(s.feedback_sent_at is not None for s in _submissions(run))
        outboxes[workers] = {p.relative_to(run.outbox): p.read_bytes()
                             for p in run.outbox.rglob("*.xlsx")}
    assert len(outboxes[2]) == 8
    assert outboxes[2] == outboxes[1]
