"""Whole runs in real subprocesses: killed at chosen points, started twice at once, or
facing an unreachable database — on SQLite and on the real PostgreSQL.

Each run of the flow is a process of its own, forked by tests/flow_driver.py's fork server
(its modules imported once for the module, not seconds again for every run): killed by
SIGKILL at its statement, it dies as abruptly as a freshly started driver would. What a
killed run must come back to is a clean run of the same month: one per database, run in
this process (the same flow, the same files) and shared by the kill points. The CLI facing
an unreachable database is `cellreports run` started as a user starts it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from factories import make_header, make_roster, make_summary, make_workbook
from fork_server import Forks, Run, fork_server
from pg_databases import postgres_databases
from warehouse_snapshot import Snapshot, snapshot

from core.settings import Settings
from warehouse.db import make_engine
from warehouse.runlock import run_lock

ROOT = Path(__file__).resolve().parents[2]
DRIVER = ROOT / "tests" / "flow_driver.py"
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
PERIOD = "2024-03"
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:9/nowhere?connect_timeout=2"


@pytest.fixture
def prefect_api(prefect_server: None) -> str:
    """The worker's temporary Prefect server (tests/conftest.py), for a subprocess that
    would start its own."""
    from prefect.settings import PREFECT_API_URL

    return str(PREFECT_API_URL.value())


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


@pytest.fixture(scope="module")
def forks(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Forks]:
    """tests/flow_driver.py --serve, started once for the module (on the worker's Prefect
    server, with the drivers' environment)."""
    from prefect.settings import PREFECT_API_URL

    with fork_server([sys.executable, str(DRIVER), "--serve"],
                     tmp_path_factory.mktemp("driver-runs"),
                     env=_env(str(PREFECT_API_URL.value()))) as running:
        yield running


def _drive(data_dir: Path, url: str, forks: Forks, *kill: str) -> Run:
    """A driver run to its end (or its death)."""
    return forks.run(str(data_dir), url, PERIOD, *kill)


def _outputs(data_dir: Path) -> dict[str, object]:
    """What a run leaves for people: feedback names, report bytes, the inbox."""
    return {
        "outbox": sorted(p.relative_to(data_dir / "outbox").as_posix()
                         for p in (data_dir / "outbox").rglob("*.xlsx")),
        "reports": {p.name: p.read_bytes() for p in (data_dir / "reports" / PERIOD).glob("*")},
        "inbox": sorted(p.name for p in (data_dir / "inbox").rglob("*.xlsx")),
    }


@pytest.fixture(scope="module")
def clean_month(prefect_server: None, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[Callable[[str | None], tuple[Snapshot, dict[str, object]]]]:
    """``clean(admin_url)``: the warehouse and the outputs a run of the month leaves when
    nothing stops it, on a fresh SQLite warehouse (``None``) or a fresh database of the
    PostgreSQL server at ``admin_url``. It is the flow the driver runs
    (flows.monthly.monthly_consolidation, the same settings and files), run once per kind in
    this process on the worker's Prefect server; every kill point compares with it."""
    from flows.monthly import monthly_consolidation

    made: dict[str, tuple[Snapshot, dict[str, object]]] = {}
    with ExitStack() as stack:
        def clean(admin_url: str | None) -> tuple[Snapshot, dict[str, object]]:
            kind = "postgresql" if admin_url else "sqlite"
            if kind not in made:
                data_dir = tmp_path_factory.mktemp(f"clean-{kind}")
                url = f"sqlite:///{data_dir / 'warehouse.sqlite'}"
                if admin_url:
                    url = stack.enter_context(postgres_databases(admin_url, "clean"))("month")
                _inbox(data_dir)
                monthly_consolidation(PERIOD, Settings(data_dir=data_dir, warehouse_url=url,
                                                       pid_hash_key="test-key"))
                made[kind] = snapshot(url), _outputs(data_dir)
            return made[kind]

        yield clean


# point -> (statement, its occurrence, are the files still in the inbox after the kill)
KILL_POINTS = {
    "while loading a roster": ("INSERT INTO roster_facts", 3, True),
    "after the first feedback was sent": ("UPDATE submissions SET feedback_sent_at", 1, True),
    "while recording the report": ("INSERT INTO report_builds", 2, False),
}


@pytest.mark.both_databases
@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_run_killed_at_any_step_is_finished_by_the_next_run(point, tmp_path, warehouse_url,
                                                             forks, clean_month, request):
    on_postgres = warehouse_url.startswith("postgresql")
    expected_warehouse, expected_outputs = clean_month(
        request.getfixturevalue("postgres_server") if on_postgres else None)
    assert len(expected_outputs["outbox"]) == 4 and expected_outputs["inbox"] == []
    data_dir = tmp_path / "killed"
    _inbox(data_dir)
    statement, count, kept = KILL_POINTS[point]
    killed = _drive(data_dir, warehouse_url, forks, "--kill-on", statement,
                    "--count", str(count))
    assert killed.poll() == -signal.SIGKILL, killed.stderr[-3000:]
    # files leave the inbox only once loaded and answered: before the report step
    assert bool(_outputs(data_dir)["inbox"]) == kept
    again = _drive(data_dir, warehouse_url, forks)
    assert again.poll() == 0, again.stderr[-3000:]
    assert snapshot(warehouse_url) == expected_warehouse
    assert _outputs(data_dir) == expected_outputs


@pytest.mark.both_databases
def test_two_runs_started_at_once_load_each_file_exactly_once(tmp_path, warehouse_url,
                                                               forks):
    data_dir = tmp_path / "var"
    _inbox(data_dir)
    runs = [forks.start(str(data_dir), warehouse_url, PERIOD) for _ in range(2)]
    codes = [run.wait() for run in runs]
    outputs = [(run.stdout, run.stderr) for run in runs]
    assert codes == [0, 0], outputs
    state = snapshot(warehouse_url)
    assert len(state["submissions"]) == 4
    assert sorted(dict(r)["status"] for r in state["submissions"]) == [
        "accepted", "accepted", "accepted", "rejected"]
    assert "failed" not in "".join(out for out, _err in outputs)
    assert len(list((data_dir / "outbox").rglob("*.xlsx"))) == 4


@pytest.mark.both_databases
def test_a_run_waits_while_another_holds_the_warehouse(tmp_path, warehouse_url, forks):
    data_dir = tmp_path / "var"
    _inbox(data_dir)
    engine = make_engine(warehouse_url)
    with run_lock(engine, "monthly-BL"):
        run = forks.start(str(data_dir), warehouse_url, PERIOD)
        # the run says it waits for the lock (its start takes seconds, more on a busy
        # machine), and still waits a while later (the lock is tried every 0.5 s:
        # warehouse.runlock.POLL_SECONDS) with nothing loaded
        deadline = time.monotonic() + 240
        while "waiting for it to finish" not in run.stderr and run.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.2)
        said_so = "waiting for it to finish" in run.stderr
        time.sleep(3)
        still_waiting = run.poll() is None
        nothing_loaded = not snapshot(warehouse_url)["submissions"]
    code = run.wait()
    engine.dispose()
    assert said_so and still_waiting and nothing_loaded, run.stderr[-3000:]
    assert code == 0, run.stderr[-3000:]
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
