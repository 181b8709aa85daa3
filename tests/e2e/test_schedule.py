"""The schedule as a district runs it: a real `prefect server start`, `cellreports serve` in
its own process, the deployment's cron schedule as the server holds it, and a run triggered
through the Prefect API that writes the month's outputs and artifacts."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx
import pytest
from factories import make_workbook

from cellreports.settings import DEFAULT_RULES, Settings

BIN = Path(sys.executable).parent
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
TIMEOUT = 120  # seconds, for each thing waited for
DEPLOYMENT = "monthly-consolidation/BL"
CRON = "0 6 26 * *"  # the cells' deadline in config/rules/limits.csv is the 25th
PERIOD = "2024-03"

T = TypeVar("T")


@dataclass
class Process:
    popen: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _start(command: list[str], env: dict[str, str], log: Path, cwd: Path) -> Process:
    """A subprocess in its own process group (it starts children: server workers, runs)."""
    with log.open("wb") as out:
        popen = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
    return Process(popen, log)


def _stop(process: Process) -> None:
    if process.popen.poll() is not None:
        return
    for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.popen.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.popen.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _wait(what: str, probe: Callable[[], T | None], *watched: Process) -> T:
    """Poll ``probe`` until it gives a value; fail with the processes' output if one of them
    dies or TIMEOUT passes."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        found = probe()
        if found:
            return found
        dead = [p for p in watched if p.popen.poll() is not None]
        if dead or time.monotonic() > deadline:
            why = "a process exited" if dead else f"timed out after {TIMEOUT} s"
            logs = "\n".join(f"--- {p.log.name} ---\n{p.output()[-4000:]}" for p in watched)
            pytest.fail(f"waiting for {what}: {why}\n{logs}")
        time.sleep(0.25)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _clean_env(**extra: str) -> dict[str, str]:
    """The environment of a fresh shell: no Prefect or cellreports settings of this session."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PREFECT_", "CELLREPORTS_"))}
    return {**env, **extra}


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Process]]:
    """`prefect server start` as a district starts it: its own home and SQLite database."""
    home = tmp_path_factory.mktemp("prefect-server")
    port = _free_port()
    env = _clean_env(
        PREFECT_HOME=str(home),
        PREFECT_API_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{home / 'prefect.db'}",
        PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_UI_ENABLED="false")
    server = _start([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1",
                     "--port", str(port)], env, home / "server.log", home)
    url = f"http://127.0.0.1:{port}/api"
    try:
        _wait("the Prefect server's /api/health", lambda: _healthy(url), server)
        yield url, server
    finally:
        _stop(server)


@pytest.fixture
def client(prefect_server: tuple[str, Process]) -> Iterator[Any]:
    """A Prefect client of the test on that server (and run_deployment pointed at it)."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: prefect_server[0]}), \
            get_client(sync_client=True) as prefect_client:
        yield prefect_client


def _drop_workbook(data_dir: Path) -> Path:
    """BL01's March report, received on 20 March (before the deadline)."""
    path = data_dir / "inbox" / "BL01" / f"BL01_{PERIOD}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(make_workbook())
    moment = datetime(2024, 3, 20, 9, tzinfo=LOCAL).timestamp()
    os.utime(path, (moment, moment))
    return path


def _next_26th_6am(now: datetime) -> datetime:
    year, month = now.year, now.month
    while True:
        candidate = datetime(year, month, 26, 6, tzinfo=LOCAL)
        if candidate > now:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _read_deployment(client: Any, name: str = DEPLOYMENT) -> Any:
    from prefect.exceptions import ObjectNotFound

    try:
        return client.read_deployment_by_name(name)
    except ObjectNotFound:
        return None


def _scheduled_runs(client: Any, deployment_id: Any) -> list[Any]:
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterDeploymentId,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    return client.read_flow_runs(
        flow_run_filter=FlowRunFilter(
            deployment_id=FlowRunFilterDeploymentId(any_=[deployment_id]),
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))),
        sort=FlowRunSort.EXPECTED_START_TIME_ASC)


def test_served_deployment_runs_on_its_schedule_and_when_triggered(
        prefect_server: tuple[str, Process], client: Any, tmp_path: Path) -> None:
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.deployments import run_deployment

    url, server = prefect_server
    data_dir = tmp_path / "var"
    serve = _start([str(BIN / "cellreports"), "serve", "--data-dir", str(data_dir)],
                   _clean_env(PREFECT_API_URL=url, PREFECT_HOME=str(tmp_path / "prefect-home"),
                              CELLREPORTS_PID_HASH_KEY="test-key",
                              PREFECT_RUNNER_POLL_FREQUENCY="1"),
                   tmp_path / "serve.log", cwd=tmp_path)
    try:
        deployment = _wait("the deployment on the server", lambda: _read_deployment(client),
                           serve, server)
        # the schedule as the server holds it: monthly cron in Vietnam's time zone, active
        assert not deployment.paused
        assert deployment.parameters == {}
        assert deployment.entrypoint == "flows.runners.configured_monthly_consolidation"
        [schedule] = deployment.schedules
        assert schedule.active
        assert (schedule.schedule.cron, schedule.schedule.timezone) == (CRON, "Asia/Ho_Chi_Minh")
        # serve registers its two deployments one after the other: wait for the second too
        reminders = _wait("the reminders deployment", lambda: _read_deployment(
            client, "reminders/BL"), serve, server)
        assert reminders.entrypoint == "flows.reminders.send_reminders"
        [daily] = reminders.schedules
        assert (daily.schedule.cron, daily.schedule.timezone) == ("0 7 * * *",
                                                                  "Asia/Ho_Chi_Minh")
        printed = serve.output()
        assert f"Deployment:  {DEPLOYMENT}" in printed
        assert f"every month on day 26 at 06:00 Asia/Ho_Chi_Minh time (cron '{CRON}')" in printed
        assert f"next run:  {_next_26th_6am(datetime.now(LOCAL)):%Y-%m-%d 06:00 +07}" in printed
        assert f"Prefect API: {url}" in printed

        _drop_workbook(data_dir)
        run = run_deployment(DEPLOYMENT, parameters={"period": PERIOD}, timeout=0)

        def finished() -> Any:
            found = client.read_flow_run(run.id)
            return found if found.state and found.state.is_final() else None

        done = _wait("the triggered run to finish", finished, serve, server)
        assert done.state.is_completed(), f"{done.state}\n{serve.output()[-4000:]}"
        assert done.deployment_id == deployment.id
        assert done.parameters == {"period": PERIOD}
        # the serve process ran it (and is done with it before the test stops that process)
        _wait("the serve process to log the end of the run",
              lambda: f"Flow run '{done.name}' - Finished in state Completed" in serve.output(),
              serve, server)

        assert (data_dir / "reports" / PERIOD / f"BaoCaoTongHop_BL_{PERIOD}.xlsx").is_file()
        assert [p.name for p in (data_dir / "outbox" / "BL01").iterdir()] == [
            f"BL01_{PERIOD}_KetQuaKiemTra.xlsx"]
        assert not list((data_dir / "inbox").rglob("*.xlsx"))  # moved to processed/

        artifacts = {a.key: a for a in client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[run.id])))}
        assert f"month-summary-{PERIOD}" in artifacts
        table = artifacts[f"month-summary-{PERIOD}"].data
        rows = json.loads(table) if isinstance(table, str) else table
        assert [(r["unit"], r["status"]) for r in rows] == [("BL01", "accepted")]

        # meanwhile the server's scheduler has planned the next run: 06:00 ICT on the 26th
        upcoming = _wait("the server to schedule the next run",
                         lambda: _scheduled_runs(client, deployment.id), serve, server)
        first = upcoming[0]
        assert first.expected_start_time.astimezone(LOCAL) == _next_26th_6am(datetime.now(LOCAL))
        assert first.parameters == {}  # it consolidates the month that is due then
    finally:
        _stop(serve)


def test_serve_without_a_prefect_server_says_how_to_start_one(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(BIN / "cellreports"), "serve", "--data-dir", str(tmp_path / "var")],
        env=_clean_env(PREFECT_HOME=str(tmp_path / "prefect-home")), cwd=tmp_path,
        capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "PREFECT_API_URL is not set" in result.stdout
    assert "prefect server start" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_the_cron_is_the_day_after_the_deadline_of_the_rules_file(tmp_path: Path) -> None:
    from flows.deployment import build_deployment, default_cron
    from flows.monthly import scheduled_period

    settings = Settings(data_dir=tmp_path / "var", pid_hash_key="test-key")
    assert default_cron(settings, date(2024, 3, 1)) == CRON
    # a deadline at the month's end: the 1st of the next month, which every month has
    rules = tmp_path / "limits.csv"
    rules.write_text(DEFAULT_RULES.read_text().replace("deadline_day,25,", "deadline_day,30,"))
    late = Settings(data_dir=tmp_path / "var", pid_hash_key="test-key", rules_file=rules)
    assert default_cron(late, date(2024, 2, 10)) == "0 6 1 * *"
    assert scheduled_period(late, date(2024, 3, 1)) == "2024-02"
    # --cron overrides it, still in the settings' time zone
    [schedule] = build_deployment(settings, "0 7 1 * *").schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 7 1 * *",
                                                                    "Asia/Ho_Chi_Minh")
