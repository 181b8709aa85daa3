"""Quiet defaults for Prefect, set before it is imported: the user sees our summary only.
And Prefect's temporary server, which dies with the process that started it.

The temporary Prefect server otherwise prints analytics notices, INFO logs of every task
and 'database is locked' tracebacks; and it gives up starting after 20 s. Anything the user
sets explicitly wins.

Without ``PREFECT_API_URL`` Prefect would start a temporary ("ephemeral") API server as a
child process (``SubprocessASGIServer``, about 230 MB) when the first flow runs, wait
seconds for it, and stop it at exit — but a run killed by SIGKILL or SIGTERM never gets
there, and the server would live on as an orphan. :func:`start_temporary_server` starts
the same server (Prefect's command and environment) behind a guard that stops it as soon
as this process is gone, however it went; and it starts it *before* the command imports
its flows (seconds of GX, pandas and Prefect), so that the server's own start-up runs on
the other core meanwhile. :func:`temporary_server_ready` then points this process's
Prefect settings at it, as Prefect's own test harness does for its server.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from core.errors import CellreportsError

DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_LOGGING_LEVEL": "ERROR",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
    "PREFECT_UI_ENABLED": "false",
    "PREFECT_CLI_COLORS": "false",
    # not noise but patience: the temporary server takes longer than Prefect's 20 s to start
    # on an old office PC or a busy machine (seen here: "Timed out while attempting to
    # connect to ephemeral Prefect API server" while a benchmark ran beside the tests)
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}

# The temporary server's process runs this before uvicorn: `python -c GUARD PARENT_PID …`
# (not `-m flows.quiet`: the `flows` package imports this module first, and runpy warns).
GUARD = "from flows.quiet import serve_until_orphaned; serve_until_orphaned()"
PARENT_POLL_SECONDS = 0.5
# uvicorn's graceful shutdown (SIGTERM) closes Prefect's database cleanly; should it hang,
# the process ends anyway after this long
SHUTDOWN_GRACE_SECONDS = 5.0
STARTUP_POLL_SECONDS = 0.1
STARTS = 3  # a server that stops before it answers is started again, up to this many times


def quiet_prefect() -> None:
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)
    logging.getLogger(WARNINGS_LOGGER).addFilter(no_deprecations)  # once: a set of filters


# GX routes every warning shown to the log at its import (logging.captureWarnings), where
# Prefect prints it; a library's deprecation is ignored by Python's default filters, but
# pandas shows them while it converts a dtype (warnings.catch_warnings with "always"), and
# those filters are the process's, not the thread's: a GX deprecation raised in another
# thread at that moment reached the officer's screen (seen once in the demo's test).
# Deprecations are for the project's developers (the tests show them), never for the user.
WARNINGS_LOGGER = "py.warnings"
DEPRECATIONS = ("DeprecationWarning", "PendingDeprecationWarning", "FutureWarning")


def no_deprecations(record: logging.LogRecord) -> bool:
    """False for a warning logged by ``logging.captureWarnings`` that is a deprecation
    (its text is ``file:line: Category: message``)."""
    text = record.getMessage()
    return not any(f": {category}: " in text for category in DEPRECATIONS)


class TemporaryServerFailed(CellreportsError):
    """Prefect's temporary server did not answer within its start-up timeout."""

    heading = "The temporary Prefect server did not start"
    exit_code = 3


class TemporaryServer:
    """Prefect's temporary server in a guarded child process on a free local port."""

    def __init__(self) -> None:
        self.port, self.process = self._spawn()
        self.starts = 1
        atexit.register(self.stop)

    @staticmethod
    def _spawn() -> tuple[int, subprocess.Popen[Any]]:
        port = _free_port()
        args, env = guarded_server_command(port)
        return port, subprocess.Popen(args, env=env)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def wait_until_up(self, timeout: float) -> None:
        """Until the server answers its health check. A server that exits first (its port
        taken meanwhile) is started again on another port, as Prefect does, a few times."""
        import httpx

        deadline = time.monotonic() + timeout
        with httpx.Client() as client:
            while time.monotonic() < deadline:
                if (code := self.process.poll()) is not None:
                    self.starts += 1
                    if self.starts > STARTS:
                        raise TemporaryServerFailed(
                            f"it stopped {STARTS} times before answering (exit code {code})")
                    self.port, self.process = self._spawn()
                try:
                    if client.get(f"{self.api_url}/health").status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                time.sleep(STARTUP_POLL_SECONDS)
        raise TemporaryServerFailed(
            f"no answer on {self.api_url} within {timeout:.0f} s "
            "(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)")

    def stop(self) -> None:
        """Prefect's own stop: SIGTERM (its database closed cleanly), SIGKILL after 5 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=SHUTDOWN_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


_SERVER: TemporaryServer | None = None
_ENTERED: list[Any] = []  # the settings contexts entered for it: none until it is up


def start_temporary_server() -> None:
    """When no Prefect server is configured (``PREFECT_API_URL``, in the environment or a
    Prefect profile): start the temporary one now, without waiting for it. Once per
    process; a configured server is used as it is, nothing temporary started.

    For a process of its own (the ``cellreports`` command): it changes this process's
    Prefect settings for good. A command run inside another process (the tests' CliRunner)
    uses :func:`temporary_server_dies_with_us` instead."""
    global _SERVER
    from prefect.settings import PREFECT_API_URL

    if _SERVER is None and not PREFECT_API_URL.value():
        _SERVER = TemporaryServer()


def temporary_server_dies_with_us() -> None:
    """Before a flow runs in a process that is not only this command: when Prefect would
    start its temporary server, the server it finds is one that stops when this process
    dies (even by SIGKILL); Prefect starts it when the first flow runs.

    Prefect keeps one ``SubprocessASGIServer`` per port; the one for no port (``None``) is
    what it starts when ``PREFECT_API_URL`` is unset. Made first here, that instance is our
    subclass, which starts the same command behind :func:`serve_until_orphaned` (Prefect's
    own test harness registers its server the same way). A server made earlier stays."""
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        return  # a real server: nothing temporary to start
    _guarded_server_class()()


def _guarded_server_class() -> type[Any]:
    # Prefect is imported here, not with this module: quiet_prefect must run before it is
    from prefect.server.api.server import SubprocessASGIServer

    class GuardedServer(SubprocessASGIServer):
        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            args, env = guarded_server_command(self.port)
            return subprocess.Popen(args, env=env)

    return GuardedServer


def temporary_server_ready(meanwhile: Callable[[], object] | None = None) -> None:
    """Before a flow runs: the temporary server (started now if it was not) answers, and
    this process's Prefect settings point at it for the rest of the process. While this
    waits for it, ``meanwhile`` runs in a thread (the run's heavy imports: a thread that
    imports a module the run then needs makes the run wait for that import, no longer)."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS

    start_temporary_server()
    if _SERVER is None or _ENTERED:
        return
    if meanwhile is not None:
        threading.Thread(target=meanwhile, daemon=True, name="imports-meanwhile").start()
    _SERVER.wait_until_up(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())
    from prefect.context import _temporary_global_settings_context, get_settings_context
    from prefect.settings import temporary_settings

    # entered for the rest of the process, as Prefect's test harness enters its own: the
    # settings of this context, and the process-global ones read by threads whose context
    # holds no settings of its own
    for entered in (temporary_settings(updates={PREFECT_API_URL: _SERVER.api_url}),
                    _temporary_global_settings_context(get_settings_context())):
        entered.__enter__()
        _ENTERED.append(entered)  # kept: a context manager collected is a context left


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def guarded_server_command(port: int | None) -> tuple[list[str], dict[str, str]]:
    """Prefect's command and environment for its temporary server (Prefect 3,
    ``SubprocessASGIServer._run_uvicorn_command``; a test compares them), with the guard in
    front: ``python -c GUARD <this pid> <uvicorn's arguments>``."""
    import prefect
    from prefect.settings import get_current_settings

    uvicorn_args = ["--app-dir", str(prefect.__module_path__.parent),
                    "--factory", "prefect.server.api.server:create_app",
                    "--host", "127.0.0.1", "--port", str(port),
                    "--log-level", "error", "--lifespan", "on"]
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
           "PREFECT__SERVER_FINAL": "1",
           **get_current_settings().to_environment_variables(exclude_unset=True)}
    return [sys.executable, "-c", GUARD, str(os.getpid()), *uvicorn_args], env


def serve_until_orphaned() -> None:
    """In the server's process (``sys.argv``: ``-c PARENT_PID <uvicorn's arguments>``): run
    uvicorn while a thread watches the parent. When the parent dies its children are
    re-parented, so the parent pid changes: nothing the parent does (or fails to do) is
    needed, which is what makes SIGKILL safe."""
    parent = int(sys.argv[1])
    threading.Thread(target=_stop_when_orphaned, args=(parent,), daemon=True,
                     name="stop-when-orphaned").start()
    from uvicorn.main import main as uvicorn_main

    uvicorn_main(args=sys.argv[2:], prog_name="uvicorn")


def _stop_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(SHUTDOWN_GRACE_SECONDS)
    os._exit(1)
