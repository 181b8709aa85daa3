"""The feedback workbook as a cell secretary opens it: in LibreOffice, comments and colours."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from dataclasses import replace
from datetime import datetime

import pytest
from factories import make_roster, make_summary, make_workbook
from styles import convert_with_libreoffice

from forms.dispatch import read_any
from reports.feedback import FeedbackContext, build_feedback
from validations.frames import BatchItem
from validations.run import validate_batch

pytestmark = pytest.mark.usefixtures("libreoffice")


@pytest.fixture(scope="module")
def feedback(registry) -> tuple[bytes, int]:
    roster = make_roster()
    roster[2] = replace(roster[2], birth_date=None, invalid={"birth_date": "31/02/2007"})
    content = make_workbook(roster=roster, summary=make_summary(make_roster()))
    outcome = read_any(content)
    [findings] = validate_batch([BatchItem(outcome.report)], registry, "2024-03")
    ctx = FeedbackContext("BL01_2024-03.xlsx", "Chi bộ Trường THPT Bảo Lâm (BL01)", "2024-03",
                          1, datetime(2024, 3, 20, 9, 0), accepted=False)
    return build_feedback(content, findings, ctx), outcome.report.roster[2].excel_row


@pytest.fixture(scope="module")
def ods_content(feedback) -> str:
    """The feedback saved by LibreOffice as .ods: its content.xml (one conversion)."""
    [ods] = convert_with_libreoffice([feedback[0]], "ods")
    return zipfile.ZipFile(io.BytesIO(ods)).read("content.xml").decode()


def test_libreoffice_keeps_the_comment_and_the_highlight_on_the_offending_cell(ods_content):
    xml = ods_content
    annotations = re.findall(r"<office:annotation\b.*?</office:annotation>", xml, re.S)
    assert any("R02" in a and "31/02/2007" in a for a in annotations)
    fills = set(re.findall(r'fo:background-color="(#[0-9a-fA-F]{6})"', xml))
    assert "#ffc7ce" in {f.lower() for f in fills}


def test_libreoffice_reads_the_findings_link_as_a_jump_to_the_offending_cell(feedback,
                                                                          ods_content):
    """A relative "C8" in a link's location is R1C1 to LibreOffice (a dead link); ours are
    absolute, and LibreOffice turns them into its own notation: sheet, dot, cell."""
    _content, row = feedback
    links = set(re.findall(r'<text:a xlink:href="([^"]*)"', ods_content))
    assert links == {f"#&apos;DanhSach&apos;.$C${row}"}


def test_libreoffice_prints_the_findings_sheet_first(feedback, tmp_path):
    content, _row = feedback
    [pdf] = convert_with_libreoffice([content], "pdf")
    path = tmp_path / "feedback.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-l", "1", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "KẾT QUẢ KIỂM TRA BÁO CÁO" in text
    assert "TRẢ LẠI" in text and "31/02/2007" in text
