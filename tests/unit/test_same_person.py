"""Rule H07: a person on the rosters of two cells in the same period. Only rosters that are
accepted in the end count as "the other cell's": not a rejected file (a cell that closed
after a merge and still sends its roster, a file with an error), not a version that a
newer accepted one supersedes, in the batch or in the warehouse."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from factories import PERIOD, make_header, make_row, make_summary, make_workbook

from core.form import RosterRow
from core.history import History, person_key
from core.registry import Registry, Unit
from forms.reader import read_cell_report
from validations.context import Context
from validations.frames import BatchItem
from validations.run import validate_batch

SECRET = b"same-person-test"
NAMES = {"BL01": "Chi bộ Trường THPT Bảo Lâm", "BL02": "Chi bộ Trường THPT Lộc An",
         "BL05": "Chi bộ Trường THCS Lộc Quảng"}
# P: the person both cells list; each cell's other people are its own
P = make_row(1, 2)


def _own(unit: str, count: int = 3) -> list[RosterRow]:
    """``count`` people only ``unit`` lists (their own names and numbers)."""
    base = {"BL01": 100, "BL02": 200, "BL05": 500}[unit]
    return [replace(make_row(base + k, 2), stt=k) for k in range(1, count + 1)]


def _report(unit: str, with_p: bool, **header: object) -> BatchItem:
    rows = _own(unit)
    if with_p:
        rows = [*rows, replace(P, stt=len(rows) + 1)]
    content = make_workbook(header=make_header(unit, unit_name=NAMES[unit], **header),
                            roster=rows, summary=make_summary(rows))
    return BatchItem(read_cell_report(content))


def _rejected(unit: str) -> BatchItem:
    """A roster listing P with an ERROR elsewhere (an impossible date of birth, R02)."""
    item = _report(unit, True)
    report = item.report
    assert report is not None
    roster = list(report.roster)
    roster[0] = replace(roster[0], birth_date=None, invalid={"birth_date": "31/02/2007"})
    return BatchItem(replace(report, roster=roster))


def _p_row(item: BatchItem) -> int:
    assert item.report is not None
    return next(r.excel_row for r in item.report.roster if r.pid == P.pid)


def _h07(found: list) -> list[int | None]:  # type: ignore[type-arg]
    return [f.row for f in found if f.rule_id == "H07"]


def _context(registry: Registry, history: History | None = None) -> Context:
    return Context(registry=registry, run_period=PERIOD, secret=SECRET,
                   history=history or History())


@pytest.fixture(scope="module")
def after_a_merge(registry: Registry) -> Registry:
    """The test registry plus BL05, a cell that closed at the end of January 2024 (its
    people went to BL01) and still sends its March roster."""
    closed = Unit("BL05", NAMES["BL05"], "chi_bo", "BL", None, date(2024, 1, 31), ("BL05",))
    return Registry([*registry.units.values(), closed], registry.targets)


def test_a_closed_cells_rejected_roster_gives_no_h07_to_the_cell_that_took_its_people(
        after_a_merge: Registry) -> None:
    bl01, bl05 = _report("BL01", True), _report("BL05", True)
    found_01, found_05 = validate_batch([bl01, bl05], after_a_merge, PERIOD,
                                        _context(after_a_merge))
    assert "F04" in {f.rule_id for f in found_05 if f.is_error}
    assert _h07(found_01) == []
    # the closed cell is told where its person is now
    assert _h07(found_05) == [_p_row(bl05)]


def test_a_roster_with_an_error_gives_no_h07_to_an_accepted_one(registry: Registry) -> None:
    accepted, rejected = _report("BL01", True), _rejected("BL02")
    found, found_rejected = validate_batch([accepted, rejected], registry, PERIOD,
                                           _context(registry))
    assert any(f.is_error for f in found_rejected)
    assert _h07(found) == []


def test_two_accepted_cells_still_give_h07_both_ways(registry: Registry) -> None:
    items = [_report("BL01", True), _report("BL02", True)]
    found = validate_batch(items, registry, PERIOD, _context(registry))
    assert not any(f.is_error for one in found for f in one)
    assert [_h07(one) for one in found] == [[_p_row(items[0])], [_p_row(items[1])]]
    assert all("BL01" in f.message for f in found[1] if f.rule_id == "H07")
    assert all("BL02" in f.message for f in found[0] if f.rule_id == "H07")


def _on_record(unit: str) -> History:
    """The warehouse: ``unit``'s accepted March roster lists P."""
    return History(people_elsewhere={(PERIOD, person_key(P.pid, P.full_name, P.birth_date,
                                                          SECRET)): {unit}})


def test_a_newer_accepted_version_without_the_person_supersedes_the_warehouses(
        registry: Registry) -> None:
    items = [_report("BL01", False, report_date=date(2024, 3, 22)), _report("BL02", True)]
    found = validate_batch(items, registry, PERIOD, _context(registry, _on_record("BL01")))
    assert _h07(found[1]) == []


def test_a_rejected_newer_version_leaves_the_warehouses_roster_in_force(
        registry: Registry) -> None:
    newer = _rejected("BL01")
    items = [BatchItem(replace(newer.report, roster=[  # type: ignore[arg-type]
        r for r in newer.report.roster if r.pid != P.pid])), _report("BL02", True)]
    found = validate_batch(items, registry, PERIOD, _context(registry, _on_record("BL01")))
    assert any(f.is_error for f in found[0])
    assert _h07(found[1]) == [_p_row(items[1])]


def test_the_latest_accepted_version_of_the_batch_is_the_one_in_force(
        registry: Registry) -> None:
    """BL01 sends P, then a corrected version without P, in the same run."""
    items = [_report("BL01", True), _report("BL01", False), _report("BL02", True)]
    found = validate_batch(items, registry, PERIOD, _context(registry))
    assert _h07(found[2]) == []


def test_across_two_chunks_the_same_as_one_batch(after_a_merge: Registry) -> None:
    """Validated in chunks (a Dask cluster, validate_chunk_size), each chunk without H07,
    then H07 once over the whole run: the findings of one batch."""
    from validations.run import dedupe, listed_elsewhere

    items = [_report("BL01", True), _report("BL05", True), _report("BL02", True)]
    context = _context(after_a_merge)
    together = validate_batch(items, after_a_merge, PERIOD, context)
    apart = [found for chunk in (items[:1], items[1:])
             for found in validate_batch(chunk, after_a_merge, PERIOD, context,
                                         same_person=False)]
    assert not any(f.rule_id == "H07" for one in apart for f in one)
    more = listed_elsewhere(items, apart, context)
    assert [dedupe(first + second) for first, second in zip(apart, more, strict=True)] \
        == together
    assert [len(_h07(one)) for one in together] == [1, 1, 1]
