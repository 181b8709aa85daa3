"""The registry files of both hierarchies: 2024 (cell → district → province) and from
July 2025 (cell → commune → province), and the province's view of 2024."""

from __future__ import annotations

import pytest

from core.registry import Registry
from core.settings import DEFAULT_REGISTRY, PROJECT_ROOT

REGISTRIES = PROJECT_ROOT / "config" / "registry"


@pytest.fixture(scope="module")
def from_2025() -> Registry:
    return Registry.load(REGISTRIES / "lam-dong-2025")


@pytest.fixture(scope="module")
def province_2024() -> Registry:
    return Registry.load(REGISTRIES / "lam-dong-2024-province")


def codes(units) -> list[str]:
    return [u.code for u in units]


def test_from_july_2025_the_communes_are_directly_under_the_province(from_2025):
    assert codes(from_2025.children("LD", "2025-07")) == [
        "BLM1", "BLM2", "BLM3", "BLM4", "BLM5", "LDTCT"]
    assert [from_2025.get(f"BLM{n}").name for n in range(1, 6)] == [
        f"Đảng bộ xã Bảo Lâm {n}" for n in range(1, 6)]
    assert {from_2025.get(f"BLM{n}").level for n in range(1, 6)} == {"xa"}
    assert from_2025.get("LDTCT").level == "trung_tam"


def test_the_school_cells_are_new_rows_under_their_communes_from_july_2025(from_2025):
    assert codes(from_2025.reporting_cells("LD", "2025-06")) == ["BL01", "BL02", "BL03", "BL04"]
    assert codes(from_2025.reporting_cells("LD", "2025-07")) == [
        "BLM101", "BLM201", "BLM301", "BLM401"]
    assert codes(from_2025.reporting_cells("BLM1", "2025-07")) == ["BLM101"]
    assert from_2025.get("BLM101").name == from_2025.get("BL01").name
    assert codes(from_2025.reporting_cells("BLM5", "2025-07")) == []
    assert not from_2025.get("BL").active_in("2025-07")
    assert from_2025.target("BLM101", 2025, "hoc_sinh") == 6


def test_the_2024_rows_are_the_same_in_every_file(from_2025, province_2024):
    district = Registry.load(DEFAULT_REGISTRY)
    for code in ("LD", "BL", "BL01", "BL02", "BL03", "BL04"):
        mine = district.get(code)
        for other in (from_2025, province_2024):
            theirs = other.get(code)
            assert (theirs.name, theirs.level, theirs.parent_code, theirs.valid_to) == (
                mine.name, mine.level, mine.parent_code, mine.valid_to), code


def test_the_province_view_has_four_districts_with_their_cells(province_2024):
    districts = province_2024.children("LD", "2024-03")
    assert codes(districts) == ["BL", "BLC", "DL", "LH"]
    assert {d.level for d in districts} == {"huyen"}
    assert [len(province_2024.reporting_cells(d.code, "2024-03")) for d in districts] == [
        4, 3, 3, 3]
    assert province_2024.unit_for_sender("BLC").code == "BLC"
    assert province_2024.children("LD", "2025-07") == []
