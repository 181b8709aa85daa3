"""Whole runs in real subprocesses: killed at chosen points, started twice at once, or
facing an unreachable database — on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from factories import make_header, make_roster, make_summary, make_workbook
from warehouse_snapshot import snapshot

from warehouse.db import make_engine
from warehouse.runlock import run_lock

ROOT = Path(__file__).resolve().parents[2]
DRIVER = ROOT / "tests" / "flow_driver.py"
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
PERIOD = "2024-03"
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2"


@pytest.fixture(scope="module")
def prefect_api() -> str:
    """One Prefect server for every subprocess of this module (each would start its own)."""
    from flows.quiet import quiet_prefect

    quiet_prefect()
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield PREFECT_API_URL.value()


def _people(k: int) -> list:  # type: ignore[type-arg]
    """Cell k's own candidates. (The same people in several cells would add H07 warnings,
    which compare a file with the rest of its batch and with accepted earlier loads: a run
    resumed after a crash sees the loaded part as history, not as batch.)"""
    return [replace(row, full_name=f"Trần Thị Mai {k}{row.stt}", pid=f"068205{k:02d}{i:04d}")
            for i, row in enumerate(make_roster(), start=1)]


def _inbox(data_dir: Path) -> list[Path]:
    """Four cells' workbooks for March, one of them with an error."""
    rosters = {unit: _people(k) for k, unit in enumerate(("BL01", "BL02", "BL03", "BL04"))}
    bl02 = rosters["BL02"]
    bad = replace(bl02[1], birth_date=None, invalid={"birth_date": "31/02/2007"})
    files = {unit: make_workbook(header=make_header(unit), roster=roster,
                                 summary=make_summary(roster))
             for unit, roster in rosters.items()}
    files["BL02"] = make_workbook(header=make_header("BL02"),
                                  roster=[bl02[0], bad, *bl02[2:]], summary=make_summary(bl02))
    paths = []
    for day, (unit, content) in enumerate(files.items(), start=18):
        path = data_dir / "inbox" / unit / f"{unit}_{PERIOD}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        moment = datetime(2024, 3, day, 9, tzinfo=LOCAL).timestamp()
        os.utime(path, (moment, moment))
        paths.append(path)
    return paths


def _env(api: str) -> dict[str, str]:
    # the driver logs warnings (the lock wait); importing cellreports.cli in this test
    # session may have set Prefect to CRITICAL for the CLI
    return {**os.environ, "PREFECT_API_URL": api, "PYTHONPATH": str(ROOT),
            "PREFECT_LOGGING_LEVEL": "WARNING"}


def _user_env(api: str, **extra: str) -> dict[str, str]:
    """As a user's shell has it: no Prefect logging level set by this test session."""
    env = {k: v for k, v in _env(api).items() if k != "PREFECT_LOGGING_LEVEL"}
    return {**env, **extra}


def _drive(data_dir: Path, url: str, api: str, *kill: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(DRIVER), str(data_dir), url, PERIOD, *kill],
                          capture_output=True, text=True, timeout=300, env=_env(api))


def _outputs(data_dir: Path) -> dict[str, object]:
    """What a run leaves for people: feedback names, report bytes, the inbox."""
    return {
        "outbox": sorted(p.relative_to(data_dir / "outbox").as_posix()
                         for p in (data_dir / "outbox").rglob("*.xlsx")),
        "reports": {p.name: p.read_bytes() for p in (data_dir / "reports" / PERIOD).glob("*")},
        "inbox": sorted(p.name for p in (data_dir / "inbox").rglob("*.xlsx")),
    }


@pytest.fixture
def clean_run(tmp_path, warehouse_url, prefect_api):
    data_dir = tmp_path / "clean"
    _inbox(data_dir)
    run = _drive(data_dir, warehouse_url, prefect_api)
    assert run.returncode == 0, run.stderr[-3000:]
    return data_dir


# point -> (statement, its occurrence, are the files still in the inbox after the kill)
KILL_POINTS = {
    "while loading a roster": ("INSERT INTO roster_facts", 3, True),
    "after the first feedback was sent": ("UPDATE submissions SET feedback_sent_at", 1, True),
    "while recording the report": ("INSERT INTO report_builds", 2, False),
}


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_run_killed_at_any_step_is_finished_by_the_next_run(point, tmp_path, warehouse_url,
                                                             prefect_api, postgres_server,
                                                             clean_run):
    expected_warehouse, expected_outputs = snapshot(warehouse_url), _outputs(clean_run)
    assert len(expected_outputs["outbox"]) == 4 and expected_outputs["inbox"] == []
    url = _fresh(warehouse_url, tmp_path, postgres_server)
    data_dir = tmp_path / "killed"
    _inbox(data_dir)
    statement, count, kept = KILL_POINTS[point]
    killed = _drive(data_dir, url, prefect_api, "--kill-on", statement, "--count", str(count))
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    # files leave the inbox only once loaded and answered: before the report step
    assert bool(_outputs(data_dir)["inbox"]) == kept
    again = _drive(data_dir, url, prefect_api)
    assert again.returncode == 0, again.stderr[-3000:]
    assert snapshot(url) == expected_warehouse
    assert _outputs(data_dir) == expected_outputs


def _fresh(warehouse_url: str, tmp_path: Path, admin_url: str) -> str:
    """A second empty warehouse of the same kind."""
    if warehouse_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'second.sqlite'}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(warehouse_url).database + "_b"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(warehouse_url).set(database=name).render_as_string(hide_password=False)


def test_two_runs_started_at_once_load_each_file_exactly_once(tmp_path, warehouse_url,
                                                               prefect_api):
    data_dir = tmp_path / "var"
    _inbox(data_dir)
    command = [sys.executable, str(DRIVER), str(data_dir), warehouse_url, PERIOD]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=_env(prefect_api)) for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    state = snapshot(warehouse_url)
    assert len(state["submissions"]) == 4
    assert sorted(dict(r)["status"] for r in state["submissions"]) == [
        "accepted", "accepted", "accepted", "rejected"]
    assert "failed" not in "".join(out for out, _err in outputs)
    assert len(list((data_dir / "outbox").rglob("*.xlsx"))) == 4


def test_a_run_waits_while_another_holds_the_warehouse(tmp_path, warehouse_url, prefect_api):
    data_dir = tmp_path / "var"
    _inbox(data_dir)
    engine = make_engine(warehouse_url)
    errors = tmp_path / "stderr.txt"
    with run_lock(engine, "monthly-BL"), errors.open("w") as stderr:
        run = subprocess.Popen([sys.executable, str(DRIVER), str(data_dir), warehouse_url,
                                PERIOD], stdout=subprocess.PIPE, stderr=stderr,
                               text=True, env=_env(prefect_api))
        # until the run says it waits (its start takes seconds, more on a busy machine)
        deadline = time.monotonic() + 240
        while "waiting for it to finish" not in errors.read_text() and run.poll() is None:
            assert time.monotonic() < deadline, errors.read_text()[-3000:]
            time.sleep(0.5)
        time.sleep(2)  # and it goes on waiting
        still_waiting = run.poll() is None
        nothing_loaded = not snapshot(warehouse_url)["submissions"]
    run.communicate(timeout=300)
    err = errors.read_text()
    engine.dispose()
    assert still_waiting and nothing_loaded, err[-3000:]
    assert run.returncode == 0, err[-3000:]
    assert "waiting for it to finish" in err
    assert len(snapshot(warehouse_url)["submissions"]) == 4


def test_an_unreachable_database_fails_clearly_and_leaves_the_inbox_untouched(tmp_path,
                                                                              prefect_api):
    data_dir = tmp_path / "var"
    files = _inbox(data_dir)
    run = subprocess.run(
        [sys.executable, "-m", "cellreports.cli", "run", "--period", PERIOD,
         "--data-dir", str(data_dir)], capture_output=True, text=True, timeout=300,
        env=_user_env(prefect_api, CELLREPORTS_WAREHOUSE_URL=UNREACHABLE, COLUMNS="200"))
    assert run.returncode == 3, run.stdout + run.stderr
    assert "The warehouse database cannot be reached" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert all(path.exists() for path in files)
    assert not (data_dir / "processed").exists() and not (data_dir / "outbox").exists()
