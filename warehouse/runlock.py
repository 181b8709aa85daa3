"""One run at a time per lock name (a flow and its unit: ``monthly-BL``): two runs for the
same month would read the same inbox and race to load the same files. PostgreSQL: a
session-level advisory lock (held by the database, released if the process dies). SQLite:
an OS lock on a file beside the database (released by the OS if the process dies)."""

from __future__ import annotations

import fcntl
import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from core.errors import CellreportsError

POLL_SECONDS = 0.5


class RunLockTimeout(CellreportsError):
    """Another run held the warehouse for longer than we were willing to wait."""

    heading = "Another run holds the warehouse"
    exit_code = 3


def lock_id(name: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@contextmanager
def run_lock(engine: Engine, name: str, *, timeout: float = 3600,
             on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the lock ``name`` for the block; wait (calling ``on_wait`` once) while another
    process holds it; give up with :class:`RunLockTimeout` after ``timeout`` seconds."""
    if engine.dialect.name == "postgresql":
        with _postgres_lock(engine, name, timeout, on_wait):
            yield
    else:
        with _file_lock(_lock_file(engine, name), timeout, on_wait):
            yield


def _wait(try_lock: Callable[[], bool], timeout: float, name: str,
          on_wait: Callable[[], None] | None) -> None:
    deadline = time.monotonic() + timeout
    told = False
    while not try_lock():
        if not told and on_wait is not None:
            on_wait()
        told = True
        if time.monotonic() > deadline:
            raise RunLockTimeout(f"another run still holds {name!r} after {timeout:.0f} s")
        time.sleep(POLL_SECONDS)


@contextmanager
def _postgres_lock(engine: Engine, name: str, timeout: float,
                   on_wait: Callable[[], None] | None) -> Iterator[None]:
    key = lock_id(name)
    with engine.connect() as connection:
        def try_lock() -> bool:
            got = connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
            connection.commit()
            return bool(got.scalar())

        _wait(try_lock, timeout, name, on_wait)
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            connection.commit()


def _lock_file(engine: Engine, name: str) -> Path:
    database = engine.url.database
    folder = Path(database).resolve().parent if database and database != ":memory:" \
        else Path.cwd()
    safe = "".join(c if c.isalnum() else "-" for c in name)
    return folder / f".{safe}.lock"


@contextmanager
def _file_lock(path: Path, timeout: float,
               on_wait: Callable[[], None] | None) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        def try_lock() -> bool:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                return False

        _wait(try_lock, timeout, path.name, on_wait)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
