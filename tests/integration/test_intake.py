"""Intake on arrival: each file is read, checked, loaded and answered as it arrives, with
the month's own rules; the month's reports are those of a single run after the deadline."""

from __future__ import annotations

import pytest
from factories import make_header, make_rejected_bl02, make_workbook
from inbox_files import drop

from core.settings import Settings
from flows.intake import intake
from flows.monthly import monthly_consolidation

pytestmark = pytest.mark.usefixtures("prefect_server")

PERIOD = "2024-03"
BL04 = make_workbook(header=make_header("BL04", unit_name="Chi bộ Trường THCS-THPT Lộc Bắc"))


def _first_wave(settings: Settings) -> None:
    drop(settings, "BL01", "BL01_2024-03.xlsx", make_workbook(), day=10)
    drop(settings, "BL02", "BL02_2024-03.xlsx", make_rejected_bl02(), day=12)


def _second_wave(settings: Settings) -> None:
    # BL02 corrects its file before the deadline; BL04 is late
    drop(settings, "BL02", "BL02_2024-03_sua.xlsx",
         make_workbook(header=make_header("BL02", unit_name="Chi bộ Trường THPT Lộc An")),
         day=24)
    drop(settings, "BL04", "BL04_2024-03.xlsx", BL04, day=27)


@pytest.mark.both_databases
def test_intake_answers_each_file_as_it_arrives_and_writes_no_report(settings):
    _first_wave(settings)
    first = intake(settings)
    verdicts = {r.unit: (r.status, r.errors, r.period) for r in first.rows}
    assert verdicts == {"BL01": ("accepted", 0, PERIOD), "BL02": ("rejected", 1, PERIOD)}
    # no F06: each file is checked as its own month's run would check it
    assert not [f for f in first.findings if f.rule_id == "F06"]
    answered = sorted(p.name for p in settings.outbox.rglob("*.xlsx"))
    assert len(answered) == 2 and all("KetQuaKiemTra" in name for name in answered)
    assert not list(settings.inbox.rglob("*.xlsx"))  # taken out of the inbox once answered
    assert not settings.reports.exists()  # the month's reports wait for the consolidation

    _second_wave(settings)
    second = intake(settings)
    assert {r.unit: (r.status, r.version) for r in second.rows} == {
        "BL02": ("accepted", 2), "BL04": ("accepted", 1)}
    assert intake(settings).rows == []  # nothing new: nothing read, nothing answered again


def test_the_months_reports_after_intake_are_those_of_one_run_over_the_same_files(tmp_path):
    through_intake = Settings(data_dir=tmp_path / "intake", pid_hash_key="test-key")
    _first_wave(through_intake)
    intake(through_intake)
    _second_wave(through_intake)
    intake(through_intake)
    after_intake = monthly_consolidation(PERIOD, through_intake)

    all_at_once = Settings(data_dir=tmp_path / "monthly", pid_hash_key="test-key")
    _first_wave(all_at_once)
    _second_wave(all_at_once)
    one_run = monthly_consolidation(PERIOD, all_at_once)

    assert after_intake.rows == []  # intake had taken every file
    assert after_intake.missing == one_run.missing == ["BL03"]
    assert [(s.unit.code, s.accepted, s.on_time, s.version) for s in after_intake.statuses] \
        == [(s.unit.code, s.accepted, s.on_time, s.version) for s in one_run.statuses]
    assert after_intake.export_csv.read_bytes() == one_run.export_csv.read_bytes()
    assert after_intake.report.read_bytes() == one_run.report.read_bytes()


def test_cellreports_intake_takes_in_what_has_arrived_and_says_so(tmp_path):
    from typer.testing import CliRunner

    from cellreports.cli import app

    runner = CliRunner()
    settings = Settings(data_dir=tmp_path / "var", pid_hash_key="test-key")
    _first_wave(settings)
    args = ["intake", "--data-dir", str(settings.data_dir)]
    env = {"CELLREPORTS_PID_HASH_KEY": "test-key"}
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert "BL01_2024-03.xlsx" in result.output and "accepted" in result.output
    assert "BL02_2024-03.xlsx" in result.output and "rejected" in result.output
    assert "Feedback files:" in result.output
    again = runner.invoke(app, args, env=env)
    assert again.exit_code == 0 and "Nothing has arrived." in again.output
