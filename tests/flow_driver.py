"""Run the monthly flow in a real subprocess, optionally killing it (SIGKILL) when it
executes the N-th SQL statement that starts with a given text — a crash at a chosen point
of a real run, for tests/e2e/test_run_safety.py.

    python tests/flow_driver.py <data_dir> <database_url> <period> [--kill-on SQL --count N]
"""

from __future__ import annotations

import argparse
import os
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("url")
    parser.add_argument("period")
    parser.add_argument("--kill-on")
    parser.add_argument("--count", type=int, default=1)
    args = parser.parse_args()
    if args.kill_on:
        kill_on(args.kill_on, args.count)
    summary = monthly_consolidation(args.period, Settings(
        data_dir=args.data_dir, warehouse_url=args.url, pid_hash_key="test-key"))
    for row in summary.rows:
        print(f"{row.unit} {row.filename} {row.status}")


if __name__ == "__main__":
    main()
