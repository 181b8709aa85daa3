"""Rule H07 through the monthly flow (on SQLite): only the rosters in force
count as another cell's — a version superseded by the cell's newer accepted one no longer
does, and a rejected file never does."""

from __future__ import annotations

from dataclasses import replace

import pytest
from factories import make_header, make_row, make_summary, make_workbook
from inbox_files import drop
from sqlalchemy import select

from core.form import RosterRow
from core.settings import Settings
from warehouse import models as m
from warehouse.db import make_engine, session_factory

pytestmark = pytest.mark.usefixtures("prefect_server")

NAMES = {"BL01": "Chi bộ Trường THPT Bảo Lâm", "BL02": "Chi bộ Trường THPT Lộc An",
         "BL03": "Chi bộ Trường THPT Lộc Thành", "BL04": "Chi bộ Trường THCS-THPT Lộc Bắc"}
P, Q = 1, 2  # two people, by their number in tests/factories.make_row


def _roster(unit: str, *shared: int) -> list[RosterRow]:
    """Two people of the cell's own, then the ``shared`` ones (the same name, date of birth
    and identification number in every cell that lists them)."""
    own = [make_row(100 * int(unit[2:]) + k, 2) for k in (1, 2)]
    return [replace(row, stt=i) for i, row in enumerate([*own, *map(make_row, shared)],
                                                          start=1)]


def _workbook(unit: str, rows: list[RosterRow], *, broken: bool = False) -> bytes:
    summary = make_summary(rows)
    if broken:  # an impossible date of birth (R02, an ERROR) on the cell's own first person
        rows = [replace(rows[0], birth_date=None, invalid={"birth_date": "31/02/2007"}),
                *rows[1:]]
    return make_workbook(header=make_header(unit, unit_name=NAMES[unit]), roster=rows,
                         summary=summary)


def _findings(settings: Settings) -> dict[str, tuple[str, list[str]]]:
    """File name -> (status, the full names on the rows H07 points at)."""
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        submissions = session.scalars(select(m.Submission)).all()
        h07 = session.execute(select(m.Finding.submission_id, m.Finding.row).where(
            m.Finding.rule_id == "H07")).all()
        names = {(r.submission_id, r.excel_row): r.full_name
                 for r in session.scalars(select(m.RosterFact))}
    engine.dispose()
    rows = {s.id: (s.filename, s.status) for s in submissions}
    found = {name: (status, []) for name, status in rows.values()}
    for submission_id, row in h07:
        found[rows[submission_id][0]][1].append(names.get((submission_id, row), f"row {row}"))
    return {name: (status, sorted(people)) for name, (status, people) in found.items()}


def test_only_rosters_in_force_count_as_another_cells(settings: Settings) -> None:
    from flows.monthly import monthly_consolidation

    p, q = make_row(P).full_name, make_row(Q).full_name
    # run 1: BL01 lists P; BL03's roster lists P too but is rejected
    drop(settings, "BL01", "BL01_lan1.xlsx", _workbook("BL01", _roster("BL01", P)))
    drop(settings, "BL03", "BL03_loi.xlsx", _workbook("BL03", _roster("BL03", P), broken=True))
    monthly_consolidation("2024-03", settings)
    first = _findings(settings)
    assert first["BL03_loi.xlsx"][0] == "rejected"
    assert first["BL01_lan1.xlsx"] == ("accepted", [])

    # run 2: BL01's corrected version lists Q instead of P; BL02 now lists P, BL04 lists Q
    drop(settings, "BL01", "BL01_lan2.xlsx", _workbook("BL01", _roster("BL01", Q)), day=22)
    drop(settings, "BL02", "BL02.xlsx", _workbook("BL02", _roster("BL02", P)), day=22)
    drop(settings, "BL04", "BL04.xlsx", _workbook("BL04", _roster("BL04", Q)), day=22)
    monthly_consolidation("2024-03", settings)
    second = _findings(settings)
    assert second["BL01_lan1.xlsx"][0] == "superseded"
    # P is in force only at BL02 now: neither BL01's first version nor BL03's rejected
    # roster makes it someone else's
    assert second["BL02.xlsx"] == ("accepted", [])
    # Q is on two rosters in force: each cell is told, across the batch
    assert second["BL01_lan2.xlsx"] == ("accepted", [q])
    assert second["BL04.xlsx"] == ("accepted", [q])
    assert p not in {name for _status, people in second.values() for name in people}
