"""Hostile and broken files (issue 8): each guard names its refusal; readable files read.

The files come from tests/hostile_corpus.py. Every refusal must be the exact named error,
under its rule (F01; F11 for the form's sheets), with a Vietnamese reason the cell
secretary can act on; the bombs must be
refused from what the container says about itself, so reading them simply returns.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import hostile_corpus
import pytest
from hostile_corpus import Hostile

from core.errors import ReadError
from core.limits import DEFAULT_LIMITS
from forms.container import inspect_container
from forms.dispatch import ReadOutcome, read_any
from forms.errors import (
    AmbiguousSheet,
    CorruptWorkbook,
    EmptyFile,
    EncryptedWorkbook,
    OversizedWorkbook,
    RosterTooLong,
    UnsafeXml,
    UnsupportedFormat,
)

_VIETNAMESE = re.compile("[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]")

# keys by guard; test_every_case_of_the_corpus_is_tested keeps this list and the corpus equal
NOT_SPREADSHEETS = ("png_named_xlsx", "pdf_named_xlsx", "csv_named_xlsx")
ZIP_BOMBS = ("zip_ratio_bomb", "zip_member_count")
XML_BOMBS = ("xml_billion_laughs", "xml_external_entity")
HUGE_SHEETS = ("sheet_million_rows", "sheet_all_columns", "sheet_far_corners")
MACROS = ("macros_xlsm", "macros_named_xlsx")
WRONG_EXTENSIONS = ("xlsx_named_xls", "xlsx_named_pdf")
ODD_NAMES = ("name_path_traversal", "name_rtl_override", "name_nfd", "name_300_chars",
             "name_control_chars", "name_con_device", "name_dot_dot", "name_dots_only")
SINGLES = ("empty", "truncated", "oversized_file", "password_protected", "formula_injection")
FORM_SHEETS = ("hidden_thongtin_of_another_cell", "roster_over_the_cap")  # rule F11


def _case(key: str) -> Hostile:
    # built once per session (lru_cache in the corpus), and only when a test needs it
    return {case.key: case for case in hostile_corpus.corpus()}[key]


def _refused(key: str, rule: str = "F01") -> ReadError:
    """read_any's named error for the case: the class the corpus promises, its rule (F01
    unless told), and a Vietnamese reason."""
    case = _case(key)
    outcome = read_any(case.content)
    assert outcome.report is None and outcome.register is None
    assert case.error is not None
    assert type(outcome.error) is case.error, f"{key}: {outcome.error!r}"
    assert outcome.error.rule_id == rule
    assert outcome.error.message_vi.strip()
    assert _VIETNAMESE.search(outcome.error.message_vi.lower()), outcome.error.message_vi
    return outcome.error


def _readable(key: str) -> ReadOutcome:
    case = _case(key)
    assert case.error is None
    outcome = read_any(case.content)
    assert outcome.error is None, f"{key}: {outcome.error!r}"
    assert outcome.report is not None
    assert (outcome.report.header.unit_code, outcome.report.header.period) == ("BL01", "2024-03")
    return outcome


def test_every_case_of_the_corpus_is_tested():
    tested = [*NOT_SPREADSHEETS, *ZIP_BOMBS, *XML_BOMBS, *HUGE_SHEETS, *MACROS,
              *WRONG_EXTENSIONS, *ODD_NAMES, *SINGLES, *FORM_SHEETS]
    keys = [case.key for case in hostile_corpus.corpus()]
    assert len(keys) == len(set(keys))
    assert sorted(keys) == sorted(tested)


def test_a_very_hidden_thongtin_of_another_cell_is_refused_as_ambiguous_naming_both():
    error = _refused("hidden_thongtin_of_another_cell", "F11")
    assert isinstance(error, AmbiguousSheet)
    assert "«ThongTin» (đang ẩn)" in error.message_vi and "«Thông tin»" in error.message_vi


def test_a_roster_over_the_cap_is_refused_while_it_is_read():
    error = _refused("roster_over_the_cap", "F11")
    assert isinstance(error, RosterTooLong)
    assert f"hơn {DEFAULT_LIMITS.max_roster_rows} người" in error.message_vi


def test_an_empty_file_is_named_empty():
    assert isinstance(_refused("empty"), EmptyFile)


def test_a_truncated_workbook_is_named_corrupt():
    assert isinstance(_refused("truncated"), CorruptWorkbook)


@pytest.mark.parametrize("key", NOT_SPREADSHEETS)
def test_content_that_is_not_a_spreadsheet_is_named_unsupported_whatever_its_name(key):
    assert _case(key).filename.endswith(".xlsx")
    assert isinstance(_refused(key), UnsupportedFormat)


def test_a_file_over_the_size_cap_is_named_oversized_before_its_bytes_are_looked_at():
    assert len(_case("oversized_file").content) > DEFAULT_LIMITS.max_file_bytes
    assert isinstance(_refused("oversized_file"), OversizedWorkbook)


def test_a_password_protected_workbook_is_named_encrypted():
    assert isinstance(_refused("password_protected"), EncryptedWorkbook)


@pytest.mark.parametrize("key", ZIP_BOMBS)
def test_a_zip_bomb_is_refused_from_its_member_table_without_unpacking(key):
    # returning at all is the point: unpacking the ratio bomb would take 300 MB
    assert isinstance(_refused(key), OversizedWorkbook)


@pytest.mark.parametrize("lifted", ["max_unpacked_bytes", "max_ratio"])
def test_the_ratio_bomb_trips_the_unpacked_total_and_the_ratio_each_on_its_own(lifted):
    # either guard alone stops it (zlib's fastest level packs zeros about 229:1)
    limits = replace(DEFAULT_LIMITS, **{lifted: 10**12})
    with pytest.raises(OversizedWorkbook):
        inspect_container(_case("zip_ratio_bomb").content, limits)


@pytest.mark.parametrize("key", XML_BOMBS)
def test_an_xml_part_declaring_a_dtd_is_refused_as_unsafe_xml(key):
    assert isinstance(_refused(key), UnsafeXml)


@pytest.mark.parametrize("key", HUGE_SHEETS)
def test_a_sheet_too_large_to_allocate_is_refused_as_oversized(key):
    assert isinstance(_refused(key), OversizedWorkbook)


@pytest.mark.parametrize("key", HUGE_SHEETS)
def test_a_huge_sheet_passes_the_zip_guards_so_the_extent_guard_is_what_refuses_it(key):
    # with the extent limits lifted the container is accepted: size, unpacked total and
    # ratio are all within bounds (nothing here unpacks the sheet into a grid)
    unlimited = replace(DEFAULT_LIMITS, max_rows=10**9, max_columns=10**9, max_cells=10**18)
    assert inspect_container(_case(key).content, unlimited).kind == "xlsx"


def test_far_corners_are_each_within_the_row_and_column_limits_but_not_their_rectangle():
    # only the cell-count guard (rows × columns) stands between this file and a reader
    only_cells = replace(DEFAULT_LIMITS, max_cells=10**18)
    assert inspect_container(_case("sheet_far_corners").content, only_cells).kind == "xlsx"


def _with_cells_first(content: bytes, cells: str) -> bytes:
    """The workbook with ``cells`` (a row's XML) first in its DanhSach sheet's data, before
    the rows in order: a hand-made file need not list its rows in order."""
    parts = hostile_corpus._parts(content)
    sheet = hostile_corpus._sheet_part(parts, "DanhSach")
    parts[sheet] = hostile_corpus._text(parts[sheet]).replace(
        b"<sheetData>", b"<sheetData>" + cells.encode(), 1)
    return hostile_corpus._zip(parts)


def test_the_extent_is_the_farthest_row_and_column_wherever_the_file_lists_them():
    from factories import make_workbook

    # the farthest row listed first, the widest column in it: both found, not the last
    content = _with_cells_first(make_workbook(),
                                '<row r="900"><c r="AB900"><v>1</v></c><c r="C900">'
                                '<v>2</v></c></row>')
    exact = replace(DEFAULT_LIMITS, max_rows=900, max_columns=28, max_cells=900 * 28)
    assert inspect_container(content, exact).kind == "xlsx"
    for tighter in (replace(exact, max_rows=899), replace(exact, max_columns=27),
                    replace(exact, max_cells=900 * 28 - 1)):
        with pytest.raises(OversizedWorkbook):
            inspect_container(content, tighter)


@pytest.mark.parametrize("key", MACROS)
def test_a_workbook_with_macros_is_read_and_flagged_whatever_its_extension(key):
    assert _readable(key).report.has_macros


@pytest.mark.parametrize("key", WRONG_EXTENSIONS)
def test_the_content_not_the_extension_decides_how_a_file_is_read(key):
    outcome = _readable(key)
    assert not outcome.report.has_macros
    assert len(outcome.report.roster) == 7


def test_formulas_and_hyperlinks_are_read_as_plain_text_never_evaluated():
    report = _readable("formula_injection").report
    assert not report.has_macros
    assert report.header.prepared_by == hostile_corpus.INJECTED_PREPARER
    notes = [row.note for row in report.roster if row.note]
    assert notes == list(hostile_corpus.INJECTED_NOTES)
    assert len(report.roster) == 7 and all(not row.invalid for row in report.roster)


@pytest.mark.parametrize("key", ODD_NAMES)
def test_an_odd_filename_does_not_change_how_the_report_is_read(key):
    assert len(_readable(key).report.roster) == 7


def test_the_script_writes_every_case_into_a_folder(tmp_path: Path):
    script = Path(hostile_corpus.__file__)
    done = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True,
                          text=True, check=True, timeout=300, cwd=script.parent.parent)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert len(written) == len(hostile_corpus.corpus())
    assert len(done.stdout.splitlines()) == len(written)
    # the odd names never reach the disk: no traversal, no control or bidi characters
    safe = re.compile(r"\d{2}_[a-z0-9_]+\.(xlsx|xlsm|xls|pdf|bin)")
    assert all(safe.fullmatch(name) for name in written), written
