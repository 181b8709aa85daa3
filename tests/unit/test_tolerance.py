"""One clean report in every tolerated style reads to the same content and validates clean.

The styles (tests/styles.py) are the form's "Tolerance" section made concrete: dates as
text or serials, the 1904 date system, NFD, labels without diacritics, merged titles, moved
columns, blank rows, a signature block, an .xlsm, a Google Sheets export, … The LibreOffice
round trips (.xlsx, .ods, .xls) are in tests/integration/test_formats.py.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import replace
from datetime import date

import pytest
from factories import make_header, make_roster, make_row, make_summary, make_workbook
from styles import (
    STYLES,
    clean_workbook,
    column_number_row,
    date1904,
    date1904_serials,
    differences,
    signature_block,
    xlsm_with_macro,
)

from core import layout
from core.form import CellReport
from core.text import key
from forms.container import inspect_container
from forms.dispatch import read_any
from forms.reader import load_sheets, read_cell_report
from validations.frames import BatchItem
from validations.run import validate_batch

PERIOD = "2024-03"
NAMES = list(STYLES)


@pytest.fixture(scope="module")
def clean() -> bytes:
    return clean_workbook()


@pytest.fixture(scope="module")
def expected(clean: bytes) -> CellReport:
    return read_cell_report(clean)


@pytest.fixture(scope="module")
def outcomes(clean: bytes) -> dict:  # type: ignore[type-arg]
    return {name: read_any(style(clean)) for name, style in STYLES.items()}


@pytest.fixture(scope="module")
def findings(registry, clean: bytes, outcomes) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """The clean report and every style in ONE batch: one GX run per frame."""
    reads = [read_any(clean), *outcomes.values()]
    results = validate_batch([BatchItem(o.report, o.error) for o in reads], registry, PERIOD)
    return dict(zip(["clean", *NAMES], results, strict=True))


def test_the_clean_report_covers_every_stage_and_date_column(expected: CellReport):
    assert sorted({r.stage for r in expected.roster}) == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    for field in ("birth_date", "stage_date", "cert_date", "resolution_date", "decision_date",
                  "full_member_date"):
        assert any(getattr(r, field) for r in expected.roster), field
    assert all(not r.invalid for r in expected.roster) and not expected.header.invalid


@pytest.mark.parametrize("name", NAMES)
def test_style_reads_to_the_same_content(name: str, expected: CellReport, outcomes):
    outcome = outcomes[name]
    assert outcome.error is None, outcome.error.message_vi
    assert differences(expected, outcome.report) == []
    assert outcome.report.has_macros is (name == "xlsm_with_macro")


def test_clean_report_has_no_finding(findings):
    assert findings["clean"] == []


@pytest.mark.parametrize("name", NAMES)
def test_style_yields_no_error(name: str, findings):
    found = findings[name]
    assert [(f.rule_id, f.sheet, f.row, f.column, f.message) for f in found if f.is_error] == []
    expected = [("F09", "WARNING")] if name == "xlsm_with_macro" else []
    assert [(f.rule_id, f.severity) for f in found] == expected


# ---- the reader's fixes, one by one ------------------------------------------------------


def test_the_1904_flag_is_read_from_the_workbook_part(clean: bytes):
    assert inspect_container(date1904(clean)).date1904
    assert not inspect_container(clean).date1904
    assert not inspect_container(xlsm_with_macro(clean)).date1904


@pytest.mark.parametrize("content", [
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8,
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\xff" * 4000,
])
def test_a_broken_compound_file_is_an_xls_without_the_1904_flag(content: bytes):
    container = inspect_container(content)
    assert (container.kind, container.date1904) == ("xls", False)


def test_plain_number_dates_of_a_1904_workbook_count_from_1904(clean: bytes):
    report = read_cell_report(date1904_serials(clean))
    assert report.header.report_date == date(2024, 3, 20)
    assert report.roster[0].birth_date == date(2005, 4, 2)


def test_signature_block_across_the_stage_and_birth_columns_is_not_data(clean, expected):
    report = read_cell_report(signature_block(clean))
    assert [r.stt for r in report.roster] == [r.stt for r in expected.roster]


def test_row_of_column_numbers_under_the_header_is_not_data(clean, expected):
    report = read_cell_report(column_number_row(clean))
    assert [r.stt for r in report.roster] == [r.stt for r in expected.roster]


def test_a_person_with_a_bad_date_and_no_stt_is_still_a_data_row():
    """Not a row to skip: rules R01 and R02 must see it."""
    roster = make_roster((1, 2))
    roster[1] = replace(roster[1], stt=None, birth_date=None, invalid={"birth_date": "5 tháng 4"})
    report = read_cell_report(make_workbook(roster=roster, summary=make_summary(make_roster())))
    assert len(report.roster) == 2
    assert report.roster[1].stt is None
    assert report.roster[1].invalid == {"birth_date": "5 tháng 4"}


def test_a_row_with_only_a_readable_stage_is_still_a_data_row():
    row = make_row(1, 1)
    bare = replace(row, **{f: None for f in ("stt", "full_name", "birth_date", "gender", "pid",
                                               "ethnicity", "religion", "population",
                                               "class_or_position", "stage_date")},
                   youth_union=None)
    report = read_cell_report(make_workbook(header=make_header(), roster=[bare],
                                            summary=make_summary([row])))
    assert [r.stage for r in report.roster] == [1]


# ---- each style really does what it says (else the tests above would pass vacuously) ------


def _grid(content: bytes, sheet: str) -> list[list[object]]:
    grids = load_sheets(content).grids
    return next(g for name, g in grids.items() if key(name) == key(sheet))


def _cells(content: bytes, sheet: str) -> list[object]:
    return [v for row in _grid(content, sheet) for v in row if v not in ("", None)]


def _xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(n).decode() for n in archive.namelist()
                       if n.endswith(".xml") or n.endswith(".rels"))


ROSTER, SUMMARY, INFO = layout.SHEET_ROSTER, layout.SHEET_SUMMARY, layout.SHEET_INFO
EFFECTS = {
    "text_dates": lambda c: not any(isinstance(v, date) for v in _cells(c, ROSTER))
    and "2/4/2005" in _cells(c, ROSTER),
    "serial_numbers_as_dates": lambda c: not any(isinstance(v, date) for v in _cells(c, ROSTER)),
    "date1904": lambda c: 'date1904="1"' in _xml(c),
    "date1904_serials": lambda c: 'date1904="1"' in _xml(c)
    and not any(isinstance(v, date) for v in _cells(c, ROSTER)),
    "period_as_date": lambda c: date(2024, 3, 1) in _cells(c, INFO),
    "numbers_as_text": lambda c: "1.000" in _cells(c, SUMMARY),
    "nfd_text": lambda c: any(isinstance(v, str) and not unicodedata.is_normalized("NFC", v)
                              for v in _cells(c, ROSTER)),
    "extra_spaces": lambda c: "  Mã  chi  bộ " in _cells(c, INFO),
    "vietnamese_sheet_names": lambda c: "Danh sách" in load_sheets(c).grids,
    "labels_without_diacritics": lambda c: "Ngay sinh" in _cells(c, ROSTER),
    "coded_values_without_diacritics": lambda c: "Hoc sinh" in _cells(c, ROSTER),
    "labels_with_colon_and_linebreak": lambda c: "Mã\nchi bộ:" in _cells(c, INFO),
    "merged_title_rows": lambda c: "ĐẢNG CỘNG SẢN VIỆT NAM" in _cells(c, ROSTER),
    "reordered_columns": lambda c: _grid(c, ROSTER)[2][0] == "",
    "blank_rows_between": lambda c: len(_grid(c, ROSTER)) > len(_grid(clean_workbook(), ROSTER)),
    "signature_block": lambda c: "T/M CHI BỘ" in _cells(c, ROSTER),
    "extra_columns_and_section_rows": lambda c: "PHÁT TRIỂN ĐẢNG" in _cells(c, SUMMARY),
    "column_number_row": lambda c: "(3)" in _cells(c, SUMMARY),
    "pid_as_number": lambda c: 68205000001 in _cells(c, ROSTER),
    "xlsm_with_macro": lambda c: "vbaProject" in _xml(c),
    "google_sheets_like": lambda c: "<r><t" in _xml(c) and "sharedStrings" not in _xml(c)
    and not re.search(r'<c [^>]*s="\d+"[^>]*t="inlineStr"', _xml(c)),
    "everything_at_once": lambda c: unicodedata.normalize("NFD", "Danh sách")
    in load_sheets(c).grids and "<r><t" in _xml(c),
}


@pytest.mark.parametrize("name", NAMES)
def test_the_style_changes_the_workbook(name: str, clean: bytes):
    assert not EFFECTS[name](clean)
    assert EFFECTS[name](STYLES[name](clean))
