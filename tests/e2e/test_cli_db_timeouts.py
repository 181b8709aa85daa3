"""A warehouse database that accepts the connection and never answers, or a statement that
never ends: the CLI says so in one sentence and exits 3, in bounded time (in-process)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from cellreports.cli import app
from warehouse.db import make_engine, upgrade

pytestmark = pytest.mark.usefixtures("prefect_server")
runner = CliRunner()


@contextmanager
def silent_server() -> Iterator[int]:
    """A TCP server on 127.0.0.1 (a random port) that accepts every connection and never
    sends a byte: a hung database server, or a firewall that swallows the traffic."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            with suppress(TimeoutError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for connection in [*held, listener]:
            connection.close()


# `run` goes through the Prefect flow (its warehouse task is retried twice, 5 s apart);
# `approve` opens the warehouse directly
COMMANDS = {"run": ["run", "--period", "2024-03"],
            "approve": ["approve", "--period", "2024-03", "--by", "tester"]}
BOUND = {"run": 45.0, "approve": 10.0}


@pytest.mark.parametrize("command", COMMANDS)
def test_a_database_that_never_answers_is_one_sentence_and_exit_3(command, tmp_path):
    with silent_server() as port:
        started = time.monotonic()
        result = runner.invoke(app, [*COMMANDS[command], "--data-dir", str(tmp_path / "var")],
                               env={"CELLREPORTS_WAREHOUSE_URL":
                                    f"postgresql+psycopg://postgres@127.0.0.1:{port}/test",
                                    "CELLREPORTS_DB_CONNECT_TIMEOUT": "2",
                                    "COLUMNS": "200"})
        elapsed = time.monotonic() - started
    said = " ".join(result.output.split())  # the console wraps at its width
    assert result.exit_code == 3, result.output
    assert "The warehouse database cannot be reached: connection timeout expired" in said
    assert "Traceback" not in said
    assert elapsed < BOUND[command]
    assert not (tmp_path / "var" / "outbox").exists()


def test_a_statement_that_does_not_finish_in_time_is_one_sentence_and_exit_3(
        tmp_path: Path, postgres_url: str):
    engine = make_engine(postgres_url)
    upgrade(engine)
    with engine.connect() as holder:
        # another session holds the table: `periods` waits on its first query
        holder.execute(text("LOCK TABLE submissions IN ACCESS EXCLUSIVE MODE"))
        # (without a statement timeout the command would wait for this release, and pass)
        release = threading.Timer(8, holder.rollback)
        release.start()
        started = time.monotonic()
        result = runner.invoke(app, ["periods", "--data-dir", str(tmp_path / "var")],
                               env={"CELLREPORTS_WAREHOUSE_URL": postgres_url,
                                    "CELLREPORTS_DB_STATEMENT_TIMEOUT": "1",
                                    "COLUMNS": "200"})
        elapsed = time.monotonic() - started
        release.cancel()
        release.join()
    engine.dispose()
    said = " ".join(result.output.split())  # the console wraps at its width
    assert result.exit_code == 3, result.output
    assert ("The warehouse database did not finish a statement in time "
            "(CELLREPORTS_DB_STATEMENT_TIMEOUT): canceling statement due to statement "
            "timeout") in said
    assert "Traceback" not in said
    assert elapsed < 6
