"""A month's H07 (the same person on two cells' rosters) is settled once per set of
inputs: the run after files were taken in early checks the month's rosters in force
together (from the warehouse's rows: no file is read again); a run with nothing new changes
nothing; any change of what H07 depends on settles the month again."""

from __future__ import annotations

import pytest
from archive_reads import archive_reads
from factories import make_header, make_workbook
from inbox_files import drop
from sqlalchemy import select
from warehouse_snapshot import snapshot

from core.registry import Registry
from core.settings import Settings
from flows.intake import intake
from flows.monthly import monthly_consolidation
from services.levels import SAME_PERSON, DistrictLevel
from warehouse import models as m
from warehouse.db import make_engine, session_factory
from warehouse.unit_of_work import Warehouse

pytestmark = pytest.mark.usefixtures("prefect_server")

PERIOD = "2024-03"


def _workbook(unit: str, name: str) -> bytes:
    return make_workbook(header=make_header(unit, unit_name=name))  # the same people


def _settlings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each time the month's H07 is checked over its rosters in force: how many rosters."""
    import validations.run

    checks: list[int] = []
    original = validations.run.listed_elsewhere_stored

    def check(rosters, *args, **kwargs):  # type: ignore[no-untyped-def]
        checks.append(len(rosters))
        return original(rosters, *args, **kwargs)

    monkeypatch.setattr(validations.run, "listed_elsewhere_stored", check)
    return checks


def _naming(settings: Settings, cell: str) -> dict[str, int]:
    """unit -> how many H07 findings of its workbook in force name ``cell``."""
    with session_factory(make_engine(settings.database_url))() as session:
        found = session.execute(
            select(m.Submission.unit_code, m.Finding.message)
            .join(m.Finding, m.Finding.submission_id == m.Submission.id)
            .where(m.Submission.status == "accepted", m.Finding.rule_id == SAME_PERSON)).all()
    counts: dict[str, int] = {}
    for unit, text in found:
        if unit != cell:
            counts[unit] = counts.get(unit, 0) + (f"chi bộ {cell}" in text or f", {cell}" in text)
    return counts


def _h07(settings: Settings) -> dict[str, int]:
    """unit -> how many H07 findings its workbook in force carries."""
    with session_factory(make_engine(settings.database_url))() as session:
        rows = session.execute(
            select(m.Submission.unit_code, m.Finding.id)
            .join(m.Finding, m.Finding.submission_id == m.Submission.id, isouter=True)
            .where(m.Submission.status == "accepted")).all()
        found = session.execute(
            select(m.Submission.unit_code, m.Finding.rule_id)
            .join(m.Finding, m.Finding.submission_id == m.Submission.id)
            .where(m.Submission.status == "accepted", m.Finding.rule_id == SAME_PERSON)).all()
    counts = {unit: 0 for unit, _ in rows}
    for unit, _rule in found:
        counts[unit] += 1
    return counts


@pytest.mark.both_databases
def test_a_run_with_nothing_new_reads_no_file_again_and_changes_nothing(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # taken in one by one: BL01 was checked before BL02's roster (the same people) came
    drop(settings, "BL01", "BL01_2024-03.xlsx", _workbook("BL01", "Chi bộ Trường THPT Bảo Lộc"),
         day=10)
    intake(settings)
    drop(settings, "BL02", "BL02_2024-03.xlsx", _workbook("BL02", "Chi bộ Trường THPT Lộc An"),
         day=12)
    intake(settings)
    shared = _h07(settings)["BL02"]  # BL02 saw BL01's roster; BL01 was checked alone
    assert shared > 0 and _h07(settings) == {"BL01": 0, "BL02": shared}
    reads = archive_reads(monkeypatch)

    first = monthly_consolidation(PERIOD, settings)
    assert reads == []  # the month settled from the warehouse's rows, no file read again
    assert _h07(settings) == {"BL01": shared, "BL02": shared}
    after_first = snapshot(settings.database_url)

    checks = _settlings(monkeypatch)
    second = monthly_consolidation(PERIOD, settings)
    assert checks == []  # the same inputs: nothing to settle
    assert snapshot(settings.database_url) == after_first
    assert second.report.read_bytes() == first.report.read_bytes()


def test_a_new_file_in_force_settles_the_month_again(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    drop(settings, "BL01", "BL01_2024-03.xlsx", _workbook("BL01", "Chi bộ Trường THPT Bảo Lộc"),
         day=10)
    drop(settings, "BL02", "BL02_2024-03.xlsx", _workbook("BL02", "Chi bộ Trường THPT Lộc An"),
         day=12)
    monthly_consolidation(PERIOD, settings)  # one run saw both: nothing to settle after it
    shared = _h07(settings)["BL01"]
    assert shared > 0 and _h07(settings) == {"BL01": shared, "BL02": shared}
    drop(settings, "BL04", "BL04_2024-03.xlsx",
         _workbook("BL04", "Chi bộ Trường THCS-THPT Lộc Bắc"), day=14)
    intake(settings)  # BL04 saw the others; their findings do not name BL04 yet
    assert _naming(settings, "BL04") == {"BL01": 0, "BL02": 0}
    checks = _settlings(monkeypatch)
    monthly_consolidation(PERIOD, settings)
    assert len(checks) == 1  # BL04 came in through intake: the month is checked again
    assert _h07(settings) == {"BL01": shared, "BL02": shared, "BL04": shared}
    assert _naming(settings, "BL04") == {"BL01": shared, "BL02": shared}


def test_the_digest_changes_with_each_input_of_h07_and_only_with_them(
        settings: Settings, registry: Registry) -> None:
    Warehouse.of(settings).ready(registry)
    level = DistrictLevel.of(settings, registry)
    files = [(1, "a" * 64), (2, "b" * 64)]
    base = level.settle_inputs(files, PERIOD)
    assert level.settle_inputs([(7, "a" * 64), (9, "b" * 64)], PERIOD) == base  # ids: no
    assert level.settle_inputs(list(reversed(files)), PERIOD) != base
    assert level.settle_inputs(files[:1], PERIOD) != base
    assert level.settle_inputs(files, "2024-02") != base
    other_key = DistrictLevel.of(
        Settings.model_validate({**settings.model_dump(), "pid_hash_key": "another"}), registry)
    assert other_key.settle_inputs(files, PERIOD) != base
    units = list(registry.units.values())
    fewer = Registry(units[:-1], registry.targets)
    assert DistrictLevel.of(settings, fewer).settle_inputs(files, PERIOD) != base
