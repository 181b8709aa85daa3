"""``settings`` and ``sessions`` on the test's warehouse (``warehouse_url``): the embedded
SQLite, and the real PostgreSQL too for a test marked ``both_databases`` (tests/conftest.py).
The GX Data Docs site is off, as in the whole suite, unless a test turns it on."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.registry import Registry
from core.settings import Settings
from warehouse.db import make_engine, session_factory, upgrade
from warehouse.load import sync_registry


@pytest.fixture
def settings(tmp_path: Path, warehouse_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "var", pid_hash_key="test-key",
                    warehouse_url=warehouse_url)


@pytest.fixture
def sessions(warehouse_url: str, registry: Registry):  # type: ignore[no-untyped-def]
    """Sessions on a warehouse at the latest schema with the test's registry mirrored in
    (approval and locks look units up there)."""
    engine = make_engine(warehouse_url)
    upgrade(engine)
    factory = session_factory(engine)
    with factory() as session:
        sync_registry(session, registry)
    yield factory
    engine.dispose()
