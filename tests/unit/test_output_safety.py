"""What a hostile workbook or file name must not do to what we write or print."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from factories import make_workbook
from hostile_corpus import corpus, heavy_but_legal
from openpyxl import load_workbook
from openpyxl.workbook.defined_name import DefinedName

from cellreports.console import console, show_outputs, show_runs
from connectors.base import IncomingFile
from connectors.folder_inbox import FolderInbox
from connectors.safe_names import MAX_NAME, readable_name, safe_filename
from core.findings import Finding
from core.limits import Limits
from core.run import RunRow, RunSummary
from forms.dispatch import read_any
from forms.errors import OversizedWorkbook
from reports.feedback import FeedbackContext, build_feedback

CTX = FeedbackContext("BL01_2024-03.xlsx", "Chi bộ Trường THPT Bảo Lâm (BL01)", "2024-03", 1,
                      datetime(2024, 3, 20, 9, 0), False)
FINDING = Finding("R03", "DanhSach", 8, "F", "Giới tính «Nm» không đúng danh mục.")
EVIL = "http://evil.invalid/steal"


def _armed_workbook() -> bytes:
    """A valid report carrying what a sender could plant: live formulas, a DDE-like text,
    a hyperlink, a defined name that calls out."""
    workbook = load_workbook(io.BytesIO(make_workbook()))
    sheet = workbook["DanhSach"]
    sheet["Z1"] = "=1+1"
    sheet["Z2"] = f'=HYPERLINK("{EVIL}","bấm vào đây")'
    sheet["Z3"] = "kết quả"
    sheet["Z3"].hyperlink = EVIL
    sheet["Z4"].value = "=cmd|' /C calc'!A0"
    sheet["Z4"].data_type = "s"  # typed as text by the sender
    workbook.defined_names["goi_ra"] = DefinedName("goi_ra", attr_text="cmd|'/c calc'!A0")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _feedback_of_armed() -> bytes:
    return build_feedback(_armed_workbook(), [FINDING], CTX)


def test_feedback_of_a_workbook_with_formulas_carries_no_live_formula():
    result = load_workbook(io.BytesIO(_feedback_of_armed()))
    formulas = [c.coordinate for ws in result.worksheets for row in ws.iter_rows()
                for c in row if c.data_type == "f"]
    assert formulas == []
    assert result["DanhSach"]["Z4"].value == "=cmd|' /C calc'!A0"  # kept, as text
    assert result["DanhSach"]["Z4"].data_type == "s"


def test_feedback_does_not_carry_the_senders_hyperlinks_or_calling_names():
    content = _feedback_of_armed()
    result = load_workbook(io.BytesIO(content))
    # the sender's sheets keep none of their links; ours, on the findings sheet, only move
    # the reader to a cell of this workbook (reports/feedback.py: internal_link)
    assert all(c.hyperlink is None for ws in result.worksheets[1:] for row in ws.iter_rows()
               for c in row)
    ours = [c.hyperlink for row in result["KetQuaKiemTra"].iter_rows() for c in row
            if c.hyperlink is not None]
    assert ours and all(link.target is None and link.location == "'DanhSach'!$F$8"
                        for link in ours)
    assert "goi_ra" not in result.defined_names
    assert "DM_GioiTinh" in result.defined_names  # the form's own lists stay
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        every_part = b"".join(archive.read(name) for name in archive.namelist())
    assert EVIL.encode() not in every_part
    assert b"cmd|&apos;/c calc" not in every_part and b"cmd|'/c calc" not in every_part


def test_the_armed_workbook_really_carries_what_the_feedback_drops():
    """The check above can fail: the input has the formulas, link and name."""
    source = load_workbook(io.BytesIO(_armed_workbook()))
    assert source["DanhSach"]["Z1"].data_type == "f"
    assert source["DanhSach"]["Z3"].hyperlink is not None
    assert "goi_ra" in source.defined_names


def test_feedback_of_a_file_refused_at_reading_never_opens_it():
    """openpyxl in the flow's process has no sandbox: a million-row sheet took it 65 s."""
    [huge] = [c for c in corpus() if c.key == "sheet_million_rows"]
    error = read_any(huge.content).error
    refused = Finding(error.rule_id, None, None, None, error.message_vi)
    result = load_workbook(io.BytesIO(build_feedback(huge.content, [refused], CTX)))
    assert result.sheetnames == ["KetQuaKiemTra"]


def test_feedback_of_a_readable_but_heavy_workbook_is_the_findings_sheet_alone():
    heavy = heavy_but_legal()
    assert read_any(heavy).report is not None  # it was read, and has a finding to mark
    result = load_workbook(io.BytesIO(build_feedback(heavy, [FINDING], CTX)))
    assert result.sheetnames == ["KetQuaKiemTra"]
    texts = [c.value for row in result["KetQuaKiemTra"].iter_rows() for c in row]
    assert FINDING.message in texts


@pytest.mark.parametrize(("name", "expected"), [
    ("../../etc/passwd.xlsx", "passwd.xlsx"),
    ("..\\..\\Windows\\win.ini", "win.ini"),
    ("..", "tep"),
    ("CON.xlsx", "_CON.xlsx"),
    ("x\x00y.xlsx", "x_y.xlsx"),
    ("Ba\u0301o ca\u0301o.xlsx", "Báo cáo.xlsx"),
    ("\u202eslx.exe", "_slx.exe"),
])
def test_a_name_from_outside_becomes_one_harmless_file_name(name, expected):
    assert safe_filename(name) == expected


def test_a_long_name_is_cut_but_keeps_its_extension():
    name = safe_filename("Báo cáo " * 60 + ".xlsx")
    assert len(name) <= MAX_NAME
    assert name.endswith(".xlsx")


def test_a_received_name_is_shown_as_valid_nfc_text_without_bidi_tricks():
    undecodable = b"BL01_\xff.xlsx".decode("utf-8", "surrogateescape")
    assert readable_name(undecodable) == "BL01_\ufffd.xlsx"
    assert readable_name("\u202eslx.exe") == "slx.exe"
    assert readable_name("Ba\u0301o ca\u0301o\x07.xlsx") == "Báo cáo.xlsx"
    assert len(readable_name("x" * 1000)) == 255


def test_an_oversized_file_in_the_inbox_is_read_only_far_enough_to_refuse_it(tmp_path):
    inbox = FolderInbox(tmp_path / "inbox", tmp_path / "done", tmp_path / "out",
                        max_bytes=1000)
    (tmp_path / "inbox" / "BL01").mkdir(parents=True)
    path = tmp_path / "inbox" / "BL01" / "lon.xlsx"
    path.write_bytes(b"PK\x03\x04" + os.urandom(5000))
    [item] = inbox.fetch()
    assert len(item.content) == 1001 and item.size == 5004
    error = read_any(item.content, Limits(max_file_bytes=1000)).error
    assert isinstance(error, OversizedWorkbook)
    inbox.acknowledge(item)  # still the same file: moved out of the inbox
    assert not path.exists()
    assert [p.stat().st_size for p in (tmp_path / "done").rglob("*.xlsx")] == [5004]


def test_an_oversized_file_that_changed_after_fetching_stays_in_the_inbox(tmp_path):
    inbox = FolderInbox(tmp_path / "inbox", tmp_path / "done", tmp_path / "out",
                        max_bytes=1000)
    (tmp_path / "inbox").mkdir()
    path = tmp_path / "inbox" / "lon.xlsx"
    path.write_bytes(b"A" * 5000)
    [item] = inbox.fetch()
    path.write_bytes(b"A" * 6000)  # same first bytes, still being copied
    inbox.acknowledge(item)
    assert path.exists()


def test_feedback_for_a_file_named_with_a_path_lands_inside_the_outbox(tmp_path):
    inbox = FolderInbox(tmp_path / "inbox", tmp_path / "done", tmp_path / "out")
    item = IncomingFile(b"x", "../../x.xlsx", "folder", "../../../tmp", datetime.now(UTC),
                        "x.xlsx")
    target = inbox.send_feedback(item, "../../../evil_KetQuaKiemTra.xlsx", b"content")
    assert target.resolve().is_relative_to((tmp_path / "out").resolve())
    assert target.read_bytes() == b"content"


def test_names_with_rich_markup_are_printed_as_they_are(capsys):
    odd = "[/][bold red]BL01[/].xlsx"
    summary = RunSummary("2024-03", rows=[RunRow(unit="[/]", filename=odd, period="2024-03",
                                                 status="rejected", errors=1)],
                         missing=["[red]"], pending=[("[/]", "2024-03", 2, odd)])
    with console.capture() as captured:
        show_runs([summary])
        show_outputs(summary)
    printed = captured.get()
    assert "[/][bold red]BL01[/].xlsx" in printed.replace("\n", "")
    assert "[red]" in printed


def test_outbox_file_names_never_leave_their_folder(tmp_path):
    for name in ("../a.xlsx", "/etc/passwd", "..", "a/../../b.xlsx", "\\\\server\\share\\c"):
        assert (tmp_path / safe_filename(name)).resolve().parent == tmp_path.resolve()
    assert Path(safe_filename("x" * 400)).name == safe_filename("x" * 400)
