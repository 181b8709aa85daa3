"""The schedule as a district runs it: a real `prefect server start`, `cellreports serve` in
its own process (or `cellreports deploy` and a worker of a process work pool), the
deployments' cron schedules and parameter schemas as the server holds them, and runs
triggered through the Prefect API that write the month's outputs, log in plain words, emit
the district's events and make the automations mail the officer (a real SMTP server)."""

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
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import httpx
import pytest
from factories import make_rejected_bl02, make_workbook

from core.settings import DEFAULT_RULES, Settings

BIN = Path(sys.executable).parent
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
TIMEOUT = 120  # seconds, for each thing waited for
DEPLOYMENT = "monthly-consolidation/monthly-BL"
REMINDERS = "reminders/reminders-BL"
INTAKE = "intake/intake-BL"
LEGACY = ("monthly-consolidation/BL", "reminders/BL")  # the names before issue 16
CRON = "0 6 26 * *"  # the cells' deadline in config/rules/limits.csv is the 25th
PERIOD = "2024-03"
PID_KEY = "pid-key-that-must-not-travel"
OFFICER = "bantochuc@baolam.vn"
# the server's late-run service, tuned for the test: a run is Late 5 s after its time (and
# is looked for every second) instead of 15 s, checked every 5 s
LATE_AFTER_SECONDS = 5

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
        PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_UI_ENABLED="false",
        PREFECT_SERVER_SERVICES_LATE_RUNS_LOOP_SECONDS="1",
        PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS=str(LATE_AFTER_SECONDS))
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




def _drop_workbook(data_dir: Path, unit: str = "BL01", content: bytes | None = None) -> Path:
    """A cell's March report, received on 20 March (before the deadline)."""
    path = data_dir / "inbox" / unit / f"{unit}_{PERIOD}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content if content is not None else make_workbook())
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


def _runs_of(client: Any, deployment_id: Any, *states: Any) -> list[Any]:
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterDeploymentId,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.sorting import FlowRunSort

    state = (FlowRunFilterState(type=FlowRunFilterStateType(any_=list(states)))
             if states else None)
    return client.read_flow_runs(
        flow_run_filter=FlowRunFilter(
            deployment_id=FlowRunFilterDeploymentId(any_=[deployment_id]), state=state),
        sort=FlowRunSort.EXPECTED_START_TIME_ASC)


def _finished(client: Any, run_id: Any) -> Callable[[], Any]:
    def probe() -> Any:
        found = client.read_flow_run(run_id)
        return found if found.state and found.state.is_final() else None
    return probe


def _log_lines(client: Any, run_id: Any) -> list[str]:
    """The run's log as the dashboard shows it (the server's log table)."""
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.client.schemas.sorting import LogSort

    return [log.message for log in client.read_logs(
        log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])),
        sort=LogSort.TIMESTAMP_ASC, limit=200)]


def _logged(client: Any, run_id: Any, *wanted: str) -> Callable[[], list[str] | None]:
    def probe() -> list[str] | None:
        lines = _log_lines(client, run_id)
        return lines if all(any(w in line for line in lines) for w in wanted) else None
    return probe


def _events(client: Any, *names: str, since: datetime) -> list[Any]:
    from prefect.events.filters import EventFilter, EventNameFilter, EventOccurredFilter

    return client.read_events(filter=EventFilter(
        event=EventNameFilter(name=list(names)),
        occurred=EventOccurredFilter(since=since)), limit=50).events


def _mail(smtp: Any, subject: str, *watched: Process) -> Any:
    """The first message the SMTP server received whose subject contains ``subject``."""
    return _wait(f"a mail about {subject!r}", lambda: next(
        (m for m in smtp.received if subject in str(m.message["Subject"])), None), *watched)


def _smtp_env(smtp: Any) -> dict[str, str]:
    """The district's mail settings, pointing at the test's SMTP server (its login)."""
    return {"CELLREPORTS_SMTP_HOST": smtp.host, "CELLREPORTS_SMTP_PORT": str(smtp.port),
            "CELLREPORTS_SMTP_STARTTLS": "false", "CELLREPORTS_SMTP_USER": smtp.user,
            "CELLREPORTS_SMTP_PASSWORD": smtp.password,
            "CELLREPORTS_SMTP_FROM": "cellreports@baolam.vn",
            "CELLREPORTS_OFFICER_EMAIL": OFFICER}


def _register_legacy(client: Any) -> None:
    """The deployments as versions before issue 16 registered them (both called BL)."""
    for full in LEGACY:
        flow_name, name = full.split("/")
        client.create_deployment(flow_id=client.create_flow_from_name(flow_name), name=name)


def _alerts_on_server(client: Any) -> dict[str, int]:
    from flows.alerts import alert_names

    return {name: len(client.read_automations_by_name(name))
            for name in alert_names(Settings()).values()}


def test_served_deployment_runs_on_its_schedule_and_when_triggered(
        prefect_server: tuple[str, Process], client: Any, smtp_server: Any,
        tmp_path: Path) -> None:
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
    from prefect.client.schemas.objects import StateType
    from prefect.deployments import run_deployment
    from prefect.exceptions import PrefectHTTPStatusError
    from prefect.states import Cancelling, Failed, Scheduled

    from warehouse.db import make_engine
    from warehouse.runlock import run_lock

    url, server = prefect_server
    started = datetime.now(LOCAL)
    _register_legacy(client)
    data_dir = tmp_path / "var"
    serve = _start([str(BIN / "cellreports"), "serve", "--data-dir", str(data_dir)],
                   _clean_env(PREFECT_API_URL=url, PREFECT_HOME=str(tmp_path / "prefect-home"),
                              CELLREPORTS_PID_HASH_KEY=PID_KEY, DO_NOT_TRACK="1",
                              PREFECT_RUNNER_POLL_FREQUENCY="1", **_smtp_env(smtp_server)),
                   tmp_path / "serve.log", cwd=tmp_path)
    try:
        _wait("serve to register and serve", lambda: "Serving; stop with Ctrl+C." in
              serve.output(), serve, server)
        deployment = _read_deployment(client)
        reminders = _read_deployment(client, REMINDERS)
        # the schedule as the server holds it: monthly cron in Vietnam's time zone, active
        assert not deployment.paused
        assert deployment.parameters == {}
        assert deployment.entrypoint == "flows.runners.configured_monthly_consolidation"
        [schedule] = deployment.schedules
        assert schedule.active
        assert (schedule.schedule.cron, schedule.schedule.timezone) == (CRON, "Asia/Ho_Chi_Minh")
        assert reminders.entrypoint == "flows.reminders.deployed_reminders"
        [daily] = reminders.schedules
        assert (daily.schedule.cron, daily.schedule.timezone) == ("0 7 * * *",
                                                                  "Asia/Ho_Chi_Minh")
        # what the dashboard lists and offers: two names, the zone, the month and nothing else
        assert (deployment.name, reminders.name) == ("monthly-BL", "reminders-BL")
        assert "06:00 Asia/Ho_Chi_Minh time (UTC+07:00" in deployment.description
        assert "07:00 Asia/Ho_Chi_Minh time (UTC+07:00" in reminders.description
        schema, none = deployment.parameter_openapi_schema, reminders.parameter_openapi_schema
        assert set(schema["properties"]) == {"period"} and schema["additionalProperties"] is False
        assert none["properties"] == {} and none["additionalProperties"] is False
        assert deployment.enforce_parameter_schema and reminders.enforce_parameter_schema
        # intake on arrival beside them: every 10 minutes from one interval on, no parameter
        intake = _read_deployment(client, INTAKE)
        [every] = intake.schedules
        assert every.active and every.schedule.interval == timedelta(minutes=10)
        assert every.schedule.anchor_date > started
        assert intake.parameter_openapi_schema["properties"] == {}
        assert intake.entrypoint == "flows.intake.deployed_intake"
        # the deployments of earlier versions are gone (their schedules would make Late runs)
        assert [_read_deployment(client, name) for name in LEGACY] == [None, None]
        printed = serve.output()
        assert f"Deployment:  {DEPLOYMENT}" in printed
        assert f"every month on day 26 at 06:00 Asia/Ho_Chi_Minh time (cron '{CRON}')" in printed
        assert f"next run:  {_next_26th_6am(datetime.now(LOCAL)):%Y-%m-%d 06:00 +07}" in printed
        assert f"Prefect API: {url}" in printed
        assert f"Intake:      {INTAKE}, every 10 minutes" in printed
        assert all(f"Removed:     {name} (the name of an earlier version)" in printed
                   for name in LEGACY)
        assert "Alerts:      4 automations mail the officer (4 created, 0 updated)" in printed
        assert set(_alerts_on_server(client).values()) == {1}

        # settings are no parameter: the server refuses such a run and stores nothing of it
        with pytest.raises(PrefectHTTPStatusError, match="409"):
            run_deployment(DEPLOYMENT, timeout=0, parameters={
                "settings": {"data_dir": "var", "pid_hash_key": "a key from the dashboard"}})
        with pytest.raises(PrefectHTTPStatusError, match="409"):
            run_deployment(DEPLOYMENT, timeout=0, parameters={"period": "2024-13"})
        assert _runs_of(client, deployment.id, StateType.PENDING, StateType.RUNNING,
                        StateType.COMPLETED, StateType.FAILED) == []

        _drop_workbook(data_dir)
        _drop_workbook(data_dir, "BL02", make_rejected_bl02())
        run = run_deployment(DEPLOYMENT, parameters={"period": PERIOD}, timeout=0)
        done = _wait("the triggered run to finish", _finished(client, run.id), serve, server)
        assert done.state.is_completed(), f"{done.state}\n{serve.output()[-4000:]}"
        assert done.deployment_id == deployment.id
        assert done.parameters == {"period": PERIOD}
        assert done.name == f"monthly-BL-{PERIOD}"
        # the serve process ran it (and is done with it before the test stops that process)
        _wait("the serve process to log the end of the run",
              lambda: f"Flow run '{done.name}' - Finished in state Completed" in serve.output(),
              serve, server)

        assert (data_dir / "reports" / PERIOD / f"BaoCaoTongHop_BL_{PERIOD}.xlsx").is_file()
        feedback = data_dir / "outbox" / "BL01" / f"BL01_{PERIOD}_KetQuaKiemTra.xlsx"
        assert [p.name for p in (data_dir / "outbox" / "BL01").iterdir()] == [feedback.name]
        assert not list((data_dir / "inbox").rglob("*.xlsx"))  # moved to processed/

        artifacts = {a.key: a for a in client.read_artifacts(artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=[run.id])))}
        assert f"month-summary-{PERIOD}" in artifacts
        table = artifacts[f"month-summary-{PERIOD}"].data
        rows = json.loads(table) if isinstance(table, str) else table
        assert sorted((r["unit"], r["status"]) for r in rows) == [("BL01", "accepted"),
                                                                  ("BL02", "rejected")]
        bl02 = next(r for r in rows if r["unit"] == "BL02")

        # its log in the dashboard says what happened, in plain words
        wanted = [
            f"consolidating {PERIOD} (the month asked for)",
            f"received 2 files via the folder inbox ({data_dir / 'inbox'})",
            f"sent the feedback on BL01_{PERIOD}.xlsx to {feedback}",
            f"BL02 BL02_{PERIOD}.xlsx: rejected, 1 error, {bl02['warnings']} warning",
            f"wrote the district report to {data_dir / 'reports' / PERIOD}",
            f"{PERIOD}: 1 of 4 cells accepted, 1 rejected, 2 sent nothing; without an "
            "accepted report: BL02, BL03, BL04 (deadline 25/03/2024, passed)"]
        lines = _wait("the run's log lines on the server", _logged(client, run.id, *wanted),
                      serve, server)
        assert not any("Finished in state Running" in line for line in lines)

        # the events the district must act on, with no file name and no person in them
        found = _wait("the run's events on the server", lambda: (lambda got: got if {
            e.event for e in got} >= {"cellreports.month.consolidated",
                                      "cellreports.month.incomplete",
                                      "cellreports.file.rejected"} else None)(
            _events(client, "cellreports.month.consolidated", "cellreports.month.incomplete",
                    "cellreports.file.rejected", since=started)), serve, server)
        [incomplete] = [e for e in found if e.event == "cellreports.month.incomplete"]
        assert incomplete.resource.id == f"cellreports.month.BL.{PERIOD}"
        assert incomplete.payload["without_accepted_report"] == ["BL02", "BL03", "BL04"]
        assert f"prefect.flow-run.{run.id}" in {r.id for r in incomplete.related}
        assert f"prefect.deployment.{deployment.id}" in {r.id for r in incomplete.related}
        [rejected] = [e for e in found if e.event == "cellreports.file.rejected"]
        assert rejected.payload["unit"] == "BL02" and rejected.payload["errors"] == 1
        assert "xlsx" not in json.dumps([e.model_dump(mode="json") for e in found])

        # ... and the automation mailed the officer through the district's SMTP server
        mail = _mail(smtp_server, f"Tháng {PERIOD}: 3 chi bộ chưa có báo cáo hợp lệ",
                     serve, server)
        assert mail.rcpt_tos == [OFFICER] and mail.auth_user == smtp_server.user
        assert "Chưa có báo cáo hợp lệ: BL02, BL03, BL04" in mail.message.get_content()

        # a run that fails (here: set Failed through the API) mails the officer too
        doomed = client.create_flow_run_from_deployment(
            deployment.id, state=Scheduled(scheduled_time=datetime.now(LOCAL)
                                           + timedelta(days=300)))
        client.set_flow_run_state(doomed.id, Failed(message="stopped by the test"), force=True)
        failed = _mail(smtp_server, f"Lượt chạy {doomed.name}: Failed", serve, server)
        assert "stopped by the test" in failed.message.get_content()

        # a cancelled run says so (Prefect's engine would log "Finished in state Running()")
        holder = make_engine(f"sqlite:///{(data_dir / 'warehouse.sqlite').resolve()}")
        with run_lock(holder, "monthly-BL"):
            waiting = run_deployment(DEPLOYMENT, parameters={"period": PERIOD}, timeout=0)
            _wait("the run to wait for the warehouse", _logged(
                client, waiting.id, "another run (monthly-BL) is using the warehouse"),
                serve, server)
            client.set_flow_run_state(waiting.id, Cancelling())
            cancelled = _wait("the cancelled run", _finished(client, waiting.id),
                              serve, server)
            lines = _wait("the cancelled run's last lines", _logged(
                client, waiting.id, "Flow run was cancelled.",
                "Finished: cancelled (the runner records the state Cancelled)"), serve, server)
        holder.dispose()
        assert cancelled.state.is_cancelled()
        assert not any(line.startswith("Finished in state Running") for line in lines)

        # meanwhile the server's scheduler has planned the next run: 06:00 ICT on the 26th
        upcoming = _wait("the server to schedule the next run",
                         lambda: _runs_of(client, deployment.id, StateType.SCHEDULED),
                         serve, server)
        first = upcoming[0]
        assert first.expected_start_time.astimezone(LOCAL) == _next_26th_6am(datetime.now(LOCAL))
        assert first.parameters == {}  # it consolidates the month that is due then
    finally:
        _stop(serve)

    # with serve stopped, a run that falls due is Late: the officer hears of it
    late = client.create_flow_run_from_deployment(
        reminders.id, state=Scheduled(scheduled_time=datetime.now(LOCAL)))
    mail = _mail(smtp_server, f"Lượt chạy {late.name} bị trễ (Late)", server)
    assert "cellreports serve" in mail.message.get_content()

    # nothing of the settings reached the server: not in a parameter, log line, artifact,
    # event, automation or block (the SMTP password is encrypted in its block)
    stored = b"".join(p.read_bytes() for p in server.log.parent.glob("prefect.db*"))
    for secret in (PID_KEY, smtp_server.password):
        assert secret.encode() not in stored
    assert str(data_dir).encode() in stored  # the scan reads real rows (paths are logged)


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


def test_deploy_registers_both_deployments_on_a_locked_process_pool_whose_worker_runs_them(
        prefect_server: tuple[str, Process], client: Any, smtp_server: Any,
        tmp_path: Path) -> None:
    """The work-pool path: `cellreports deploy --pool` (instead of `serve`), then a worker
    with the settings in its own environment runs a month."""
    from prefect.deployments import run_deployment
    from prefect.exceptions import PrefectHTTPStatusError

    url, server = prefect_server
    pool = "cellreports"
    data_dir = tmp_path / "var"
    env = _clean_env(PREFECT_API_URL=url, PREFECT_HOME=str(tmp_path / "prefect-home"),
                     DO_NOT_TRACK="1", **_smtp_env(smtp_server))
    deployed = subprocess.run([str(BIN / "cellreports"), "deploy", "--pool", pool], env=env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert f"Deployment:  {DEPLOYMENT}" in deployed.stdout
    assert f"prefect worker start --pool {pool}" in deployed.stdout

    work_pool = client.read_work_pool(pool)
    assert work_pool.type == "process"
    variables = work_pool.base_job_template["variables"]
    assert set(variables["properties"]) == {"name", "labels", "stream_output"}
    monthly, reminders = (_read_deployment(client), _read_deployment(client, REMINDERS))
    for deployment in (monthly, reminders):
        assert deployment.work_pool_name == pool
        assert deployment.parameter_openapi_schema["additionalProperties"] is False
    assert set(monthly.parameter_openapi_schema["properties"]) == {"period"}
    assert reminders.parameter_openapi_schema["properties"] == {}
    # the alerts were updated in place: one automation of each name, whoever registered
    assert set(_alerts_on_server(client).values()) == {1}
    # a run may not bring its own environment (another data folder, another key)
    with pytest.raises(PrefectHTTPStatusError, match="422"):
        run_deployment(DEPLOYMENT, timeout=0, parameters={"period": PERIOD}, job_variables={
            "env": {"CELLREPORTS_DATA_DIR": str(tmp_path / "elsewhere")}})

    _drop_workbook(data_dir)
    worker = _start([str(BIN / "prefect"), "worker", "start", "--pool", pool],
                    _clean_env(PREFECT_API_URL=url, PREFECT_HOME=str(tmp_path / "worker-home"),
                               DO_NOT_TRACK="1", PREFECT_WORKER_QUERY_SECONDS="1",
                               CELLREPORTS_DATA_DIR=str(data_dir),
                               CELLREPORTS_PID_HASH_KEY=PID_KEY),
                    tmp_path / "worker.log", cwd=tmp_path)
    try:
        run = run_deployment(DEPLOYMENT, parameters={"period": PERIOD}, timeout=0)
        done = _wait("the worker's run to finish", _finished(client, run.id), worker, server)
        assert done.state.is_completed(), f"{done.state}\n{worker.output()[-4000:]}"
        assert done.name == f"monthly-BL-{PERIOD}"
        assert (data_dir / "reports" / PERIOD / f"BaoCaoTongHop_BL_{PERIOD}.xlsx").is_file()
        _wait("the run's verdict in its log", _logged(
            client, run.id, f"BL01 BL01_{PERIOD}.xlsx: accepted"), worker, server)
    finally:
        _stop(worker)

    # serve will not take the deployments over from the pool's workers (both would run them)
    served = subprocess.run([str(BIN / "cellreports"), "serve", "--data-dir", str(data_dir)],
                            env=env, cwd=tmp_path, capture_output=True, text=True,
                            timeout=TIMEOUT)
    assert served.returncode == 2, served.stdout + served.stderr
    assert f"Not served: {DEPLOYMENT} is registered on the work pool 'cellreports'" in " ".join(
        served.stdout.split())
    assert _read_deployment(client).work_pool_name == pool
