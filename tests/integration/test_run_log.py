"""What a run tells in Prefect (issue 16): its log lines in plain words, its name, the events
the district must act on, and parameters that never hold the settings. In-process, on the
session's temporary Prefect server; tests/e2e/test_schedule.py reads the same from a real
`prefect server start` through `cellreports serve`.

The settings here are SQLite only: what is logged and emitted does not depend on the
warehouse's database (the flow itself runs on both in test_monthly_flow.py)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from factories import make_rejected_bl02, make_roster, make_workbook
from inbox_files import drop

from core.settings import SETTINGS_NOT_SENT, Settings

# imported before any test adds its handlers: importing the flows (great_expectations among
# their imports) configures logging anew
from flows import monthly, walk
from flows.monthly import monthly_consolidation
from flows.reminders import send_reminders

pytestmark = pytest.mark.usefixtures("prefect_server")

FLOW_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", pid_hash_key="test-key",
                    warehouse_url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}")


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def messages(self, level: int = logging.INFO) -> list[str]:
        return [r.getMessage() for r in self.records if r.levelno >= level]


@pytest.fixture
def run_log() -> Iterator[Lines]:
    """Every INFO line the flows log through Prefect's run loggers (the lines the dashboard
    and `cellreports serve` show; the session runs Prefect at WARNING otherwise)."""
    lines = Lines()
    saved = {}
    for name in FLOW_LOGGERS:
        logger = logging.getLogger(name)
        saved[name] = logger.level
        logger.setLevel(logging.INFO)
        logger.addHandler(lines)
    try:
        yield lines
    finally:
        for name in FLOW_LOGGERS:
            logging.getLogger(name).removeHandler(lines)
            logging.getLogger(name).setLevel(saved[name])


@pytest.fixture
def emitted(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The events the flows emit, as they hand them to Prefect (flows.events.emit)."""
    from flows import events

    sent: list[dict[str, Any]] = []

    def record(**event: Any) -> None:
        sent.append(event)

    monkeypatch.setattr(events, "emit_event", record)
    return sent


@pytest.fixture
def month(settings: Settings) -> Settings:
    drop(settings, "BL01", "BL01_2024-03.xlsx", make_workbook())
    drop(settings, "BL02", "BL02_2024-03.xlsx", make_rejected_bl02())
    return settings


def _personal(roster_rows: list[Any]) -> set[str]:
    """The roster's names and identification numbers: never in a log line or an event."""
    return {value for row in roster_rows for value in (row.full_name, row.pid, row.helper_1)
            if value}


def test_a_run_says_what_it_received_judged_wrote_and_sent(month, run_log):
    summary = monthly_consolidation("2024-03", month)
    lines = run_log.messages()
    bl01 = next(r for r in summary.rows if r.unit == "BL01")
    bl02 = next(r for r in summary.rows if r.unit == "BL02")
    assert (bl02.status, bl02.errors) == ("rejected", 1)
    expected = [
        "consolidating 2024-03 (the month asked for)",
        f"received 2 files via the folder inbox ({month.inbox.resolve()})",
        f"BL01 BL01_2024-03.xlsx: accepted, 0 errors, {bl01.warnings} warnings (v1)"
        .replace("1 warnings", "1 warning"),
        f"BL02 BL02_2024-03.xlsx: rejected, 1 error, {bl02.warnings} warnings (v1)"
        .replace("1 warnings", "1 warning"),
        f"sent the feedback on BL01_2024-03.xlsx to {bl01.feedback}",
        f"sent the feedback on BL02_2024-03.xlsx to {bl02.feedback}",
        f"wrote the district report to {summary.report}",
        f"wrote the upward data file to {summary.export_csv} (and .json)",
        "2024-03: 1 of 4 cells accepted, 1 rejected, 2 sent nothing; without an accepted "
        "report: BL02, BL03, BL04 (deadline 25/03/2024, passed)",
    ]
    for line in expected:
        assert line in lines, f"{line!r} not among:\n" + "\n".join(lines)
    # in this order: what came in, the verdicts, what was sent, what was written, the month
    positions = [lines.index(line) for line in expected]
    assert positions == sorted(positions)
    # nothing of a run that went well is a WARNING (an incomplete month is an event)
    assert run_log.messages(logging.WARNING) == []
    # the roster's people are nowhere in the log
    everything = "\n".join(run_log.messages(logging.DEBUG))
    for text in _personal(make_roster()):
        assert text not in everything


def test_a_run_emits_the_events_the_district_must_act_on(month, emitted):
    monthly_consolidation("2024-03", month)
    by_name: dict[str, list[dict[str, Any]]] = {}
    for event in emitted:
        by_name.setdefault(event["event"], []).append(event)
    assert set(by_name) == {"cellreports.file.rejected", "cellreports.month.consolidated",
                            "cellreports.month.incomplete"}
    [rejected] = by_name["cellreports.file.rejected"]
    assert rejected["resource"]["prefect.resource.id"].startswith("cellreports.submission.")
    assert rejected["resource"]["prefect.resource.name"] == "BL02 2024-03 v1"
    assert rejected["payload"] == {"unit": "BL02", "period": "2024-03", "version": 1,
                                   "channel": "folder", "errors": 1,
                                   "warnings": rejected["payload"]["warnings"],
                                   "rules": rejected["payload"]["rules"]}
    assert rejected["payload"]["rules"] and all(r[0] in "FRH" for r in
                                                rejected["payload"]["rules"])
    assert {r["prefect.resource.id"] for r in rejected["related"]} == {
        "cellreports.month.BL.2024-03", "cellreports.unit.BL02"}
    [incomplete] = by_name["cellreports.month.incomplete"]
    assert incomplete["resource"]["prefect.resource.id"] == "cellreports.month.BL.2024-03"
    assert incomplete["payload"] == {
        "unit": "BL", "period": "2024-03", "expected": 4, "accepted": 1, "rejected": 1,
        "missing": 2, "without_accepted_report": ["BL02", "BL03", "BL04"],
        "deadline": "2024-03-25", "deadline_passed": True, "files_received": 2,
        "files_rejected": 1}
    # no file name, no person: unit codes, counts and rule ids only
    text = repr(emitted)
    assert "xlsx" not in text
    for personal in _personal(make_roster()):
        assert personal not in text


def test_before_the_deadline_an_incomplete_month_is_no_alert(month, emitted, monkeypatch):
    real = walk.datetime

    class March20(real):  # type: ignore[misc, valid-type]
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def]
            return real(2024, 3, 20, 12, tzinfo=tz)

    monkeypatch.setattr(walk, "datetime", March20)
    monthly.monthly_consolidation("2024-03", month)
    names = [e["event"] for e in emitted]
    assert "cellreports.month.incomplete" not in names
    [consolidated] = [e for e in emitted if e["event"] == "cellreports.month.consolidated"]
    assert consolidated["payload"]["deadline_passed"] is False


def test_feedback_that_cannot_be_delivered_is_reported_and_sent_by_the_next_run(
        month, run_log, emitted):
    # BL01's outbox folder cannot be made (a file of that name is in the way)
    month.outbox.mkdir(parents=True)
    (month.outbox / "BL01").write_text("in the way")
    summary = monthly_consolidation("2024-03", month)
    bl01 = next(r for r in summary.rows if r.unit == "BL01")
    assert bl01.status == "accepted" and str(bl01.feedback).startswith("not sent (")
    warnings = run_log.messages(logging.WARNING)
    assert any(w.startswith("could not send the feedback on BL01_2024-03.xlsx (BL01): ")
               and w.endswith("the file stays in the inbox and the next run sends it")
               for w in warnings), warnings
    [failed] = [e for e in emitted if e["event"] == "cellreports.feedback.failed"]
    assert failed["payload"]["unit"] == "BL01" and failed["payload"]["period"] == "2024-03"
    assert failed["payload"]["error"] in {"NotADirectoryError", "FileExistsError"}
    # BL02's feedback went; the reports were written all the same
    assert summary.report is not None and summary.report.is_file()
    assert [p.name for p in (month.inbox / "BL01").iterdir()] == ["BL01_2024-03.xlsx"]
    assert not list((month.inbox / "BL02").iterdir())

    (month.outbox / "BL01").unlink()
    again = monthly_consolidation("2024-03", month)
    assert any(line.startswith("sent the feedback on BL01_2024-03.xlsx to ")
               for line in run_log.messages())
    assert next(r for r in again.rows if r.unit == "BL01").status == "unchanged (accepted)"
    assert [p.name for p in (month.outbox / "BL01").iterdir()] == [
        "BL01_2024-03_KetQuaKiemTra.xlsx"]
    assert not list((month.inbox / "BL01").iterdir())


def test_the_run_is_named_after_its_unit_and_month_and_keeps_no_settings(tmp_path):
    from prefect.client.orchestration import get_client

    from flows.monthly import monthly_consolidation

    secret = Settings(data_dir=tmp_path / "var", pid_hash_key="key-that-must-not-travel",
                      warehouse_url=f"sqlite:///{tmp_path / 'warehouse.sqlite'}",
                      smtp_password="smtp-password-that-must-not-travel")
    state = monthly_consolidation("2024-03", secret, return_state=True)
    reminded = send_reminders(date(2024, 3, 10), secret, return_state=True)
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
        reminders_run = client.read_flow_run(reminded.state_details.flow_run_id)
    assert run.name == "monthly-BL-2024-03"
    assert run.parameters == {"period": "2024-03", "settings": SETTINGS_NOT_SENT}
    assert reminders_run.name == "reminders-BL-2024-03-10"
    assert reminders_run.parameters["settings"] == SETTINGS_NOT_SENT
    assert "must-not-travel" not in repr(run) + repr(reminders_run)


def test_the_reminders_leave_a_table_and_a_log_of_whom_they_reminded_and_escalated(
        settings, run_log, tmp_path):
    import json

    from prefect.artifacts import Artifact
    from warehouse_factories import cell_workbook, load

    from warehouse.db import make_engine, session_factory, upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    load(session_factory(engine), tmp_path / "archive", cell_workbook("BL01", "2024-03"),
         day=20)
    engine.dispose()

    send_reminders(date(2024, 3, 23), settings)
    lines = run_log.messages()
    assert "2024-03: deadline 25/03/2024, 2 days left; 3 cells without an accepted report: " \
           "BL02, BL03, BL04" in lines
    for unit in ("BL02", "BL03", "BL04"):
        note = next(settings.outbox.joinpath(unit).glob("*.txt"))
        assert f"reminded {unit}: {note}" in lines
    send_reminders(date(2024, 3, 27), settings)
    lines = run_log.messages()
    assert ("2024-03: the deadline 25/03/2024 has passed; 3 cells without an accepted "
            "report: BL02, BL03, BL04") in lines
    assert any(line.startswith("sent the officer the list of cells without an accepted "
                               f"report: {settings.outbox / '_huyen'}") for line in lines)
    assert any(line.startswith("escalated the list of cells without an accepted report to "
                               f"LD: {settings.outbox / 'LD'}") for line in lines)
    artifact = Artifact.get("reminders-2024-03")
    assert artifact is not None and artifact.type == "table"
    rows = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
    assert [(r["notice"], r["unit"], r["sent"]) for r in rows] == [
        ("missing list", "BL", "now"), ("escalation", "LD", "now")]
    # the same day again: nothing new, and the log says they went earlier
    send_reminders(date(2024, 3, 27), settings)
    assert any(line.startswith("escalated the list of cells without an accepted report to "
                               "LD earlier (each notice goes once): ")
               for line in run_log.messages())
