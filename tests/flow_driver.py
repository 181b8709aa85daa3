"""Run the monthly flow in a real subprocess, optionally killing it (SIGKILL) when it
executes the N-th SQL statement that starts with a given text — a crash at a chosen point
of a real run, for tests/e2e/test_run_safety.py.

    python tests/flow_driver.py <data_dir> <database_url> <period> [--kill-on SQL --count N]

Or, to start many runs without paying Python's start and the flow's imports (seconds) for
each one, as a fork server:

    python tests/flow_driver.py --serve

It writes ``ready`` once imported, then reads one run per line on stdin (JSON: ``argv``, the
arguments above, and the paths of the run's ``stdout`` and ``stderr`` files) and starts each
in a child forked from itself: a process of its own, which runs the flow and exits, or is
killed at its statement, exactly as the command above would (its output in those files, its
stdin /dev/null). For each it writes ``started <pid>``, then ``ended <pid> <returncode>``
(negative: killed by that signal) once the child is gone. Before a fork the server has only
imported modules and built the GX context (``preload``): no thread, no connection, no
Prefect client. It exits at the end of stdin,
once its children have ended.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from flows.quiet import quiet_prefect  # noqa: E402

quiet_prefect()

from sqlalchemy import event  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402

from core.settings import Settings  # noqa: E402
from flows.monthly import monthly_consolidation  # noqa: E402


def kill_on(prefix: str, count: int) -> None:
    seen = 0

    def after(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        nonlocal seen
        if statement.lstrip().upper().startswith(prefix.upper()):
            seen += 1
            if seen == count:
                os.kill(os.getpid(), signal.SIGKILL)

    event.listen(Engine, "after_cursor_execute", after)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("url")
    parser.add_argument("period")
    parser.add_argument("--kill-on")
    parser.add_argument("--count", type=int, default=1)
    args = parser.parse_args(argv)
    if args.kill_on:
        kill_on(args.kill_on, args.count)
    summary = monthly_consolidation(args.period, Settings(
        data_dir=args.data_dir, warehouse_url=args.url, pid_hash_key="test-key"))
    for row in summary.rows:
        print(f"{row.unit} {row.filename} {row.status}")


def serve() -> list[str] | None:
    """The fork server's loop. Returns in a forked child only (with the run's arguments,
    its output already in its files); in the server, None once stdin ends and every child
    has ended."""
    print("ready", flush=True)
    children: set[int] = set()
    pending = b""
    reading = True
    while reading or children:
        ready = select.select([0], [], [], 0.05)[0] if reading else []
        if ready:
            chunk = os.read(0, 65536)
            reading = bool(chunk)
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in filter(None, lines):
                run = json.loads(line)
                output = _open_output(run["stdout"], run["stderr"])  # there once it started
                pid = os.fork()
                if pid == 0:
                    _take_output(output)
                    return [str(a) for a in run["argv"]]
                for fd in output:
                    os.close(fd)
                children.add(pid)
                print(f"started {pid}", flush=True)
        elif not reading:
            select.select([], [], [], 0.05)
        for pid in list(children):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                children.discard(pid)
                print(f"ended {pid} {os.waitstatus_to_exitcode(status)}", flush=True)
    return None


def _open_output(stdout: str, stderr: str) -> tuple[int, int, int]:
    """A run's stdin (/dev/null), stdout and stderr (its files, created empty)."""
    created = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    return (os.open(os.devnull, os.O_RDONLY), os.open(stdout, created, 0o644),
            os.open(stderr, created, 0o644))


def _take_output(output: tuple[int, int, int]) -> None:
    """In a forked child: its own stdin, stdout and stderr in place of the server's pipes
    (the server's alone)."""
    for fd, opened in enumerate(output):
        os.dup2(opened, fd)
        os.close(opened)


def preload() -> None:
    """What every run builds before its first check, built once in the fork server like
    the flow's imports: the modules a run imports only when it checks a file
    (services.levels: GX, pandas) and the process's GX context without Data Docs
    (validations.run.engine; it starts no thread, so it forks whole). Each run still
    connects, loads and is killed on its own."""
    import validations.export_checks  # noqa: F401
    from validations.run import engine

    engine(None)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        preload()
        child = serve()
        if child is not None:
            main(child)
    else:
        main()
