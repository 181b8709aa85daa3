"""Rule F11 in the validation: a form sheet read although hidden is a WARNING that names the
sheet and asks to unhide it; a workbook the reader refused under F11 (two sheets for one
form sheet, a roster over the cap) is an ERROR with the reader's reason."""

from __future__ import annotations

import io

import pytest
from factories import make_workbook
from openpyxl import load_workbook

from core import layout
from core.errors import ReadError
from core.findings import ERROR, RULE_TITLES, SEVERITY, WARNING, Finding
from core.registry import Registry
from forms.dispatch import read_any
from forms.errors import AmbiguousSheet, RosterTooLong
from validations.frames import BatchItem
from validations.run import validate_batch

PERIOD = "2024-03"


def _hidden(*sheets: str) -> bytes:
    """The clean workbook with ``sheets`` hidden (no visible sheet of those names left)."""
    book = load_workbook(io.BytesIO(make_workbook()))
    for name in sheets:
        book[name].sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# name -> a received workbook, or a reader's F11 refusal
CASES: dict[str, bytes | ReadError] = {
    "TongHop hidden": _hidden(layout.SHEET_SUMMARY),
    "two hidden": _hidden(layout.SHEET_INFO, layout.SHEET_ROSTER),
    "none hidden": make_workbook(),
    "two sheets for one": AmbiguousSheet(
        "Tệp có 2 trang tính cùng là trang ThongTin: «ThongTin» (đang ẩn), «Thông tin». Đề "
        "nghị chỉ giữ một trang.", sheet="ThongTin"),
    "roster over the cap": RosterTooLong("Trang DanhSach có hơn 500 người.", sheet="DanhSach"),
}


@pytest.fixture(scope="module")
def results(registry: Registry) -> dict[str, list[Finding]]:
    """Every case in one batch, as the flow validates a run."""
    items = [_item(case) for case in CASES.values()]
    return dict(zip(CASES, validate_batch(items, registry, PERIOD), strict=True))


def _item(case: bytes | ReadError) -> BatchItem:
    if isinstance(case, ReadError):
        return BatchItem(None, case)
    outcome = read_any(case)
    return BatchItem(outcome.report, outcome.error)


def test_f10_and_f11_have_a_severity_and_a_title() -> None:
    assert SEVERITY["F10"] == ERROR and SEVERITY["F11"] == ERROR
    assert RULE_TITLES["F10"] and RULE_TITLES["F11"]


def test_a_hidden_form_sheet_read_is_an_f11_warning_that_asks_to_unhide_it(results) -> None:  # type: ignore[no-untyped-def]
    found = results["TongHop hidden"]
    assert [(f.rule_id, f.severity, f.sheet) for f in found] == [
        ("F11", WARNING, layout.SHEET_SUMMARY)]
    text = found[0].message
    assert "Trang «TongHop» đang bị ẩn" in text
    assert "không có trang «TongHop» hiển thị" in text and "bỏ ẩn" in text


def test_two_hidden_form_sheets_are_named_in_one_warning(results) -> None:  # type: ignore[no-untyped-def]
    found = results["two hidden"]
    assert [(f.rule_id, f.severity) for f in found] == [("F11", WARNING)]
    assert "«ThongTin», «DanhSach»" in found[0].message


def test_a_workbook_without_hidden_sheets_has_no_f11(results) -> None:  # type: ignore[no-untyped-def]
    assert results["none hidden"] == []


@pytest.mark.parametrize("case", ["two sheets for one", "roster over the cap"])
def test_a_workbook_refused_under_f11_when_read_is_an_f11_error(results, case: str) -> None:  # type: ignore[no-untyped-def]
    error = CASES[case]
    assert isinstance(error, ReadError)
    assert [(f.rule_id, f.severity, f.sheet, f.message) for f in results[case]] == [
        ("F11", ERROR, error.sheet, error.message_vi)]
