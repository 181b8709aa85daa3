"""A run's many small commits (one per file) are forced to disk once, together, not one by
one — and are on disk when the run goes on to take files out of their inbox."""

from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import text

from warehouse.db import deferred_sync, force_to_disk, make_engine


def _synchronous(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.execute(text("PRAGMA synchronous")).scalar_one())


def _engine(tmp_path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'w.sqlite'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (a INTEGER)"))
    return engine


FULL, NORMAL = 2, 1


def test_commits_are_synced_one_by_one_except_inside_deferred_sync(tmp_path):
    engine = _engine(tmp_path)
    assert _synchronous(engine) == FULL
    with deferred_sync(engine):
        assert _synchronous(engine) == NORMAL
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
    assert _synchronous(engine) == FULL  # the same pooled connection, back to FULL


def test_leaving_deferred_sync_copies_the_wal_into_the_database(tmp_path):
    engine = _engine(tmp_path)
    with deferred_sync(engine):
        for value in range(20):
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO t VALUES (:v)"), {"v": value})
    # a checkpoint has nothing left to copy: the one on leaving copied (and synced) it all
    with sqlite3.connect(tmp_path / "w.sqlite") as probe:
        _busy, log, copied = probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert log == copied


def test_a_reader_holding_an_old_snapshot_gets_the_wal_file_synced_by_hand(tmp_path,
                                                                           monkeypatch):
    engine = _engine(tmp_path)
    reader = sqlite3.connect(tmp_path / "w.sqlite", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM t").fetchone()  # its snapshot pins the WAL
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
    synced: list[str] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.readlink(
        f"/proc/self/fd/{fd}")) or real_fsync(fd))
    force_to_disk(engine)
    reader.execute("COMMIT")
    assert synced == [f"{tmp_path / 'w.sqlite'}-wal"]


def test_a_complete_checkpoint_needs_no_sync_by_hand(tmp_path, monkeypatch):
    engine = _engine(tmp_path)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    force_to_disk(engine)
    assert synced == []


def test_postgresql_commits_are_left_as_they_are(postgres_server):
    engine = make_engine(postgres_server)
    with deferred_sync(engine), engine.connect() as connection:
        assert connection.execute(text("SHOW synchronous_commit")).scalar_one() == "on"


def test_a_failure_inside_still_syncs_what_was_committed_and_is_what_is_raised(tmp_path):
    engine = _engine(tmp_path)
    with pytest.raises(ZeroDivisionError), deferred_sync(engine):
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO t VALUES (1)"))
        1 / 0  # noqa: B018
    assert _synchronous(engine) == FULL
    with sqlite3.connect(tmp_path / "w.sqlite") as probe:
        _busy, log, copied = probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert log == copied
