"""One planted defect per rule of RULES.md: exactly that rule's finding, at its cell.

The whole corpus is validated in ONE batch (one GX run per frame), as the flow does.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import date

import pytest
from factories import PERIOD, make_header, make_roster, make_row, make_summary, make_workbook

from core import layout
from core.findings import SEVERITY
from core.form import RosterRow
from core.history import History, PastPerson, PastReport, certificate_key, person_key
from forms.dispatch import read_any
from forms.reader import read_cell_report
from validations.context import Context
from validations.frames import BatchItem
from validations.run import validate_batch

SECRET = b"rules-test"
CLEAN = read_cell_report(make_workbook())
ROW = {r.stt: r.excel_row for r in CLEAN.roster}  # STT -> Excel row
COL = CLEAN.roster_columns
SUMMARY_ROW = {code: line.excel_row for code, line in CLEAN.summary.items()}
INFO_ROW = {field: ref.row for field, ref in CLEAN.header.cells.items()}


def born(row: RosterRow, day: date) -> RosterRow:
    """Change the date of birth and keep the identification number consistent with it."""
    digit = {("Nam", 19): "0", ("Nữ", 19): "1", ("Nam", 20): "2", ("Nữ", 20): "3"}[
        (row.gender or "Nam", day.year // 100)]
    pid = f"068{digit}{day.year % 100:02d}{(row.pid or '0' * 12)[6:]}"
    return replace(row, birth_date=day, pid=pid)


def roster_with(number: int, /, **changes: object) -> list[RosterRow]:
    rows = make_roster()
    rows[number - 1] = replace(rows[number - 1], **changes)
    return rows


def workbook(rows: list[RosterRow], **summary_overrides: int) -> bytes:
    return make_workbook(roster=rows, summary=make_summary(rows, **summary_overrides))


def with_macro(content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 fake vba project")
    return out.getvalue()


def _young() -> list[RosterRow]:
    rows = make_roster()
    rows[5] = born(rows[5], date(2006, 3, 1))  # 214 months at the 10/01/2024 resolution
    return rows


def _old() -> list[RosterRow]:
    rows = make_roster()
    rows[5] = born(replace(rows[5], population="vien_chuc", class_or_position="Giáo viên"),
                   date(1962, 12, 1))
    return rows


DR, SUM, INFO = layout.SHEET_ROSTER, layout.SHEET_SUMMARY, layout.SHEET_INFO

# name -> (workbook, sender, [(rule, sheet, row, column), ...])
CASES = {
    "F05 sender not allowed": (make_workbook(), "BL02",
                               [("F05", INFO, INFO_ROW["unit_code"], "B")]),
    "F04 the district's own code": (
        make_workbook(header=make_header(unit_code="BL", unit_name="Đảng bộ huyện Bảo Lâm")), "",
        [("F04", INFO, INFO_ROW["unit_code"], "B")]),
    "F03 period typo": (make_workbook(header=make_header(invalid={"period": "03/1500"})), "",
                        [("F03", INFO, INFO_ROW["period"], "B")]),
    "R02 year typo": (workbook(roster_with(2, birth_date=None,
                                           invalid={"birth_date": "01/01/1600"})), "",
                      [("R02", DR, ROW[2], COL["birth_date"])]),
    "R02 a year alone": (workbook(roster_with(2, stage_date=None,
                                              invalid={"stage_date": "2023"})), "",
                         [("R02", DR, ROW[2], COL["stage_date"])]),
    "X02 absurd count": (workbook(make_roster(), TH01_hoc_sinh=3_000_000_000), "",
                         [("X02", SUM, SUMMARY_ROW["TH01"], "C")]),
    "F08 name differs": (make_workbook(header=make_header(unit_name="Chi bộ THPT Bảo Lâm cũ")), "",
                         [("F08", INFO, INFO_ROW["unit_name"], "B")]),
    "F09 macros": (with_macro(make_workbook()), "", [("F09", None, None, None)]),
    "R04 eleven characters": (workbook(roster_with(2, pid="06820500000X")), "",
                              [("R04", DR, ROW[2], COL["pid"])]),
    "R04 gender digit": (workbook(roster_with(2, pid="068305000002")), "",
                         [("R04", DR, ROW[2], COL["pid"])]),
    "R04 year digits": (workbook(roster_with(2, pid="068207000002")), "",
                        [("R04", DR, ROW[2], COL["pid"])]),
    "R04 province (warning)": (workbook(roster_with(2, pid="999205000002")), "",
                               [("R04", DR, ROW[2], COL["pid"])]),
    "R05 too young": (workbook(_young()), "", [("R05", DR, ROW[6], COL["resolution_date"])]),
    "R05 over sixty (warning)": (workbook(_old()), "",
                                 [("R05", DR, ROW[6], COL["resolution_date"])]),
    "R06 certificate expired": (workbook(roster_with(6, cert_date=date(2018, 12, 1))), "",
                                [("R06", DR, ROW[6], COL["cert_date"])]),
    "R07 certificate expiring (warning)": (
        workbook(roster_with(4, cert_date=date(2019, 5, 2))), "",
        [("R07", DR, ROW[4], COL["cert_date"])]),
    "R08 resolution before certificate": (
        workbook(roster_with(6, cert_date=date(2024, 1, 15))), "",
        [("R08", DR, ROW[6], COL["resolution_date"])]),
    "R09 STT twice": (workbook(roster_with(3, stt=2)), "",
                      [("R09", DR, ROW[2], COL["stt"]), ("R09", DR, ROW[3], COL["stt"])]),
    "R08 full membership before 12 months": (
        workbook([*make_roster((1, 2, 3, 4, 5, 6)), make_row(
            7, 8, cert_date=date(2022, 9, 1), resolution_date=date(2022, 10, 1),
            decision_date=date(2023, 6, 1), full_member_date=date(2024, 3, 5),
            stage_date=date(2024, 3, 5), birth_date=date(2004, 1, 2), pid="068204000007")]), "",
        [("R08", DR, ROW[7], COL["full_member_date"])]),
    "R09 same person twice": (
        workbook([*make_roster((1, 2, 3)), replace(make_row(4, 1), full_name="Nguyễn Văn Nam 1",
                                                    birth_date=date(2005, 4, 2), pid=None)]),
        "", [("R09", DR, ROW[1], COL["full_name"]), ("R09", DR, ROW[4], COL["full_name"])]),
    "R10 student not in the Union (warning)": (workbook(roster_with(4, youth_union=False)), "",
                                               [("R10", DR, ROW[4], COL["youth_union"])]),
    "R11 stop without reason (warning)": (
        workbook([*make_roster(), make_row(8, 0, stage_date=date(2024, 3, 2))]), "",
        [("R11", DR, ROW[7] + 1, COL["note"])]),
    "X02 adults above total": (workbook(make_roster(), TH02_hoc_sinh=2000), "",
                               [("X02", SUM, SUMMARY_ROW["TH02"], "C")]),
    "X03 target differs (warning)": (workbook(make_roster(), TH13_vien_chuc=3), "",
                                     [("X03", SUM, SUMMARY_ROW["TH13"], "D")]),
}


@pytest.fixture(scope="module")
def results(registry):
    items = [BatchItem(outcome.report, outcome.error, sender)
             for content, sender, _ in CASES.values()
             for outcome in [read_any(content)]]
    context = Context(registry=registry, run_period=PERIOD, secret=SECRET)
    return dict(zip(CASES, validate_batch(items, registry, PERIOD, context), strict=True))


@pytest.mark.parametrize("case", list(CASES))
def test_planted_defect_gives_exactly_its_rule(case, results):
    expected = CASES[case][2]
    found = results[case]
    assert [(f.rule_id, f.sheet, f.row, f.column) for f in found] == expected
    warning = "(warning)" in case or SEVERITY[expected[0][0]] == "WARNING"
    assert all(f.severity == ("WARNING" if warning else "ERROR") for f in found)
    assert all(f.message for f in found)


# ---- the history rules: last month is in the warehouse (here: a History by hand) ------

def _key(row: RosterRow) -> str:
    return person_key(row.pid, row.full_name, row.birth_date, SECRET)  # type: ignore[return-value]


def _last_month(people: list[tuple[RosterRow, int]], **figures: int) -> PastReport:
    base = {(p, c): 0 for p in layout.POPULATIONS for c in layout.INDICATOR_CODES}
    base.update({("hoc_sinh", "TH01"): 1000, ("hoc_sinh", "TH03"): 900,
                 ("vien_chuc", "TH01"): 80, ("vien_chuc", "TH03"): 20})
    for name, value in figures.items():
        code, population = name.split("_", 1)
        base[(population, code)] = value
    return PastReport("BL01", "2024-02", base,
                      tuple(PastPerson(_key(r), r.full_name or "", stage) for r, stage in people))


NOW = make_roster()
SAME = [(r, r.stage or 0) for r in NOW if r.stage != 7]  # stage-7 person was at stage 6
SAME.append((NOW[6], 6))

HISTORY_CASES = {
    "H01 stage moved back (warning)": (
        NOW, _last_month([(NOW[0], 3), *SAME[1:]]), [("H01", DR, ROW[1], COL["stage"])]),
    "H02 running total fell": (
        NOW, _last_month(SAME, TH12_hoc_sinh=3), [("H02", SUM, SUMMARY_ROW["TH12"], "C")]),
    "H03 person vanished (warning)": (
        NOW, _last_month([*SAME, (make_row(9, 2), 2)]), [("H03", DR, CLEAN.roster_header_row,
                                                          None)]),
    "H04 stalled (warning)": (
        roster_with(4, stage_date=date(2023, 8, 1)), _last_month(SAME),
        [("H04", DR, ROW[4], COL["stage_date"])]),
    "H05 decision overdue (warning)": (
        roster_with(6, resolution_date=date(2023, 11, 20), stage_date=date(2023, 11, 20)),
        _last_month(SAME), [("H05", DR, ROW[6], COL["resolution_date"])]),
    "H08 outlier (warning)": (
        NOW, _last_month(SAME, TH01_vien_chuc=50), [("H08", SUM, SUMMARY_ROW["TH01"], "D")]),
}


@pytest.fixture(scope="module")
def history_results(registry):
    # the history is keyed by unit and period, and every case is BL01's March: one batch
    # per case, each with its own "last month"
    found = {}
    for name, (rows, previous, _expected) in HISTORY_CASES.items():
        history = History(previous={("BL01", PERIOD): previous})
        context = Context(registry=registry, run_period=PERIOD, secret=SECRET, history=history)
        item = BatchItem(read_cell_report(workbook(rows)))
        found[name] = validate_batch([item], registry, PERIOD, context)[0]
    return found


@pytest.mark.parametrize("case", list(HISTORY_CASES))
def test_history_defect_gives_exactly_its_rule(case, history_results):
    expected = HISTORY_CASES[case][2]
    assert [(f.rule_id, f.sheet, f.row, f.column) for f in history_results[case]] == expected


def test_h06_full_membership_overdue(registry):
    rows = roster_with(7, cert_date=date(2022, 9, 1), resolution_date=date(2022, 10, 1),
                       decision_date=date(2022, 11, 1), stage_date=date(2022, 11, 1))
    rows[6] = born(rows[6], date(2003, 5, 2))  # adult at the 2022 resolution
    context = Context(registry=registry, run_period=PERIOD, secret=SECRET)
    [found] = validate_batch([BatchItem(read_cell_report(workbook(rows)))], registry, PERIOD,
                             context)
    assert [(f.rule_id, f.row, f.column, f.severity) for f in found] == [
        ("H06", ROW[7], COL["decision_date"], "WARNING")]


def _same_person_on_two_cells() -> list[BatchItem]:
    """BL01's roster and BL02's, which lists BL01's first person again."""
    other = make_header("BL02", unit_name="Chi bộ Trường THPT Lộc An")
    return [BatchItem(read_cell_report(make_workbook())),
            BatchItem(read_cell_report(make_workbook(
                header=other, roster=make_roster((1,)), summary=make_summary(make_roster((1,))))),
                sender="")]


def test_h07_same_person_on_two_cells_rosters(registry):
    items = _same_person_on_two_cells()
    context = Context(registry=registry, run_period=PERIOD, secret=SECRET)
    first, second = validate_batch(items, registry, PERIOD, context)
    h07 = [(f.rule_id, f.row) for f in first if f.rule_id == "H07"]
    assert h07 == [("H07", ROW[1])]
    assert [(f.rule_id, f.row) for f in second if f.rule_id == "H07"] == [("H07", ROW[1])]


def test_c01_certificate_not_in_the_register(registry):
    rows = make_roster()
    known = {(certificate_key(r.cert_no), r.cert_date) for r in rows if r.cert_no}
    known.discard((certificate_key(rows[4].cert_no), rows[4].cert_date))
    context = Context(registry=registry, run_period=PERIOD, secret=SECRET,
                      history=History(certificates=known))
    [found] = validate_batch([BatchItem(read_cell_report(workbook(rows)))], registry, PERIOD,
                             context)
    assert [(f.rule_id, f.row, f.column, f.severity) for f in found] == [
        ("C01", ROW[5], COL["cert_no"], "WARNING")]


def test_c01_is_silent_until_a_register_is_loaded(registry):
    context = Context(registry=registry, run_period=PERIOD, secret=SECRET)
    [found] = validate_batch([BatchItem(read_cell_report(make_workbook()))], registry, PERIOD,
                             context)
    assert found == []


def test_course_register_rows_are_validated_at_their_cells(registry):
    from dataclasses import replace as change

    from cellreports.demo import demo_course_records
    from forms.course_register import write_course_register

    records = list(demo_course_records())[:3]
    records[1] = change(records[1], cert_no=None)  # passed, but no certificate number
    content = write_course_register(records, course_code=None, title="SỔ HỌC VIÊN")
    outcome = read_any(content)
    assert outcome.register is not None and len(outcome.register.rows) == 3
    context = Context(registry=registry, run_period=PERIOD, secret=SECRET)
    [found] = validate_batch([BatchItem(None, register=outcome.register)], registry, PERIOD,
                             context)
    row = outcome.register.rows[1].excel_row
    assert [(f.rule_id, f.sheet, f.row, f.column) for f in found] == [
        ("R01", "HocVien", row, outcome.register.columns["cert_no"])]
