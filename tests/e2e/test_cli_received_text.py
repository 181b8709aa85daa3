"""Text received from outside (a person's name in a roster, a file's name, who approved)
never reaches the terminal with its control or bidi characters: an ESC sequence in a
workbook cannot recolour, retitle or clear the officer's terminal, and U+202E cannot make a
name read backwards (in-process CLI on a warehouse holding such names)."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warehouse_factories import KEY, cell_workbook

from cellreports.cli import app
from core.kinds import CELL_REPORT
from core.registry import Registry
from forms.reader import read_cell_report
from warehouse.approval import approve
from warehouse.archive import Archive
from warehouse.db import make_engine, session_factory, upgrade
from warehouse.load import SubmissionRecord, load_submission, sync_registry

runner = CliRunner()
# SGR red, an OSC window title ended by BEL, a screen clear, a right-to-left override
NAME = "Nguyễn \x1b[31mĐỏ\x1b[0m Lan\x1b]0;pwned\x07 \u202enaV\u202c"
FILE = "BL01_2024-03\x1b[2J\u202exslx.exe\u202c.xlsx"
ACTOR = "Trần \x1b[5mB\x1b[0m\u2067"


def _unsafe(output: str) -> list[str]:
    """Control (but the line ends the CLI itself prints) and format (bidi) characters."""
    return [f"U+{ord(ch):04X}" for ch in output
            if unicodedata.category(ch) in ("Cc", "Cf") and ch != "\n"]


def _load(sessions, archive: Path, content: bytes, day: int) -> None:  # type: ignore[no-untyped-def]
    """One version of BL01's March, every roster name and the file name hostile."""
    report = read_cell_report(content)
    report = replace(report, roster=[replace(row, full_name=NAME) for row in report.roster])
    record = SubmissionRecord(
        stored=Archive(archive).store(content), filename=FILE, channel="folder",
        sender="BL01", received_at=datetime(2024, 3, day, 9, tzinfo=UTC), kind=CELL_REPORT,
        unit_code="BL01", period="2024-03", report=report, findings=[])
    with sessions() as session:
        load_submission(session, record, KEY)


@pytest.fixture
def data_dir(tmp_path: Path, registry: Registry) -> Path:
    """A warehouse with two versions of BL01's March (a figure changed) and an approval."""
    data = tmp_path / "var"
    engine = make_engine(f"sqlite:///{data / 'warehouse.sqlite'}")
    upgrade(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        sync_registry(session, registry)
    _load(sessions, tmp_path / "archive", cell_workbook(), day=20)
    _load(sessions, tmp_path / "archive", cell_workbook(stages=(1, 2, 3, 4, 5, 6, 7, 7)),
          day=22)
    with sessions() as session:
        approve(session, "BL", "2024-03", ACTOR)
    engine.dispose()
    return data


def _cli(*args: str) -> str:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_explain_shows_roster_names_and_file_names_without_control_characters(data_dir):
    shown = _cli("explain", "--period", "2024-03", "--indicator", "TH14", "--unit", "BL01",
                 "--data-dir", str(data_dir))
    assert "stage 7" in shown
    assert "Nguyễn [31mĐỏ[0m Lan]0;pwned naV" in shown  # readable, nothing hidden in it
    assert _unsafe(shown) == []


def test_history_and_periods_show_file_names_and_actors_without_control_characters(
        data_dir):
    history = _cli("history", "--period", "2024-03", "--data-dir", str(data_dir))
    assert "BL01_2024-03[2Jxslx.exe.xlsx" in history and "approved by Trần [5mB[0m" in history
    assert _unsafe(history) == []
    periods = _cli("periods", "--data-dir", str(data_dir))
    assert "Trần [5mB[0m" in periods
    assert _unsafe(periods) == []
