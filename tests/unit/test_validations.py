"""Each planted defect yields its rule's finding at the right cell, and no other error."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from factories import make_header, make_roster, make_summary, make_workbook
from openpyxl import load_workbook

from core import layout
from core.findings import ERROR, SEVERITY
from forms.dispatch import read_any
from forms.reader import read_cell_report
from validations.frames import BatchItem
from validations.run import validate_batch

PERIOD = "2024-03"


def _item(content: bytes) -> BatchItem:
    outcome = read_any(content)
    return BatchItem(outcome.report, outcome.error)


def _with_roster_change(index: int, **changes: object) -> bytes:
    roster = make_roster()
    roster[index] = replace(roster[index], **changes)
    return make_workbook(roster=roster, summary=make_summary(make_roster()))


def _edit(content: bytes, edit) -> bytes:  # type: ignore[no-untyped-def]
    workbook = load_workbook(io.BytesIO(content))
    edit(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _header_row_of(field: str) -> int:
    return read_cell_report(make_workbook()).header.cells[field].row  # type: ignore[return-value]


ROW3 = read_cell_report(make_workbook()).roster[2].excel_row
TH07_ROW = read_cell_report(make_workbook()).summary["TH07"].excel_row

# name -> (workbook bytes, rule, sheet, row, column)
PLANTED = {
    "not a spreadsheet": (b"%PDF-1.4 not a workbook", "F01", None, None, None),
    "sheet missing": (_edit(make_workbook(), lambda wb: wb.remove(wb[layout.SHEET_ROSTER])),
                      "F02", layout.SHEET_ROSTER, None, None),
    "wrong form version": (make_workbook(header=make_header(form_version="BC-PTĐ-HS/0")),
                           "F02", layout.SHEET_INFO, _header_row_of("form_version"), "B"),
    "secretary missing": (make_workbook(header=make_header(secretary=None)),
                          "F03", layout.SHEET_INFO, _header_row_of("secretary"), "B"),
    "period unreadable": (make_workbook(header=make_header(invalid={"period": "quý 1"})),
                          "F03", layout.SHEET_INFO, _header_row_of("period"), "B"),
    "unit unknown": (make_workbook(header=make_header(unit_code="XX99")),
                     "F04", layout.SHEET_INFO, _header_row_of("unit_code"), "B"),
    "roster column missing": (
        _edit(make_workbook(), lambda wb: wb[layout.SHEET_ROSTER].cell(
            read_cell_report(make_workbook()).roster_header_row, 4, "Cột lạ")),
        "F07", layout.SHEET_ROSTER, read_cell_report(make_workbook()).roster_header_row, None),
    "helper missing at stage 3": (_with_roster_change(2, helper_1=None),
                                  "R01", layout.SHEET_ROSTER, ROW3, "M"),
    "impossible birth date": (
        _with_roster_change(2, birth_date=None, invalid={"birth_date": "31/02/2007"}),
        "R02", layout.SHEET_ROSTER, ROW3, "C"),
    "certificate dated after the report": (
        _with_roster_change(2, cert_date=make_header().report_date.replace(day=28)),
        "R02", layout.SHEET_ROSTER, ROW3, "P"),
    "unknown ethnic group": (_with_roster_change(2, ethnicity=None, invalid={"ethnicity": "Xyz"}),
                             "R03", layout.SHEET_ROSTER, ROW3, "F"),
    "count differs from roster": (
        make_workbook(summary=make_summary(make_roster(), TH07_hoc_sinh=9)),
        "X01", layout.SHEET_SUMMARY, TH07_ROW, "C"),
}


@pytest.fixture(scope="module")
def batch_findings(registry):
    """The whole corpus in ONE batch: one GX run per frame, not one per file."""
    contents = [make_workbook(), *(case[0] for case in PLANTED.values())]
    return validate_batch([_item(c) for c in contents], registry, PERIOD)


def test_clean_workbook_has_no_finding(batch_findings):
    assert batch_findings[0] == []


@pytest.mark.parametrize("case", list(PLANTED))
def test_planted_defect_gives_exactly_its_rule_at_its_cell(case, batch_findings):
    _content, rule, sheet, row, column = PLANTED[case]
    findings = batch_findings[1 + list(PLANTED).index(case)]
    errors = [f for f in findings if f.is_error]
    assert [(f.rule_id, f.sheet, f.row, f.column) for f in errors] == [(rule, sheet, row, column)]
    assert [f for f in findings if not f.is_error] == []
    assert errors[0].message  # a Vietnamese sentence for the cell
    assert SEVERITY[rule] == ERROR


def test_report_for_another_month_is_a_warning_not_an_error(registry):
    roster = make_roster((1, 2, 3))
    content = make_workbook(header=make_header(period="2024-02"), roster=roster,
                            summary=make_summary(roster, "2024-02"))
    [findings] = validate_batch([_item(content)], registry, PERIOD)
    assert [(f.rule_id, f.severity) for f in findings] == [("F06", "WARNING")]


def test_messages_are_vietnamese_and_name_the_value(batch_findings):
    findings = batch_findings[1 + list(PLANTED).index("impossible birth date")]
    assert "31/02/2007" in findings[0].message
    assert "Ngày sinh" in findings[0].message


def test_findings_of_one_file_do_not_leak_into_another(registry):
    bad = PLANTED["impossible birth date"][0]
    results = validate_batch([_item(make_workbook()), _item(bad), _item(make_workbook())],
                             registry, PERIOD)
    assert results[0] == [] and results[2] == []
    assert [f.rule_id for f in results[1]] == ["R02"]
