"""Statement timeouts on both warehouses: a statement that runs past
CELLREPORTS_DB_STATEMENT_TIMEOUT is stopped by the database and named as such, and a run's
wait for the run lock of another run is not a statement that the timeout can kill."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from warehouse.db import make_engine, statement_timed_out
from warehouse.runlock import run_lock

# about 6 s of work for SQLite: long enough to see it stopped, short enough to end alone
RUNAWAY = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
           "WHERE i < 30000000) SELECT count(*) FROM n")


def test_a_postgresql_statement_past_the_timeout_is_stopped_by_the_server(postgres_server):
    engine = make_engine(postgres_server, statement_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(OperationalError) as caught, engine.connect() as connection:
        connection.execute(text("SELECT pg_sleep(5)"))
    engine.dispose()
    assert time.monotonic() - started < 3
    assert statement_timed_out(caught.value)


def test_a_runaway_sqlite_statement_is_stopped(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite'}", statement_timeout=0.3)
    with engine.connect() as connection:  # a quick statement is untouched
        assert connection.execute(text("SELECT 1")).scalar() == 1
    started = time.monotonic()
    with pytest.raises(OperationalError) as caught, engine.connect() as connection:
        connection.execute(text(RUNAWAY))
    assert time.monotonic() - started < 2
    assert statement_timed_out(caught.value)
    with engine.connect() as connection:  # the connection's next statement has its own time
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_a_refused_connection_is_not_a_statement_timeout():
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/nowhere",
                         connect_timeout=2)
    with pytest.raises(OperationalError) as caught, engine.connect():
        pass
    assert not statement_timed_out(caught.value)


def test_waiting_for_another_run_outlasts_the_statement_timeout(postgres_server):
    """runlock polls pg_try_advisory_lock: each statement is instant, however long the
    wait (a blocking pg_advisory_lock would be cancelled after the statement timeout)."""
    name = f"timeout-test-{uuid.uuid4().hex}"
    holder, waiter = make_engine(postgres_server), make_engine(postgres_server,
                                                               statement_timeout=0.5)
    got, failed = threading.Event(), []

    def wait_for_the_lock() -> None:
        try:
            with run_lock(waiter, name, timeout=30):
                got.set()
        except Exception as exc:  # shown by the assertion below
            failed.append(exc)

    with run_lock(holder, name):
        thread = threading.Thread(target=wait_for_the_lock)
        thread.start()
        time.sleep(2)  # four statement timeouts
        assert not got.is_set() and not failed
    thread.join(timeout=10)
    holder.dispose()
    waiter.dispose()
    assert got.is_set(), failed
