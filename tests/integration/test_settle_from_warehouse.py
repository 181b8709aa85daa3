"""A month's H07 settled from the warehouse's rows gives exactly the findings the same rule
gives over the files in force read again from the archive (the way it was settled before):
on a month with a file taken in early, a rejected roster, a superseded version, three cells
sharing people, and one workbook with its own sheet names and column order. No file in
force from before is read from the archive (a run reads back only the files it takes in),
except once for a file loaded before the warehouse kept its layout."""

from __future__ import annotations

from dataclasses import replace

import pytest
from archive_reads import archive_reads
from factories import PERIOD, make_header, make_row, make_summary, make_workbook
from inbox_files import drop
from sqlalchemy import delete, select, update
from styles import STYLES

from core.form import RosterRow
from core.history import person_key
from core.registry import Registry
from core.settings import Settings
from flows.intake import intake
from flows.monthly import monthly_consolidation
from services.levels import SAME_PERSON, DistrictLevel
from validations.context import Context
from validations.frames import BatchItem
from validations.run import dedupe, listed_elsewhere
from warehouse import models as m
from warehouse.archive import Archive, sha256_of
from warehouse.db import make_engine, session_factory
from warehouse.unit_of_work import Warehouse

pytestmark = pytest.mark.usefixtures("prefect_server")

NAMES = {"BL01": "Chi bộ Trường THPT Bảo Lâm", "BL02": "Chi bộ Trường THPT Lộc An",
         "BL03": "Chi bộ Trường THPT Lộc Thành", "BL04": "Chi bộ Trường THCS-THPT Lộc Bắc"}
P, Q, R = 1, 2, 3  # people by their number in tests/factories.make_row
Row = tuple[str, str | None, int | None, str | None, str]  # severity, sheet, row, column, text


def _workbook(unit: str, *shared: int, broken: bool = False) -> bytes:
    """Two people of the cell's own, then the ``shared`` ones; ``broken``: an ERROR (R02)
    on the cell's own first person, so the file is rejected."""
    own = [make_row(100 * int(unit[2:]) + k, 2) for k in (1, 2)]
    rows: list[RosterRow] = [replace(row, stt=i) for i, row in
                             enumerate([*own, *map(make_row, shared)], start=1)]
    summary = make_summary(rows)
    if broken:
        rows = [replace(rows[0], birth_date=None, invalid={"birth_date": "31/02/2007"}),
                *rows[1:]]
    return make_workbook(header=make_header(unit, unit_name=NAMES[unit]), roster=rows,
                         summary=summary)


def _take_in_early_then_run(settings: Settings) -> None:
    """BL01 through intake, checked alone; the rest arrive, and the month's run settles
    BL01's H07 (it is in force and was not loaded by that run)."""
    styled = STYLES["reordered_columns"](STYLES["vietnamese_sheet_names"](
        _workbook("BL01", P, Q)))
    drop(settings, "BL01", "BL01.xlsx", styled, day=10)
    intake(settings)
    for day, (sender, name, content) in enumerate([
            ("BL03", "BL03_loi.xlsx", _workbook("BL03", P, broken=True)),
            ("BL02", "BL02.xlsx", _workbook("BL02", P, R)),
            ("BL04", "BL04_lan1.xlsx", _workbook("BL04", Q, R)),
            ("BL04", "BL04_lan2.xlsx", _workbook("BL04", R))], start=11):
        drop(settings, sender, name, content, day=day)


def _stored(settings: Settings) -> dict[str, tuple[int, list[Row]]]:
    """File name -> (submission id, its H07 findings), for the accepted files."""
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        files = session.execute(select(m.Submission.id, m.Submission.filename).where(
            m.Submission.status == "accepted")).all()
        found = {name: (sid, sorted(
            (f.severity, f.sheet, f.row, f.column, f.message) for f in session.scalars(
                select(m.Finding).where(m.Finding.submission_id == sid,
                                        m.Finding.rule_id == SAME_PERSON))))
            for sid, name in files}
    engine.dispose()
    return found


def _read_again(settings: Settings, registry: Registry) -> dict[int, list[Row]]:
    """The H07 findings of each file in force as the month was settled before: every file
    read again from the archive and checked by the in-memory rule together."""
    level = DistrictLevel.of(settings, registry)
    cells = [c.code for c in registry.reporting_cells(level.unit_code, PERIOD)]
    files = Warehouse.of(settings).files_in_force(cells, PERIOD)
    archive = Archive(settings.archive)
    outcomes = level.read([archive.read(sha) for _id, sha in files])
    context = Context(registry=registry, run_period=PERIOD, history=level.history(outcomes),
                      secret=settings.pid_key, unit_code=level.unit_code,
                      timezone=settings.timezone)
    found = listed_elsewhere([BatchItem(o.report) for o in outcomes],
                             [[] for _ in outcomes], context)
    return {sid: sorted((f.severity, f.sheet, f.row, f.column, f.message) for f in dedupe(more))
            for (sid, _sha), more in zip(files, found, strict=True)}


def _forget_settlements(settings: Settings, *, layouts: bool = False) -> None:
    """As if the month had never been settled (and, with ``layouts``, as if its files had
    been loaded before migration 0008)."""
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session, session.begin():
        session.execute(delete(m.Settlement))
        if layouts:
            session.execute(update(m.Submission).values(roster_sheet=None, pid_column=None))
    engine.dispose()


@pytest.mark.both_databases
def test_h07_settled_from_the_warehouse_equals_h07_over_the_files_read_again(
        settings: Settings, registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    _take_in_early_then_run(settings)
    before = _stored(settings)
    # intake checked BL01 alone: P and Q were on no other roster yet
    assert before["BL01.xlsx"][1] == []

    received = {sha256_of(p.read_bytes()) for p in settings.inbox.rglob("*") if p.is_file()}
    reads = archive_reads(monkeypatch)
    monthly_consolidation(PERIOD, settings)
    # settled from the warehouse's rows: the only files read are those the run took in
    # (read back from the archive it put them in), never BL01, in force from before
    assert reads and set(reads) <= received

    settled = _stored(settings)
    assert set(settled) == {"BL01.xlsx", "BL02.xlsx", "BL04_lan2.xlsx"}
    expected = _read_again(settings, registry)
    assert {sid: found for sid, found in settled.values()} == expected
    # and what that is: P is on BL01's and BL02's rosters, R on BL02's and BL04's second
    # version; neither BL03's rejected roster nor BL04's superseded one counts
    p, q, r = (make_row(n).full_name for n in (P, Q, R))
    texts = {name: [text for *_where, text in found] for name, (_id, found) in settled.items()}
    assert [t for t in texts["BL01.xlsx"]] == [
        f"Người ở dòng {settled['BL01.xlsx'][1][0][2]} ({p}) cũng có trong danh sách của "
        "chi bộ BL02 cùng kỳ (cùng số định danh cá nhân). Đề nghị hai chi bộ thống nhất."]
    assert all(q not in t for found in texts.values() for t in found)
    assert sorted(t.split("(")[1].split(")")[0] for t in texts["BL02.xlsx"]) == sorted([p, r])
    assert len(texts["BL04_lan2.xlsx"]) == 1 and f"({r})" in texts["BL04_lan2.xlsx"][0]
    # BL01's finding points at its own sheet and its own column of numbers
    (_severity, sheet, _row, column, _text), = settled["BL01.xlsx"][1]
    default = settled["BL02.xlsx"][1][0]
    assert sheet == "Danh sách" and default[1] == "DanhSach"
    assert column is not None and column != default[3]
    # and it read only the rows another cell's roster lists: the only ones it can flag
    _settling_read_only_rows_another_cell_lists(settings)


def _settling_read_only_rows_another_cell_lists(settings: Settings) -> None:
    """Of the month's rosters (every file, superseded and rejected too), the settling reads
    exactly the rows whose person another unit's accepted roster lists."""
    warehouse = Warehouse.of(settings)
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:  # every file, superseded and rejected too
        ids = list(session.scalars(select(m.Submission.id).order_by(m.Submission.id)))
    engine.dispose()
    listed = warehouse.people_in_force(PERIOD)
    whole, shared = warehouse.stored_rosters(ids), warehouse.stored_rosters(ids, PERIOD)
    assert [r.unit_code for r in shared] == [r.unit_code for r in whole]
    for everything, part in zip(whole, shared, strict=True):
        assert part.rows == [row for row in everything.rows
                             if listed.get(row.person_key, set()) - {everything.unit_code}]
    kept = {row.full_name for roster in shared for row in roster.rows}
    # P and R are on two cells' rosters in force; Q too, once BL04's superseded first
    # version is checked against BL01's; each cell's own two people are on no other
    assert kept == {make_row(n).full_name for n in (P, Q, R)}
    assert sum(map(len, (r.rows for r in shared))) < sum(map(len, (r.rows for r in whole)))


def test_files_loaded_before_the_layout_was_kept_are_read_once_to_keep_it(
        settings: Settings, registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    _take_in_early_then_run(settings)
    monthly_consolidation(PERIOD, settings)
    settled = _stored(settings)
    _forget_settlements(settings, layouts=True)
    reads = archive_reads(monkeypatch)

    monthly_consolidation(PERIOD, settings)
    assert len(reads) == 3  # the three files in force, once, for their layout
    assert _stored(settings) == settled

    _forget_settlements(settings)
    reads.clear()
    monthly_consolidation(PERIOD, settings)
    assert reads == []  # kept now: settled from the rows again
    assert _stored(settings) == settled


def test_a_batchs_history_holds_who_else_lists_its_own_people_and_no_one_else(
        settings: Settings, registry: Registry) -> None:
    """A batch asks the warehouse who else lists the people on its own rosters, not about
    the whole month (each batch of a streamed month would read every roster loaded before
    it): for those people, the same answer as the whole month's."""
    _take_in_early_then_run(settings)
    monthly_consolidation(PERIOD, settings)
    level = DistrictLevel.of(settings, registry)
    # a batch of one file: BL04's last version, listing R (also on BL02's roster)
    [outcome] = level.read([_workbook("BL04", R)])
    batch = level.history([outcome]).people_elsewhere
    month = Warehouse.of(settings).history([("BL04", PERIOD)]).people_elsewhere
    r = person_key(make_row(R).pid, make_row(R).full_name, make_row(R).birth_date,
                   settings.pid_key)
    mine = {person_key(row.pid, row.full_name, row.birth_date, settings.pid_key)
            for row in outcome.report.roster}
    assert batch == {key: units for key, units in month.items() if key[1] in mine}
    assert batch[(PERIOD, r)] == {"BL02", "BL04"}
    assert len(month) > len(batch)  # BL01's people P and Q, and the others', left out
