"""Shared fixtures: the registry, settings on a temporary folder, real databases.

The suite runs on every core (pytest-xdist, ``-n`` in pyproject.toml): each worker is a
pytest session of its own, with its own session fixtures (one temporary Prefect server, one
Dovecot, one GX context), its own Prefect home for the CLI runs it starts, and databases
named uniquely. Each test file runs whole on one worker (``--dist loadfile``), so that a
module-scoped fixture (a demo run, a month's run) is built once. ``-n 0`` runs the suite in
one process, with the same fixtures."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.registry import Registry
from core.settings import DEFAULT_REGISTRY, Settings

pytest_plugins = ["mailservers", "desk_site", "browser"]

POSTGRES_ADMIN_URL = os.environ.get(
    "CELLREPORTS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
WAREHOUSES = ("sqlite", "postgresql")
# the Prefect home of this worker's CLI runs (pytest_configure)
_PREFECT_HOME: list[str] = []


def pytest_configure(config: pytest.Config) -> None:
    """Before any test of this process (the xdist controller and each worker):

    - the GX Data Docs site is off unless a test turns it on (``data_docs=True``, or
      ``CELLREPORTS_DATA_DOCS`` in a child's environment): building it costs about a second
      a run and only the tests that look at the site need it (Settings.data_docs). A value
      set outside the suite wins.
    - the CLI runs the tests start without ``PREFECT_API_URL`` (each then starts Prefect's
      temporary server) keep its database in a Prefect home of this process: not the
      developer's ~/.prefect, never shared by two workers' runs at once (SQLite's "database
      is locked"). Tests that play a user's fresh shell set their own."""
    os.environ.setdefault("CELLREPORTS_DATA_DOCS", "false")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    home = tempfile.mkdtemp(prefix=f"cellreports-prefect-home-{worker}-")
    _PREFECT_HOME.append(home)
    os.environ["PREFECT_HOME"] = home


def pytest_unconfigure(config: pytest.Config) -> None:
    for home in _PREFECT_HOME:
        shutil.rmtree(home, ignore_errors=True)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``warehouse_url`` (and what builds on it: the integration tests' ``settings`` and
    ``sessions``) is the embedded SQLite; a test marked ``both_databases`` runs on the real
    PostgreSQL too. The mark is for what depends on the database itself: locks, concurrency,
    migrations, crash safety, what a column stores and gives back, and the flows' main
    paths (pyproject.toml, markers)."""
    if "warehouse_url" in metafunc.fixturenames:
        both = metafunc.definition.get_closest_marker("both_databases") is not None
        metafunc.parametrize("warehouse_url", WAREHOUSES if both else WAREHOUSES[:1],
                             indirect=True)


@pytest.fixture(autouse=True)
def _no_lasting_workers_between_tests() -> Iterator[None]:
    """A lasting worker process (services.workers) a test started is closed after it: where
    a run checks its files depends on whether one is already there (services.levels), and
    the next test must not find one."""
    yield
    from services import workers

    if workers._lasting:
        workers._close_lasting()


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


@pytest.fixture
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A warehouse on the embedded SQLite, or (``both_databases``) also a fresh database on
    the real PostgreSQL (pytest_generate_tests)."""
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
