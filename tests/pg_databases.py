"""Extra empty databases on the real PostgreSQL server for one test, dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextmanager
def postgres_databases(admin_url: str, prefix: str) -> Iterator[Callable[[str], str]]:
    """``fresh(name)`` creates an empty database and returns its URL; every database made
    is dropped on exit, its connections ended first."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def fresh(name: str) -> str:
        database = f"{prefix}_{uuid.uuid4().hex[:10]}_{name}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{database}"'))
        created.append(database)
        return make_url(admin_url).set(database=database).render_as_string(
            hide_password=False)

    try:
        yield fresh
    finally:
        with admin.connect() as connection:
            for database in created:
                connection.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n"), {"n": database})
                connection.execute(text(f'DROP DATABASE IF EXISTS "{database}"'))
        admin.dispose()
