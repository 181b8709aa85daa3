"""Engine, schema upgrade (Alembic) and sessions."""

from __future__ import annotations

import contextlib
import math
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Engine, create_engine, event, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core.settings import DB_CONNECT_TIMEOUT, DB_STATEMENT_TIMEOUT, Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# SQLite's own "timeout": how long a writer waits for another connection's write lock
# (a run and `cellreports approve` at once), not a limit on a statement.
SQLITE_BUSY_SECONDS = 30
# SQLite calls the statement-timeout check every this many virtual-machine instructions:
# a few microseconds of work between checks, a negligible cost.
SQLITE_CHECK_EVERY = 10_000
_DEADLINE = "cellreports_statement_deadline"  # in the pooled connection's info
# Whether this thread's SQLite commits are forced to disk one by one (see deferred_sync).
_DEFERRED: ContextVar[bool] = ContextVar("cellreports_deferred_sync", default=False)


def engine_for(settings: Settings) -> Engine:
    """The warehouse of ``settings``, with its connect and statement timeouts."""
    return make_engine(settings.database_url, connect_timeout=settings.db_connect_timeout,
                       statement_timeout=settings.db_statement_timeout)


def make_engine(url: str, *, connect_timeout: int = DB_CONNECT_TIMEOUT,
                statement_timeout: float = DB_STATEMENT_TIMEOUT) -> Engine:
    """An engine on ``url`` whose connections and statements cannot hang forever:
    ``connect_timeout`` seconds for PostgreSQL to accept a connection, ``statement_timeout``
    seconds (0: none) for a statement to finish on either database."""
    if url.startswith("sqlite"):
        return _sqlite_engine(url, statement_timeout)
    connect_args = _postgres_connect_args(make_url(url), connect_timeout, statement_timeout)
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _postgres_connect_args(url: URL, connect_timeout: int,
                           statement_timeout: float) -> dict[str, Any]:
    """psycopg's ``connect_timeout`` (a server that accepts and never answers), and the
    server's own ``statement_timeout``, sent in the start-up packet (no extra round trip).
    What the URL itself says is more specific and wins."""
    args: dict[str, Any] = {}
    if "connect_timeout" not in url.query:
        args["connect_timeout"] = connect_timeout
    if statement_timeout > 0:
        own = url.query.get("options")
        own = " ".join(own) if isinstance(own, tuple) else own
        # a later -c wins: the URL's options come after ours
        limit = f"-c statement_timeout={max(1, round(statement_timeout * 1000))}"
        args["options"] = f"{limit} {own}" if own else limit
    return args


def _sqlite_engine(url: str, statement_timeout: float) -> Engine:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "checkout", _sqlite_sync_mode)
    # pysqlite commits DDL outside any transaction: a run killed mid-migration would
    # leave tables without their alembic_version row, and every later run would fail.
    # SQLAlchemy's documented remedy: the driver does no transaction handling, we BEGIN.
    event.listen(engine, "begin", lambda connection: connection.exec_driver_sql("BEGIN"))
    if statement_timeout > 0:
        _limit_sqlite_statements(engine, statement_timeout)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _sqlite_sync_mode(dbapi_connection, _record, _proxy) -> None:  # type: ignore[no-untyped-def]
    """SQLite's fsync per commit (synchronous=FULL), except inside ``deferred_sync``."""
    mode = "NORMAL" if _DEFERRED.get() else "FULL"
    dbapi_connection.execute(f"PRAGMA synchronous={mode}")


@contextmanager
def deferred_sync(engine: Engine) -> Iterator[None]:
    """Many small commits (a file each) forced to disk together, once, on leaving.

    In WAL mode with synchronous=NORMAL a commit is written but not fsync'd: a killed process
    loses none of them and none is half-written (SQLite's atomicity is the same), only a
    power cut before the sync at the end could take the last ones back. An fsync per file
    took ~2 ms of each file's load (~10 ms) and of its answer in a month's run (measured:
    docs/benchmarks.md). PostgreSQL's commits are durable each (its own setting): nothing
    changes there."""
    token = _DEFERRED.set(True)
    try:
        yield
    except BaseException:
        _DEFERRED.reset(token)
        # what was committed before the failure is synced too; the failure is what is told
        with contextlib.suppress(Exception):
            _sync(engine)
        raise
    _DEFERRED.reset(token)
    _sync(engine)


def _sync(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        force_to_disk(engine)


def force_to_disk(engine: Engine) -> None:
    """Every commit so far on disk. A checkpoint syncs the WAL before it copies it into the
    database (SQLite's documented behaviour under synchronous=NORMAL); a passive one never
    waits. When a reader's snapshot kept it from copying every frame, the WAL file itself is
    synced: what it holds is then on disk, and what it no longer holds was synced by the
    checkpoint that copied it."""
    raw = engine.raw_connection()
    try:
        busy, log, copied = raw.driver_connection.execute(
            "PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    finally:
        raw.close()
    database = engine.url.database
    if (busy or copied < log) and database and database != ":memory:":
        wal = os.open(f"{database}-wal", os.O_RDONLY)
        try:
            os.fsync(wal)
        finally:
            os.close(wal)


def _limit_sqlite_statements(engine: Engine, seconds: float) -> None:
    """SQLite has no statement timeout: its progress handler, called while a statement
    runs, aborts the statement (``OperationalError: interrupted``) once past its deadline.
    The deadline is set when a statement starts and lifted when its execution ends (the
    rows an application fetches afterwards, at its own pace, are not limited)."""

    def arm(dbapi_connection: sqlite3.Connection, record: Any) -> None:
        info = record.info
        dbapi_connection.set_progress_handler(
            lambda: time.monotonic() > info.get(_DEADLINE, math.inf), SQLITE_CHECK_EVERY)

    def start(connection: Any, *_args: Any) -> None:
        connection.connection.info[_DEADLINE] = time.monotonic() + seconds

    def end(connection: Any, *_args: Any) -> None:
        connection.connection.info.pop(_DEADLINE, None)

    def failed(context: Any) -> None:
        # a statement that failed (or was stopped) must not leave its deadline behind for
        # the ROLLBACK that follows; an invalidated connection is discarded anyway
        connection = context.connection
        if connection is not None and not (connection.closed or connection.invalidated):
            end(connection)

    event.listen(engine, "connect", arm)
    event.listen(engine, "before_cursor_execute", start)
    event.listen(engine, "after_cursor_execute", end)
    event.listen(engine, "handle_error", failed)


def statement_timed_out(exc: OperationalError) -> bool:
    """The database stopped a statement that ran past the statement timeout (PostgreSQL's
    query_canceled, SQLite's progress handler) — not a connection that failed."""
    if isinstance(exc.orig, sqlite3.OperationalError):
        return str(exc.orig) == "interrupted"
    return getattr(exc.orig, "sqlstate", None) == "57014"  # query_canceled


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
