"""The provincial workbook opens in LibreOffice and converts to PDF."""

from __future__ import annotations

import re

import pytest
from province_factories import demo_files, demo_province_month, province_registry
from styles import convert_with_libreoffice

from reports.provincial import build_provincial_workbook


@pytest.fixture(scope="module")
def workbook() -> bytes:
    registry = province_registry()
    return build_provincial_workbook(demo_province_month(registry, demo_files(registry)))


def test_the_provincial_workbook_converts_to_pdf(libreoffice, workbook):
    [pdf] = convert_with_libreoffice([workbook], "pdf")
    assert pdf.startswith(b"%PDF-")
    # four sheets, each fitted to the width: at least one page each
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) >= 4


def test_the_provincial_workbook_survives_a_libreoffice_round_trip(libreoffice, workbook):
    import io

    from openpyxl import load_workbook

    [saved] = convert_with_libreoffice([workbook], "xlsx")
    wb = load_workbook(io.BytesIO(saved))
    assert wb.sheetnames == ["TongHop", "TinhHinhNopBaoCao", "ChiTieu", "CoCau"]
    assert wb["TongHop"]["A1"].value == "TỈNH ỦY LÂM ĐỒNG"
