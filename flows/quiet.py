"""Quiet defaults for Prefect, set before it is imported: the user sees our summary only.
And Prefect's temporary server, which dies with the process that started it.

The temporary Prefect server otherwise prints analytics notices, INFO logs of every task
and 'database is locked' tracebacks; and it gives up starting after 20 s. Anything the user
sets explicitly wins.

Without ``PREFECT_API_URL`` Prefect starts a temporary ("ephemeral") API server as a child
process (``SubprocessASGIServer``, about 230 MB) and stops it at exit — but a run killed by
SIGKILL or SIGTERM never gets there, and the server would live on as an orphan.
:func:`temporary_server_dies_with_us` has Prefect use a server whose process watches its
parent and stops as soon as it is gone, however it went.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

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


def quiet_prefect() -> None:
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)


def temporary_server_dies_with_us() -> None:
    """Before a flow runs: when Prefect would start its temporary server for this process,
    the server it finds is one that stops when this process dies (even by SIGKILL).

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
