"""Rule F04, the unit being consolidated: with a registry wider than the run's unit (the
province's), a cell of another district or commune is refused with the unit it belongs to,
and its roster makes no false H07 on a genuine cell; a cell at any depth below the run's
unit is its own. Without a unit in the context every cell of the registry is accepted."""

from __future__ import annotations

import pytest
from factories import make_header, make_roster, make_summary, make_workbook

from core.findings import ERROR, Finding
from core.form import CellReport
from core.registry import Registry
from core.settings import PROJECT_ROOT
from forms.dispatch import read_any
from validations.context import Context
from validations.frames import BatchItem
from validations.run import validate_batch

REGISTRIES = PROJECT_ROOT / "config" / "registry"
PERIOD, PERIOD_2025 = "2024-03", "2025-09"


@pytest.fixture(scope="module")
def province() -> Registry:
    """Lâm Đồng in 2024: the districts BL, BLC, DL, LH and their school cells."""
    return Registry.load(REGISTRIES / "lam-dong-2024-province")


@pytest.fixture(scope="module")
def communes() -> Registry:
    """Lâm Đồng from July 2025: cells directly under the communes BLM1…BLM4."""
    return Registry.load(REGISTRIES / "lam-dong-2025")


def _report(registry: Registry, code: str, period: str = PERIOD) -> CellReport:
    """A clean report of ``code``, every cell listing the same people (same numbers)."""
    unit = registry.get(code)
    assert unit is not None
    roster = make_roster()
    content = make_workbook(header=make_header(code, period, unit_name=unit.name),
                            roster=roster, summary=make_summary(roster, period))
    report = read_any(content).report
    assert report is not None
    return report


def _validate(registry: Registry, unit_code: str | None, reports: list[CellReport],
              period: str = PERIOD) -> list[list[Finding]]:
    """As the officer drops them in the inbox root (a sender trusted for every unit)."""
    context = Context(registry=registry, run_period=period, unit_code=unit_code)
    return validate_batch([BatchItem(r) for r in reports], registry, period, context)


def test_a_cell_of_another_district_is_refused_naming_its_district(province: Registry) -> None:
    genuine, foreign = _report(province, "BL01"), _report(province, "BLC01")
    found_bl01, found_blc01 = _validate(province, "BL", [genuine, foreign])
    f04 = [f for f in found_blc01 if f.rule_id == "F04"]
    assert [(f.severity, f.sheet, f.row, f.column) for f in f04] == [
        (ERROR, "ThongTin", foreign.header.cells["unit_code"].row, "B")]
    assert f04[0].message.startswith(
        "Chi bộ BLC01 (Chi bộ Trường THPT Bảo Lộc) thuộc Đảng bộ thành phố Bảo Lộc, "
        "không thuộc Đảng bộ huyện Bảo Lâm; đề nghị gửi báo cáo cho Đảng bộ thành phố Bảo Lộc")
    # the refused roster is not "another cell's": the genuine file stays clean (no H07)
    assert found_bl01 == []


def test_without_the_consolidating_unit_every_cell_of_the_registry_is_accepted(
        province: Registry) -> None:
    """Today's behaviour, kept for callers that do not say which unit they consolidate."""
    _found_bl01, found_blc01 = _validate(province, None, [_report(province, "BL01"),
                                                          _report(province, "BLC01")])
    assert not any(f.is_error for f in found_blc01)


def test_a_province_wide_run_takes_the_cells_two_levels_below(province: Registry) -> None:
    found = _validate(province, "LD", [_report(province, "BL01"), _report(province, "DL01")])
    assert [[f for f in one if f.is_error] for one in found] == [[], []]


def test_in_2025_a_commune_takes_its_own_cells_and_refuses_another_communes(
        communes: Registry) -> None:
    own, other = _report(communes, "BLM101", PERIOD_2025), _report(communes, "BLM201",
                                                                  PERIOD_2025)
    found_own, found_other = _validate(communes, "BLM1", [own, other], PERIOD_2025)
    assert not any(f.is_error for f in found_own)
    assert not any(f.rule_id == "H07" for f in found_own)
    f04 = [f for f in found_other if f.rule_id == "F04"]
    assert len(f04) == 1 and f04[0].is_error
    assert "thuộc Đảng bộ xã Bảo Lâm 2, không thuộc Đảng bộ xã Bảo Lâm 1" in f04[0].message
