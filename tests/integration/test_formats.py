"""Workbooks saved by LibreOffice (.xlsx, .ods, .xls) read like the clean .xlsx.

The clean report and several tolerated styles (tests/styles.py) go through a real
``soffice --headless --convert-to`` (one run per target format for the whole list), then
through ``read_any`` and ONE ``validate_batch``. Without LibreOffice these tests are skipped
with their reason, unless CELLREPORTS_REQUIRE_LIBREOFFICE=1 (CI), which makes them fail.
"""

from __future__ import annotations

import pytest
from styles import (
    STYLES,
    LibreOfficeUnavailable,
    clean_workbook,
    convert_with_libreoffice,
    differences,
    google_sheets_like,
    libreoffice_xls,
)

from core.form import CellReport
from forms.container import inspect_container
from forms.dispatch import read_any
from forms.reader import read_cell_report
from validations.frames import BatchItem
from validations.run import validate_batch

PERIOD = "2024-03"
TARGETS = ("xlsx", "ods", "xls")
# The styles that go through LibreOffice as well ("clean" = the report as written).
# ``everything_at_once`` carries most others (text dates, NFD, merged titles, moved columns,
# numbers as text, PIDs as numbers, a signature block, …); each LibreOffice file costs
# about half a second per format, so the list stays short.
THROUGH_LIBREOFFICE = (
    "clean", "serial_numbers_as_dates", "date1904", "date1904_serials", "everything_at_once",
)
GOOGLE_FROM_LIBREOFFICE = "libreoffice_xlsx+google_sheets_like"  # shared strings made inline


def case_name(style: str, target: str) -> str:
    return f"libreoffice_{target}" if style == "clean" else f"{style}+libreoffice_{target}"


CASES = [case_name(s, t) for t in TARGETS for s in THROUGH_LIBREOFFICE] + [
    GOOGLE_FROM_LIBREOFFICE]




@pytest.fixture(scope="module")
def clean() -> bytes:
    return clean_workbook()


@pytest.fixture(scope="module")
def expected(clean: bytes) -> CellReport:
    return read_cell_report(clean)


@pytest.fixture(scope="module")
def converted(libreoffice: str, clean: bytes) -> dict[str, bytes]:
    sources = [clean if s == "clean" else STYLES[s](clean) for s in THROUGH_LIBREOFFICE]
    out: dict[str, bytes] = {}
    for target in TARGETS:
        results = convert_with_libreoffice(sources, target)
        out.update({case_name(s, target): r
                    for s, r in zip(THROUGH_LIBREOFFICE, results, strict=True)})
    out[GOOGLE_FROM_LIBREOFFICE] = google_sheets_like(out["libreoffice_xlsx"])
    return out


@pytest.fixture(scope="module")
def findings(registry, clean: bytes, converted: dict[str, bytes]) -> dict:  # type: ignore[no-untyped-def,type-arg]
    """Every converted workbook in ONE batch."""
    reads = [read_any(converted[name]) for name in CASES]
    results = validate_batch([BatchItem(o.report, o.error) for o in reads], registry, PERIOD)
    return dict(zip(CASES, results, strict=True))


@pytest.mark.parametrize("name", CASES)
def test_format_is_recognised_by_content(name: str, converted: dict[str, bytes]):
    kind = "xlsx" if name == GOOGLE_FROM_LIBREOFFICE else name.rsplit("_", 1)[1]
    assert inspect_container(converted[name]).kind == kind


@pytest.mark.parametrize("name", CASES)
def test_converted_workbook_reads_to_the_same_content(name: str, converted, expected):
    outcome = read_any(converted[name])
    assert outcome.error is None, outcome.error.message_vi
    assert differences(expected, outcome.report) == []
    assert not outcome.report.has_macros


@pytest.mark.parametrize("name", CASES)
def test_converted_workbook_yields_no_finding(name: str, findings):
    found = findings[name]
    assert [(f.rule_id, f.sheet, f.row, f.column, f.message) for f in found if f.is_error] == []
    assert [(f.rule_id, f.severity) for f in found] == []


@pytest.mark.parametrize("target", TARGETS)
def test_the_1904_date_system_is_found_in_every_format(target: str, converted):
    assert inspect_container(converted[case_name("date1904", target)]).date1904
    assert not inspect_container(converted[case_name("clean", target)]).date1904


def test_an_ods_saved_again_as_xls_reads_the_same(converted, expected):
    """Two hops (.xlsx -> .ods -> .xls), through the one-file helper."""
    content = libreoffice_xls(converted["libreoffice_ods"])
    assert differences(expected, read_cell_report(content)) == []


def test_a_failed_conversion_is_a_named_error(libreoffice: str):
    with pytest.raises(LibreOfficeUnavailable):
        convert_with_libreoffice([b"PK\x03\x04 not a workbook at all"], "xlsx")
