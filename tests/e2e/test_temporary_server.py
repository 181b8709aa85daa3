"""Prefect's temporary server, which a CLI run without PREFECT_API_URL starts as a child
process, dies with the run whatever kills it (SIGKILL leaves no chance to clean up)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack, suppress
from pathlib import Path
from types import SimpleNamespace

import psutil

from flows.quiet import GUARD, guarded_server_command
from warehouse.db import make_engine
from warehouse.runlock import run_lock

SERVER_APP = "prefect.server.api.server:create_app"


def _user_env(tmp_path: Path) -> dict[str, str]:
    """A shell without any Prefect server configured, and a Prefect home of its own."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PREFECT_", "CELLREPORTS_"))}
    return {**env, "PREFECT_HOME": str(tmp_path / "prefect")}


def _server_of(cli: subprocess.Popen[bytes], timeout: float = 300) -> psutil.Process:
    """The temporary server among the CLI's children, once it answers (a fresh Prefect home
    migrates its database first: two at once took over two minutes on a slow, busy machine)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert cli.poll() is None, cli.stderr.read().decode() if cli.stderr else ""
        for child in psutil.Process(cli.pid).children(recursive=True):
            try:
                if SERVER_APP in child.cmdline() and child.net_connections("tcp"):
                    return child
            except psutil.NoSuchProcess:
                continue
        time.sleep(0.2)
    raise AssertionError("the temporary server did not start")


def _start_run(home: Path) -> subprocess.Popen[bytes]:
    """`cellreports run` as a user starts it, on its own data folder and Prefect home."""
    return subprocess.Popen(
        [sys.executable, "-m", "cellreports.cli", "run", "--period", "2024-03",
         "--data-dir", str(home / "var")],
        env=_user_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_the_temporary_server_dies_with_a_killed_run(tmp_path):
    """Two runs at once (one killed by SIGKILL, one by SIGTERM): they start together."""
    signals = {"KILL": signal.SIGKILL, "TERM": signal.SIGTERM}
    engines = {name: make_engine(f"sqlite:///{tmp_path / name / 'var' / 'warehouse.sqlite'}")
               for name in signals}
    servers: dict[str, psutil.Process] = {}
    with ExitStack() as stack:
        # each month's run lock is held here: a run waits for it, its server up, until killed
        for engine in engines.values():
            stack.enter_context(run_lock(engine, "monthly-BL"))
        runs = {name: _start_run(tmp_path / name) for name in signals}
        try:
            servers = {name: _server_of(run) for name, run in runs.items()}
            for name, run in runs.items():
                os.kill(run.pid, signals[name])
                run.wait(timeout=10)
            _gone, alive = psutil.wait_procs(list(servers.values()), timeout=10)
        finally:
            for run in runs.values():
                if run.poll() is None:
                    run.kill()
            for server in servers.values():  # an orphan must not outlive the test
                with suppress(psutil.NoSuchProcess):
                    server.kill()
    for engine in engines.values():
        engine.dispose()
    outlived = [name for name, server in servers.items() if server in alive]
    assert not outlived, f"the temporary Prefect server outlived the run killed by {outlived}"


def test_the_guarded_command_is_prefect_s_own_behind_the_guard(monkeypatch):
    """Our command runs Prefect's uvicorn arguments in Prefect's environment: a Prefect
    upgrade that changes them fails here, not silently in production."""
    from prefect.server.api import server as prefect_server

    started: list[tuple[list[str], dict[str, str]]] = []
    monkeypatch.setattr(prefect_server.subprocess, "Popen",
                        lambda args, env: started.append((args, env)))
    prefect_server.SubprocessASGIServer._run_uvicorn_command(SimpleNamespace(port=8123))
    (prefect_args, prefect_env), = started
    args, env = guarded_server_command(8123)
    assert prefect_args[:3] == [sys.executable, "-m", "uvicorn"]
    assert args == [sys.executable, "-c", GUARD, str(os.getpid()), *prefect_args[3:]]
    assert env == prefect_env


def test_a_configured_server_is_used_and_nothing_temporary_is_started(prefect_server):
    """The production case: PREFECT_API_URL set (here the worker's server), a command's
    early start leaves Prefect as it is and starts no process."""
    from flows import quiet

    before = {child.pid for child in psutil.Process().children(recursive=True)}
    quiet.start_temporary_server()
    quiet.temporary_server_ready()
    assert quiet._SERVER is None
    assert {child.pid for child in psutil.Process().children(recursive=True)} <= before
