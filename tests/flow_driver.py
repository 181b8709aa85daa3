"""Run the monthly flow in a real subprocess, optionally killing it (SIGKILL) when it
executes the N-th SQL statement that starts with a given text — a crash at a chosen point
of a real run, for tests/e2e/test_run_safety.py.

    python tests/flow_driver.py <data_dir> <database_url> <period> [--kill-on SQL --count N]

Or, to start many runs without paying Python's start and the flow's imports (seconds) for
each one, as a fork server:

    python tests/flow_driver.py --serve

Each run is a child forked from it (tests/fork_server.py): a process of its own, which runs
the flow and exits, or is killed at its statement, exactly as the command above would.
Before a fork the server has only imported modules and built the GX context (``preload``):
no thread, no connection, no Prefect client.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from fork_server import serve  # noqa: E402

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
