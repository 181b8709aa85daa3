"""Shared fixtures: the registry, settings on a temporary folder, real databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.registry import Registry
from core.settings import DEFAULT_REGISTRY, Settings

pytest_plugins = ["mailservers"]

POSTGRES_ADMIN_URL = os.environ.get(
    "CELLREPORTS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def registry() -> Registry:
    return Registry.load(DEFAULT_REGISTRY)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "var", pid_hash_key="test-key")


def _postgres_reachable() -> str | None:
    try:
        engine = create_engine(POSTGRES_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # any failure means: no server for these tests
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {type(exc).__name__}"


@pytest.fixture(scope="session")
def postgres_server() -> str:
    reason = _postgres_reachable()
    if reason and os.environ.get("CELLREPORTS_REQUIRE_POSTGRES"):
        pytest.fail(f"{reason} (CELLREPORTS_REQUIRE_POSTGRES is set)")
    if reason:
        pytest.skip(reason)
    return POSTGRES_ADMIN_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database on the real server for one test, dropped afterwards."""
    name = f"cellreports_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_server).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name})
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every warehouse test runs on the embedded SQLite and on the real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(scope="session")
def libreoffice() -> str:
    """The soffice binary; skipped with its reason where absent, unless CI requires it."""
    from styles import soffice_path

    path = soffice_path()
    if path is None:
        reason = ("LibreOffice (soffice) is not installed: the .ods, .xls, LibreOffice-saved "
                  "and PDF tests need it (apt-get install libreoffice-calc-nogui)")
        if os.environ.get("CELLREPORTS_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail(f"{reason}; CELLREPORTS_REQUIRE_LIBREOFFICE=1 forbids skipping them")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One temporary Prefect server for the whole session (it costs seconds to start)."""
    from flows.quiet import quiet_prefect

    quiet_prefect()
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield
