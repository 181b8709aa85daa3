"""Workbooks typed with legacy TCVN3 / VNI fonts are converted, or refused — never mojibake."""

from __future__ import annotations

import io

import pytest
from factories import make_workbook
from openpyxl import load_workbook
from openpyxl.styles import Font

from core import layout
from forms.dispatch import read_any
from forms.legacy import from_unicode
from forms.reader import read_cell_report

FONTS = {"tcvn3": ".VnTime", "vni": "VNI-Times"}


def _retype(content: bytes, encoding: str, *, with_font: bool = True) -> bytes:
    """Every text cell of the roster and header as the old PC would have typed it."""
    workbook = load_workbook(io.BytesIO(content))
    for name in (layout.SHEET_INFO, layout.SHEET_ROSTER):
        for row in workbook[name].iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and not cell.value.startswith("="):
                    cell.value = from_unicode(cell.value, encoding)
                    if with_font:
                        cell.font = Font(name=FONTS[encoding])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _names(content: bytes) -> list[str | None]:
    return [r.full_name for r in read_cell_report(content).roster]


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_text_with_its_font_is_converted_to_unicode(encoding):
    clean = make_workbook()
    report = read_cell_report(_retype(clean, encoding))
    assert report.legacy_encoding == encoding
    assert _names(_retype(clean, encoding)) == _names(clean)
    assert report.header.unit_name == "Chi bộ Trường THPT Bảo Lâm"
    assert report.header.secretary == "Trần Văn Hùng"
    assert all(r.gender in ("Nam", "Nữ") for r in report.roster)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_text_without_fonts_is_recognised_from_the_text(encoding):
    clean = make_workbook()
    content = _retype(clean, encoding, with_font=False)
    report = read_cell_report(content)
    assert report.header.unit_name == "Chi bộ Trường THPT Bảo Lâm"
    assert report.legacy_encoding == encoding


def test_unicode_workbook_is_left_alone():
    assert read_cell_report(make_workbook()).legacy_encoding is None


def test_unconvertible_legacy_text_is_refused_with_a_named_reason():
    workbook = load_workbook(io.BytesIO(make_workbook()))
    ws = workbook[layout.SHEET_ROSTER]
    row = read_cell_report(make_workbook()).roster[0].excel_row
    ws[f"B{row}"] = "NguyÔn Tr\u00a7\u00b5\u00b5\u00b6 Nguyá»…n"  # TCVN3 and UTF-8 soup mixed
    ws[f"B{row}"].font = Font(name=".VnTime")
    out = io.BytesIO()
    workbook.save(out)
    outcome = read_any(out.getvalue())
    assert outcome.report is None and outcome.error is not None
    assert outcome.error.rule_id == "F01"
    assert "bảng mã" in outcome.error.message_vi and "Unikey" in outcome.error.message_vi
