"""Integration tests run on both warehouses: every flow test that takes ``settings`` runs
once on the embedded SQLite and once on the real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellreports.settings import Settings


@pytest.fixture
def settings(tmp_path: Path, warehouse_url: str) -> Settings:
    return Settings(data_dir=tmp_path / "var", pid_hash_key="test-key",
                    warehouse_url=warehouse_url)
